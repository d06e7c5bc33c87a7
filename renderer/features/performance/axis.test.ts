import { describe, expect, it } from 'vitest';
import { niceAxis, niceStep, valueText, withGaps } from './axis';

describe('chart axes', () => {
  it('cuts a range into round steps', () => {
    expect(niceStep(10)).toBe(2);
    expect(niceStep(100)).toBe(20);
    expect(niceStep(7)).toBe(2);
    expect(niceStep(0.9)).toBe(0.2);
    expect(niceStep(3000)).toBe(1000);
  });

  it('never splits a byte: an idle rate axis is in KiB/s, not fractions of B/s', () => {
    const idle = niceAxis(0.5, 'rate');
    expect(idle.ticks.map(idle.label)).toEqual([
      '0.0 KiB/s',
      '0.2 KiB/s',
      '0.4 KiB/s',
      '0.6 KiB/s',
      '0.8 KiB/s',
      '1.0 KiB/s',
    ]);
    for (const l of idle.ticks.map(idle.label)) expect(l).not.toMatch(/\d\.\d+ B\/s/);
    const small = niceAxis(700, 'rate', 1);
    expect(small.label(small.ticks[1]!)).toBe('200 B/s');
    expect(small.ticks.every((t) => Number.isInteger(t))).toBe(true);
  });

  it('uses one unit that fits the top, with round ticks and at most six of them', () => {
    const mem = niceAxis(128 * 2 ** 20, 'bytes');
    expect(mem.top).toBe(150 * 2 ** 20);
    expect(mem.ticks.map(mem.label)).toEqual(['0 MiB', '50 MiB', '100 MiB', '150 MiB']);
    const node = niceAxis(23.5 * 2 ** 30, 'bytes');
    expect(node.ticks.map(node.label)).toEqual([
      '0 GiB',
      '5 GiB',
      '10 GiB',
      '15 GiB',
      '20 GiB',
      '25 GiB',
    ]);
    const cpu = niceAxis(37, 'percent');
    expect(cpu.ticks.map(cpu.label)).toEqual(['0%', '10%', '20%', '30%', '40%']);
    // An idle CPU axis goes to 10%, not 1.1% of nothing.
    expect(niceAxis(0, 'percent').top).toBe(10);
    for (const a of [mem, node, cpu]) expect(a.ticks.length).toBeLessThanOrEqual(8);
  });

  it('tops a VM memory axis at its allocation, whatever it is given', () => {
    const vm = niceAxis(100 * 2 ** 20, 'bytes', 128 * 2 ** 20);
    expect(vm.top).toBeGreaterThanOrEqual(128 * 2 ** 20);
    expect(vm.top).toBeLessThan(160 * 2 ** 20);
  });
});

describe('values in the legend and tables', () => {
  it('shows whole bytes below a KiB, and one decimal above', () => {
    expect(valueText(0.5, 'rate')).toBe('1 B/s');
    expect(valueText(0.2, 'rate')).toBe('0 B/s');
    expect(valueText(1536, 'rate')).toBe('1.5 KiB/s');
    expect(valueText(128 * 2 ** 20, 'bytes')).toBe('128 MiB');
    expect(valueText(3.14159, 'percent')).toBe('3.1%');
  });
});

describe('gaps in a series', () => {
  it('breaks the line where readings are missing, and only there', () => {
    const r = withGaps([0, 5000, 10_000, 60_000, 65_000], [[1, 2, 3, 4, 5]], 12_500);
    expect(r.times).toEqual([0, 5000, 10_000, 35_000, 60_000, 65_000]);
    expect(r.series[0]).toEqual([1, 2, 3, null, 4, 5]);
    expect(withGaps([0, 5000], [[1, 2]], 12_500).series[0]).toEqual([1, 2]);
  });
});
