// Turns two readings of cumulative counters (CPU nanoseconds, bytes read)
// into the rates and percentages the Performance tab plots. The first
// reading of a node has nothing to compare with, so its rates are zero; so
// are those of a counter that went back (a restarted VM, a rebooted node).
import type { PerformanceSample, VmLoad } from '../../shared/performance';
import type { NodeCounters } from '../drivers/capabilities';

export type { NodeCounters } from '../drivers/capabilities';

const perSecond = (now: number, before: number, seconds: number) =>
  seconds > 0 && now >= before ? (now - before) / seconds : 0;

export function toSample(now: NodeCounters, before: NodeCounters | undefined): PerformanceSample {
  const seconds = before ? (now.at - before.at) / 1000 : 0;
  const cpuTotal = before ? now.cpu.totalNs - before.cpu.totalNs : 0;
  const io = (k: 'diskReadBytes' | 'diskWriteBytes' | 'netRxBytes' | 'netTxBytes') =>
    before ? perSecond(now.io[k], before.io[k], seconds) : 0;
  const vms: Record<string, VmLoad> = {};
  for (const [uuid, c] of now.vms) {
    // A paused VM, or the paused copy a migration makes on its target, has no load to chart.
    if (!c.running) continue;
    const p = before?.vms.get(uuid);
    vms[uuid] = {
      cpuPercent: p && seconds > 0 ? Math.max(0, ((c.cpuNs - p.cpuNs) / (seconds * 1e9)) * 100) : 0,
      memGivenBytes: c.memGivenBytes,
      memMaxBytes: c.memMaxBytes,
      ...(c.memUsedBytes !== undefined ? { memUsedBytes: c.memUsedBytes } : {}),
      diskReadBps: p ? perSecond(c.diskReadBytes, p.diskReadBytes, seconds) : 0,
      diskWriteBps: p ? perSecond(c.diskWriteBytes, p.diskWriteBytes, seconds) : 0,
      netRxBps: p ? perSecond(c.netRxBytes, p.netRxBytes, seconds) : 0,
      netTxBps: p ? perSecond(c.netTxBytes, p.netTxBytes, seconds) : 0,
    };
  }
  return {
    at: now.at,
    node: {
      cpuPercent:
        before && cpuTotal > 0 ? ((now.cpu.busyNs - before.cpu.busyNs) / cpuTotal) * 100 : 0,
      memUsedBytes: Math.max(0, now.mem.totalBytes - now.mem.availableBytes),
      memTotalBytes: now.mem.totalBytes,
      memAvailableBytes: now.mem.availableBytes,
      diskReadBps: io('diskReadBytes'),
      diskWriteBps: io('diskWriteBytes'),
      netRxBps: io('netRxBytes'),
      netTxBps: io('netTxBytes'),
    },
    vms,
  };
}
