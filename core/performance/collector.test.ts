// The collector behind the Performance tab: reads a node while it is watched
// and a while after, keeps a bounded history, and never averages over a gap.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NodeCounters } from '../drivers/capabilities';
import { PerformanceCollector } from './collector';
import { RingBuffer } from './ring';

describe('ring buffer', () => {
  it('keeps the newest items, oldest first, in fixed room', () => {
    const r = new RingBuffer<number>(3);
    expect(r.toArray()).toEqual([]);
    expect(r.last()).toBeUndefined();
    for (let i = 1; i <= 5; i++) r.push(i);
    expect(r.toArray()).toEqual([3, 4, 5]);
    expect(r.length).toBe(3);
    expect(r.last()).toBe(5);
    expect(() => new RingBuffer(0)).toThrow();
  });
});

/** A node whose counters grow with the clock; `away` makes it fail to answer. */
function fakeNode() {
  const node = { away: false, reads: 0 };
  const read = (): Promise<NodeCounters> => {
    node.reads++;
    if (node.away) return Promise.reject(new Error('node1 is not connected.'));
    const at = Date.now();
    return Promise.resolve({
      at,
      cpu: { busyNs: at * 1e5, totalNs: at * 1e6 },
      mem: { totalBytes: 8e9, freeBytes: 5e9, availableBytes: 6e9 },
      io: {
        diskReadBytes: 0,
        diskWriteBytes: 0,
        netRxBytes: 0,
        netTxBytes: 0,
        disks: [],
        nics: [],
      },
      vms: new Map(),
    });
  };
  return { node, read };
}

describe('performance collector', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000);
  });
  afterEach(() => vi.useRealTimers());

  const step = async (ms: number) => {
    await vi.advanceTimersByTimeAsync(ms);
  };

  it('reads a watched node every 5 s, and goes on for a while after the view went away', async () => {
    const { node, read } = fakeNode();
    const c = new PerformanceCollector(read, { keepMs: 60_000, capacity: 100 });
    c.watch(['h1']);
    await step(30_000);
    // The first reading only starts the interval: six rates in 30 s.
    expect(c.history('h1').length).toBe(6);
    expect(c.history('h1')[0]!.node.cpuPercent).toBeCloseTo(10);
    // No view asks any more: still read for a minute, then stopped.
    await step(60_000);
    expect(c.collecting('h1')).toBe(false);
    const reads = node.reads;
    await step(60_000);
    expect(node.reads).toBe(reads);
    // Only what is newer than asked for.
    const all = c.history('h1');
    expect(c.history('h1', all.at(-2)!.at)).toEqual([all.at(-1)]);
    c.close();
  });

  it('keeps an hour at most (a ring), whatever time it runs', async () => {
    const { read } = fakeNode();
    const c = new PerformanceCollector(read, { capacity: 10 });
    for (let i = 0; i < 12; i++) {
      c.watch(['h1']);
      await step(30_000);
    }
    expect(c.history('h1').length).toBe(10);
    c.close();
  });

  it('leaves a gap where the node did not answer, with no point averaged over it', async () => {
    const { node, read } = fakeNode();
    const c = new PerformanceCollector(read);
    c.watch(['h1']);
    await step(20_000);
    node.away = true;
    await step(30_000);
    node.away = false;
    await step(20_000);
    const times = c.history('h1').map((s) => s.at);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // Last point at 20 s, failures from 25 s to 50 s, 55 s restarts the rates: next point at 60 s.
    expect(gaps.filter((g) => g > 5000)).toEqual([40_000]);
    expect(gaps.filter((g) => g === 5000).length).toBe(gaps.length - 1);
    c.close();
  });

  it('stops every timer on close', async () => {
    const { node, read } = fakeNode();
    const c = new PerformanceCollector(read);
    c.watch(['h1', 'h2']);
    c.close();
    const reads = node.reads;
    await step(20_000);
    expect(node.reads).toBe(reads);
  });
});
