import { describe, expect, it } from 'vitest';
import { MonotonicProgress } from './progress';

const MiB = 1024 ** 2;

describe('migration progress', () => {
  it('never goes back when a later iteration has more left to send', () => {
    const p = new MonotonicProgress();
    // As libvirt reported it for a busy guest: 35 % after the first pass,
    // then the second pass starts with the dirtied pages counted again.
    const readings = [
      { processed: 10 * MiB, remaining: 90 * MiB, iteration: 1 },
      { processed: 35 * MiB, remaining: 65 * MiB, iteration: 1 },
      { processed: 36 * MiB, remaining: 1100 * MiB, iteration: 2 },
      { processed: 300 * MiB, remaining: 900 * MiB, iteration: 2 },
      { processed: 1150 * MiB, remaining: 20 * MiB, iteration: 3 },
    ].map((j) => p.next(j));
    const fractions = readings.map((r) => r!.fraction);
    expect(fractions.map((f) => Math.round(f * 100))).toEqual([10, 35, 35, 35, 98]);
    for (let i = 1; i < fractions.length; i++)
      expect(fractions[i]).toBeGreaterThanOrEqual(fractions[i - 1]!);
    expect(readings.map((r) => r!.iteration)).toEqual([1, 1, 2, 2, 3]);
  });

  it('shows nothing before the job has data, and stops short of 100 %', () => {
    const p = new MonotonicProgress();
    expect(p.next({ processed: 0, remaining: 0, iteration: 0 })).toBeUndefined();
    expect(p.next({ processed: 5 * MiB, remaining: 0, iteration: 4 })).toEqual({
      fraction: 0.99,
      iteration: 4,
    });
  });
});
