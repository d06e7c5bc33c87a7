import { describe, expect, it } from 'vitest';
import { functionKeysym, keysymFor, keystrokesFor } from './keysyms';

describe('keysyms', () => {
  it('maps text to X11 keysyms', () => {
    expect(keysymFor('a')).toBe(0x61);
    expect(keysymFor('~')).toBe(0x7e);
    expect(keysymFor('\n')).toBe(0xff0d);
    expect(keysymFor('é')).toBe(0xe9);
    expect(keysymFor('✓')).toBe(0x01002713);
    expect(keysymFor('\u0001')).toBeUndefined();
  });
  it('numbers function keys from F1', () => {
    expect(functionKeysym(1)).toBe(0xffbe);
    expect(functionKeysym(12)).toBe(0xffc9);
  });

  it('holds Shift where a US keyboard needs it', () => {
    expect(keystrokesFor('a$>B\n')).toEqual([
      [0x61, false],
      [0x24, true],
      [0x3e, true],
      [0x42, true],
      [0xff0d, false],
    ]);
  });
});
