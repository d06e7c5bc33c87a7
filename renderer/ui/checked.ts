// The set behind a list of checkboxes, with one box ticked or cleared.
export function withToggled<T>(old: ReadonlySet<T>, value: T, on: boolean): Set<T> {
  const next = new Set(old);
  if (on) next.add(value);
  else next.delete(value);
  return next;
}
