import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatKiB, formatUptime, percent } from './format';

describe('format', () => {
  it('formats sizes in binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(512)).toBe('512 B');
    // A rate axis near zero has fractions of a byte.
    expect(formatBytes(0.5)).toBe('0.5 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatKiB(65536)).toBe('64.0 MiB');
    expect(formatBytes(250 * 1024 ** 3)).toBe('250 GiB');
  });
  it('formats uptime and durations', () => {
    expect(formatUptime(3 * 86400 + 4 * 3600 + 12 * 60 + 5)).toBe('3 d 4 h 12 min');
    expect(formatUptime(59)).toBe('0 min');
    expect(formatDuration(42.4)).toBe('42 ms');
    expect(formatDuration(2500)).toBe('2.5 s');
  });
  it('rounds percentages and survives zero', () => {
    expect(percent(1, 3)).toBe(33);
    expect(percent(5, 0)).toBe(0);
  });
});
