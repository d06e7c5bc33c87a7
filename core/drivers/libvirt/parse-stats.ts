// Parsers for what virsh counts: a migration's job (domjobinfo), the node's
// CPU and memory counters, and each VM's counters (domstats), all text.
import type { MigrationProgress, NodeMemory, VmCounters } from '../capabilities';
import { UNIT_BYTES } from './xml';

/** A running job as `virsh domjobinfo` reports it: a move's progress, and how long it has run. */
export type JobInfo = MigrationProgress & { elapsedMs: number };

/** Reads `virsh domjobinfo` ("Data processed:   12.345 MiB"), by its labels. */
export function parseDomjobinfo(stdout: string): JobInfo {
  const field = (label: string) =>
    stdout.match(new RegExp(`^${label}:\\s+([\\d.]+)\\s*(\\S*)`, 'm')) ?? undefined;
  const bytes = (label: string) => {
    const m = field(label);
    if (!m) return 0;
    const unit = (m[2] ?? 'b').replace(/\/s$/, '').toLowerCase();
    return Number(m[1]) * (UNIT_BYTES[unit] ?? 1);
  };
  const type = stdout.match(/^Job type:\s+(\S+)/m)?.[1] ?? 'None';
  return {
    active: type !== 'None' && type !== 'Completed' && type !== 'Failed' && type !== 'Cancelled',
    elapsedMs: Number(field('Time elapsed')?.[1] ?? 0),
    processed: bytes('Data processed'),
    remaining: bytes('Data remaining'),
    total: bytes('Data total'),
    bandwidth: bytes('Memory bandwidth'),
    downtimeMs: Number(field('Expected downtime')?.[1] ?? 0),
    iteration: Number(field('Iteration')?.[1] ?? 0),
  };
}

/** `virsh nodecpustats` (cumulative nanoseconds per kind): busy and total time. */
export function parseNodeCpuStats(stdout: string): { busyNs: number; totalNs: number } {
  let busy = 0;
  let total = 0;
  for (const line of stdout.split('\n')) {
    const m = line.match(/^\s*(\w+):\s+(\d+)/);
    if (!m) continue;
    const ns = Number(m[2]);
    total += ns;
    if (m[1] !== 'idle' && m[1] !== 'iowait') busy += ns;
  }
  return { busyNs: busy, totalNs: total };
}

/**
 * The kernel's memory figures (/proc/meminfo, KiB): the one source of every
 * figure about a node's memory (total, free, available to new guests), so the
 * General tab, the Performance tab and the preflights agree. `virsh nodeinfo`
 * is not used for it: it sums the NUMA nodes, which may hold less than the
 * kernel has (a machine whose memory was added outside its NUMA nodes).
 */
export function parseMeminfo(stdout: string): NodeMemory {
  const kib = (key: string) =>
    Number(stdout.match(new RegExp(`^${key}:\\s*(\\d+)`, 'm'))?.[1] ?? 0) * 1024;
  const free = kib('MemFree');
  // Kernels before 3.14 have no MemAvailable: free plus the page cache is the closest.
  const available = /^MemAvailable:/m.test(stdout)
    ? kib('MemAvailable')
    : free + kib('Buffers') + kib('Cached');
  return { totalBytes: kib('MemTotal'), freeBytes: free, availableBytes: available };
}

/** The lines of /proc/meminfo that parseMeminfo reads, in one quick command. */
export const MEMINFO_ARGV: readonly string[] = [
  'grep',
  '-E',
  '^(MemTotal|MemFree|MemAvailable|Buffers|Cached):',
  '/proc/meminfo',
];

/** One VM's cumulative counters from `virsh domstats`: the capability's VM counters. */
export type DomCounters = VmCounters;

/**
 * `virsh domstats --state --cpu-total --balloon --vcpu --block --interface`, by
 * VM name. Memory is what the guest was given (balloon.current) and, when its
 * balloon driver reports it, what it uses; never the QEMU process's resident
 * size (balloon.rss), which adds the emulator's own memory and could chart a
 * 128 MiB guest at twice its size.
 */
export function parseDomstats(stdout: string): Map<string, DomCounters> {
  const out = new Map<string, DomCounters>();
  // What the guest's balloon driver says it sees and leaves unused (only with stats enabled).
  const guestTotal = new Map<DomCounters, number>();
  const guestUnused = new Map<DomCounters, number>();
  let cur: DomCounters | undefined;
  for (const raw of stdout.split('\n')) {
    const head = raw.match(/^Domain: '(.*)'$/);
    if (head) {
      cur = {
        cpuNs: 0,
        vcpus: 0,
        running: false,
        memGivenBytes: 0,
        memMaxBytes: 0,
        diskReadBytes: 0,
        diskWriteBytes: 0,
        netRxBytes: 0,
        netTxBytes: 0,
      };
      out.set(head[1]!, cur);
      continue;
    }
    const kv = raw.trim().match(/^([\w.]+)=(.*)$/);
    if (!cur || !kv) continue;
    const [, key, value] = kv as unknown as [string, string, string];
    const n = Number(value) || 0;
    if (key === 'cpu.time') cur.cpuNs = n;
    else if (key === 'vcpu.current') cur.vcpus = n;
    else if (key === 'state.state') cur.running = n === 1;
    else if (key === 'balloon.current') cur.memGivenBytes = n * 1024;
    else if (key === 'balloon.maximum') cur.memMaxBytes = n * 1024;
    else if (key === 'balloon.available') guestTotal.set(cur, n * 1024);
    else if (key === 'balloon.unused') guestUnused.set(cur, n * 1024);
    else if (/^block\.\d+\.rd\.bytes$/.test(key)) cur.diskReadBytes += n;
    else if (/^block\.\d+\.wr\.bytes$/.test(key)) cur.diskWriteBytes += n;
    else if (/^net\.\d+\.rx\.bytes$/.test(key)) cur.netRxBytes += n;
    else if (/^net\.\d+\.tx\.bytes$/.test(key)) cur.netTxBytes += n;
  }
  for (const [c, total] of guestTotal) {
    const unused = guestUnused.get(c);
    if (unused !== undefined && total >= unused)
      c.memUsedBytes = Math.min(total - unused, c.memGivenBytes || total);
  }
  return out;
}
