// The Performance tab's history: the last hour of readings, by their time.
import { describe, expect, it } from 'vitest';
import type { PerformanceSample } from '../../shared/performance';
import { PERF_HISTORY_MS, PERF_INTERVAL_MS, withReadings } from './performance';

const at = (ms: number) => ({ at: ms }) as PerformanceSample;
const MIN = 60 * 1000;

describe('performance history', () => {
  it('keeps a full hour of readings every 5 s, and no more', () => {
    let list: readonly PerformanceSample[] = [];
    for (let t = 0; t <= 2 * PERF_HISTORY_MS; t += PERF_INTERVAL_MS)
      list = withReadings(list, [at(t)]);
    const span = list.at(-1)!.at - list[0]!.at;
    expect(span).toBe(PERF_HISTORY_MS);
  });

  it('drops readings from before a pause by their age, not their number', () => {
    const before = [at(0), at(5000), at(10 * MIN)];
    expect(withReadings(before, [at(65 * MIN)]).map((s) => s.at)).toEqual([10 * MIN, 65 * MIN]);
  });

  it('ignores a reading older than the newest, as a slow one coming back late', () => {
    const list = [at(0), at(10_000)];
    expect(withReadings(list, [at(5000)])).toBe(list);
    expect(withReadings(list, [at(5000), at(15_000)]).map((s) => s.at)).toEqual([
      0, 10_000, 15_000,
    ]);
  });
});
