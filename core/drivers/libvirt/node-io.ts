// A node's own disk and network counters, for the Performance tab. libvirt
// has no node-wide I/O statistics, so they come from the kernel: one command
// prints the kernel's counters and the names of the devices to count.
//
// What counts: hardware devices only, that is the block devices and network
// interfaces that have a `device` link in sysfs. Everything else is stacked on
// top of them or never leaves the machine, so counting it would count the
// same bytes twice or count no real I/O:
// - disks: partitions (not in /sys/block at all) are in their disk's count;
//   dm-* (LVM, dm-crypt, multipath), md* (RAID) and loop* are written through
//   to the disks below; ram* and zram* are memory.
// - network: lo never leaves the node; guests' taps (vnet*, macvtap*) are in
//   each VM's own figures, and what a guest sends out crosses the physical
//   NIC anyway; bridges, bonds and VLANs carry the same bytes as their
//   physical ports (a bridge's own counters hold only the node's own traffic,
//   which its physical port holds as well).

import type { NodeIoCounters } from '../capabilities';

/** Cumulative bytes since boot, summed over the devices counted. */
export type NodeIo = NodeIoCounters;

/** One line (remote argv carries no newline): four sections, each after an @ marker. */
export const NODE_IO_SCRIPT = [
  'echo @disks',
  'for d in /sys/block/*; do [ -e "$d/device" ] && echo "${d##*/}"; done',
  'echo @nics',
  'for d in /sys/class/net/*; do [ -e "$d/device" ] && echo "${d##*/}"; done',
  'echo @diskstats',
  'cat /proc/diskstats',
  'echo @netdev',
  'cat /proc/net/dev',
].join('; ');

export const NODE_IO_ARGV: readonly string[] = ['sh', '-c', NODE_IO_SCRIPT];

/** /proc/diskstats counts sectors of 512 bytes whatever the device's own block size. */
const SECTOR_BYTES = 512;

/** Reads the output of NODE_IO_SCRIPT. Anything missing counts as zero. */
export function parseNodeIo(stdout: string): NodeIo {
  const sections = new Map<string, string[]>();
  let lines: string[] = [];
  for (const line of stdout.split('\n')) {
    if (line.startsWith('@')) sections.set(line.trim().slice(1), (lines = []));
    else if (line.trim()) lines.push(line);
  }
  const section = (name: string) => sections.get(name) ?? [];
  const disks = new Set(section('disks').map((l) => l.trim()));
  const nics = new Set(section('nics').map((l) => l.trim()));
  const io: NodeIo = {
    diskReadBytes: 0,
    diskWriteBytes: 0,
    netRxBytes: 0,
    netTxBytes: 0,
    disks: [],
    nics: [],
  };
  // major minor name reads merged sectors-read ms writes merged sectors-written ...
  for (const line of section('diskstats')) {
    const f = line.trim().split(/\s+/);
    const name = f[2] ?? '';
    if (!disks.has(name) || f.length < 10) continue;
    io.diskReadBytes += Number(f[5]) * SECTOR_BYTES;
    io.diskWriteBytes += Number(f[9]) * SECTOR_BYTES;
    io.disks.push(name);
  }
  // "  eth0: rx-bytes packets errs drop fifo frame compressed multicast tx-bytes ..."
  // (old kernels glue a long first number to the colon, so split there first).
  for (const line of section('netdev')) {
    const m = line.match(/^\s*([^:\s]+):(.*)$/);
    if (!m || !nics.has(m[1]!)) continue;
    const f = m[2]!.trim().split(/\s+/);
    if (f.length < 9) continue;
    io.netRxBytes += Number(f[0]);
    io.netTxBytes += Number(f[8]);
    io.nics.push(m[1]!);
  }
  return io;
}
