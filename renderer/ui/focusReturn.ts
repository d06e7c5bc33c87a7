// Where focus goes back to when a dialog or menu closes: the element that had
// it when the dialog or menu opened, as in every desktop toolkit.

/**
 * Remembers the focused element now; the returned function puts focus back on
 * it, but only when focus was inside `container` or lost with it (on the
 * body), so a click elsewhere that closed a menu keeps the focus it gave.
 * An opener that is gone (a menu item whose menu closed) falls back to the
 * resource tree's current item, never to the page itself.
 */
export function rememberFocus(): (container: HTMLElement | null) => void {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  return (container) => {
    const active = document.activeElement;
    const lost = !active || active === document.body || !!container?.contains(active);
    if (!lost) return;
    const target =
      opener && opener !== document.body && opener.isConnected
        ? opener
        : document.querySelector<HTMLElement>('[role="tree"] [role="treeitem"][tabindex="0"]');
    target?.focus();
  };
}
