import { describe, expect, it } from 'vitest';
import { parseSize } from './units';

describe('parseSize', () => {
  it('reads sizes as people type them, binary units, plain numbers in MiB', () => {
    expect(parseSize('512M')).toBe(512 * 2 ** 20);
    expect(parseSize('20G')).toBe(20 * 2 ** 30);
    expect(parseSize('1.5T')).toBe(1.5 * 2 ** 40);
    expect(parseSize('64')).toBe(64 * 2 ** 20);
    expect(parseSize('4k')).toBe(4096);
    expect(parseSize(' 10 GiB ')).toBe(10 * 2 ** 30);
    expect(parseSize('16MB')).toBe(16 * 2 ** 20);
  });

  it('refuses what is not a positive size', () => {
    for (const text of ['', 'G', '0', '0M', '-1G', '1,5G', '10X', '1e3', 'ten'])
      expect(parseSize(text), text).toBeUndefined();
  });
});
