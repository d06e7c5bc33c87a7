// Moving forward in a wizard: a jump to a later step (Next, or a step's
// label) passes every step on the way, and stops at the first one that may
// not be passed yet (its fields invalid, its preflight not run or failed).

/** The step a jump from `from` to `to` lands on: the first on the way that `stops`, else `to`. */
export function landingStep(from: number, to: number, stops: (step: number) => boolean): number {
  for (let i = from; i < to; i++) if (stops(i)) return i;
  return to;
}

/**
 * A preflight step is looked at before it is passed: a jump over it from an
 * earlier step stops there (its checks run when it shows), one from the
 * preflight itself goes on when `blocked` lets it.
 */
export const stopsAtPreflight =
  (from: number, preflight: number, blocked: (step: number) => boolean) =>
  (step: number): boolean =>
    blocked(step) || (step === preflight && step !== from);
