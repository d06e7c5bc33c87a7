// X11 keysyms for typing text into a console: printable Latin-1 characters
// are their own code point; a few controls have their own keysyms.
const SPECIAL: Record<string, number> = {
  '\n': 0xff0d, // Return
  '\r': 0xff0d,
  '\t': 0xff09, // Tab
  '\b': 0xff08, // BackSpace
};

export function keysymFor(ch: string): number | undefined {
  if (SPECIAL[ch] !== undefined) return SPECIAL[ch];
  const cp = ch.codePointAt(0) ?? 0;
  if ((cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xff)) return cp;
  // Other Unicode characters: the keysym convention 0x01000000 + code point.
  return cp > 0xff ? 0x01000000 + cp : undefined;
}

/** F-keys for Ctrl+Alt+Fn: XK_F1 is 0xffbe. */
export function functionKeysym(n: number): number {
  return 0xffbe + (n - 1);
}

export const XK_CONTROL_L = 0xffe3;
export const XK_ALT_L = 0xffe9;

export const XK_SHIFT_L = 0xffe1;

// QEMU turns keysyms into scancodes of a US keyboard and does not add Shift
// itself, so text typed on the user's behalf holds Shift where a US
// keyboard needs it.
const SHIFTED = new Set('~!@#$%^&*()_+{}|:"<>?ABCDEFGHIJKLMNOPQRSTUVWXYZ');

/** Key presses for typing text: [keysym, needs Shift]. */
export function keystrokesFor(text: string): [number, boolean][] {
  const out: [number, boolean][] = [];
  for (const ch of text) {
    const k = keysymFor(ch);
    if (k !== undefined) out.push([k, SHIFTED.has(ch)]);
  }
  return out;
}
