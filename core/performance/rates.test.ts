import { describe, expect, it } from 'vitest';
import type { NodeIoCounters, VmCounters } from '../drivers/capabilities';
import { toSample, type NodeCounters } from './rates';

const dom = (over: Partial<VmCounters>): VmCounters => ({
  running: true,
  cpuNs: 0,
  vcpus: 1,
  memGivenBytes: 0,
  memMaxBytes: 128e6,
  diskReadBytes: 0,
  diskWriteBytes: 0,
  netRxBytes: 0,
  netTxBytes: 0,
  ...over,
});

const io = (over: Partial<NodeIoCounters> = {}): NodeIoCounters => ({
  diskReadBytes: 0,
  diskWriteBytes: 0,
  netRxBytes: 0,
  netTxBytes: 0,
  disks: ['vda'],
  nics: ['eth0'],
  ...over,
});

const reading = (
  at: number,
  busyNs: number,
  totalNs: number,
  vm: VmCounters,
  nodeIo: NodeIoCounters = io(),
): NodeCounters => ({
  at,
  cpu: { busyNs, totalNs },
  mem: { totalBytes: 8e9, freeBytes: 5e9, availableBytes: 6e9 },
  io: nodeIo,
  vms: new Map([['v1', vm]]),
});

describe('load rates from two readings', () => {
  it('turns counters into percentages and bytes per second', () => {
    const before = reading(0, 1e9, 10e9, dom({ cpuNs: 1e9, diskWriteBytes: 1000, netRxBytes: 0 }));
    const now = reading(
      5000,
      1e9 + 5e9,
      10e9 + 20e9,
      dom({
        cpuNs: 1e9 + 2.5e9,
        diskWriteBytes: 1000 + 5e6,
        netRxBytes: 10e6,
        memGivenBytes: 64e6,
      }),
    );
    const s = toSample(now, before);
    expect(s.node.cpuPercent).toBeCloseTo(25);
    // Used is what is not available, so used + available is the total on every view.
    expect(s.node).toMatchObject({
      memUsedBytes: 2e9,
      memAvailableBytes: 6e9,
      memTotalBytes: 8e9,
    });
    expect(s.vms['v1']).toEqual({
      cpuPercent: 50,
      memGivenBytes: 64e6,
      memMaxBytes: 128e6,
      diskReadBps: 0,
      diskWriteBps: 1e6,
      netRxBps: 2e6,
      netTxBps: 0,
    });
  });

  it("turns the node's disk and network counters into bytes per second", () => {
    const before = reading(0, 0, 1, dom({}), io({ diskReadBytes: 1e6, netTxBytes: 5e6 }));
    const now = reading(
      2000,
      0,
      2,
      dom({}),
      io({ diskReadBytes: 3e6, diskWriteBytes: 8e6, netRxBytes: 1e3, netTxBytes: 5e6 }),
    );
    expect(toSample(now, before).node).toMatchObject({
      diskReadBps: 1e6,
      diskWriteBps: 4e6,
      netRxBps: 500,
      netTxBps: 0,
    });
    // First reading, and a rebooted node whose counters started again.
    expect(toSample(before, undefined).node.diskReadBps).toBe(0);
    expect(toSample(reading(4000, 0, 3, dom({}), io()), now).node.diskWriteBps).toBe(0);
  });

  it('shows no rates for a first reading, or for counters that went back (a restarted VM)', () => {
    const first = toSample(reading(0, 1, 2, dom({ cpuNs: 5, diskReadBytes: 9 })), undefined);
    expect(first.node.cpuPercent).toBe(0);
    expect(first.vms['v1']!.cpuPercent).toBe(0);
    const restarted = toSample(
      reading(5000, 2, 4, dom({ cpuNs: 1, diskReadBytes: 1 })),
      reading(0, 1, 2, dom({ cpuNs: 5e9, diskReadBytes: 9e6 })),
    );
    expect(restarted.vms['v1']!.diskReadBps).toBe(0);
    expect(restarted.vms['v1']!.cpuPercent).toBe(0);
  });

  it('leaves out a VM that is not running (paused, or the copy an incoming migration makes)', () => {
    const s = toSample(reading(5000, 2, 4, dom({ running: false })), undefined);
    expect(s.vms).toEqual({});
  });
});
