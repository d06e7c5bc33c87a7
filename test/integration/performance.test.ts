// The Performance tab's readings from a real node: two readings a moment
// apart give the node's CPU, memory, disk and network and each running VM's load.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Backend } from '../../core/backend';
import { NODE_IO_ARGV, parseNodeIo } from '../../core/drivers/libvirt/node-io';
import type { PerformanceSample } from '../../shared/performance';
import { addLabNode, labExec, testBackendOptions, waitFor } from '../lab';

let home: string;
let backend: Backend;
let node1: string;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'clusterdeck-perf-'));
  backend = await Backend.start(testBackendOptions(home));
  node1 = await addLabNode(backend, 'node1');
  await waitFor(() => backend.store.get('hosts', node1)?.state === 'connected', 'node1 connected');
});

afterAll(() => {
  backend?.close();
  rmSync(home, { recursive: true, force: true });
});

const read = async () =>
  (await backend.call('readPerformance', { hostId: node1 })) as PerformanceSample;

describe('performance readings', () => {
  it('gives CPU, memory, disk and network load for the node and its running VMs', async () => {
    const first = await read();
    expect(first.node.cpuPercent).toBe(0); // nothing to compare with yet
    expect(first.node.diskWriteBps).toBe(0);
    await new Promise((r) => setTimeout(r, 1500));
    const s = await read();
    expect(s.at - first.at).toBeGreaterThanOrEqual(1400);
    expect(s.node.cpuPercent).toBeGreaterThan(0);
    expect(s.node.cpuPercent).toBeLessThanOrEqual(100);
    expect(s.node.memTotalBytes).toBeGreaterThan(2 ** 30);
    expect(s.node.memUsedBytes).toBeGreaterThan(0);
    const tiny = backend.store
      .all('vms')
      .find((v) => v.hostId === node1 && v.name === 'lab-tiny-1')!;
    // By UUID: the VM's history is the same VM's on whichever node it runs.
    const load = s.vms[tiny.uuid]!;
    // An emulated guest always burns some CPU. Its memory is what it was given
    // (64 MiB), not the QEMU process's resident size, which adds QEMU's own.
    expect(load.cpuPercent).toBeGreaterThan(0);
    expect(load.memGivenBytes).toBe(tiny.memoryKiB * 1024);
    expect(load.memMaxBytes).toBe(tiny.memoryKiB * 1024);
    // A shut-off VM has no load.
    const off = backend.store
      .all('vms')
      .find((v) => v.hostId === node1 && v.name === 'lab-tiny-2')!;
    expect(s.vms[off.uuid]).toBeUndefined();
    for (const k of ['diskReadBps', 'diskWriteBps', 'netRxBps', 'netTxBps'] as const)
      expect(load[k]).toBeGreaterThanOrEqual(0);
  });

  it("gives the node's memory as its kernel counts it, the same on every view", async () => {
    const meminfo = (key: string) =>
      Number(labExec('node1', ['awk', `/^${key}:/ {print $2}`, '/proc/meminfo']).trim()) * 1024;
    const m = (await backend.call('readNodeMemory', { hostId: node1 })) as {
      totalBytes: number;
      availableBytes: number;
    };
    expect(m.totalBytes).toBe(meminfo('MemTotal'));
    // Memory moves on a shared machine: within 256 MiB of a reading a moment later.
    expect(Math.abs(m.availableBytes - meminfo('MemAvailable'))).toBeLessThan(2 ** 28);
    // The General tab's total (read at connect) and the Performance tab's are that same figure.
    expect(backend.store.get('hosts', node1)?.info?.memoryKiB).toBe(meminfo('MemTotal') / 1024);
    const s = await read();
    expect(s.node.memTotalBytes).toBe(m.totalBytes);
    expect(s.node.memUsedBytes + s.node.memAvailableBytes).toBe(s.node.memTotalBytes);
  });

  it("counts the node's own disk writes and network traffic", async () => {
    // The node's hardware disks and NICs, as the driver's one exec lists them.
    const io = parseNodeIo(labExec('node1', [...NODE_IO_ARGV]));
    expect(io.disks.length).toBeGreaterThan(0);
    expect(io.nics.length).toBeGreaterThan(0);
    expect(io.nics).not.toContain('lo');

    const before = await read();
    // 16 MiB that must reach the disk before dd ends (direct I/O, then fsync).
    const bytes = 16 * 2 ** 20;
    labExec('node1', [
      'sh',
      '-c',
      'f=$(mktemp /var/tmp/clusterdeck-perf.XXXXXX) && dd if=/dev/zero of="$f" bs=1M count=16 oflag=direct conv=fsync status=none; rc=$?; rm -f "$f"; exit $rc',
    ]);
    const s = await read();
    const seconds = (s.at - before.at) / 1000;
    // Other work on the machine may add to it, never take away.
    expect(s.node.diskWriteBps * seconds).toBeGreaterThanOrEqual(bytes * 0.99);
    for (const k of ['diskReadBps', 'netRxBps', 'netTxBps'] as const) {
      expect(Number.isFinite(s.node[k])).toBe(true);
      expect(s.node[k]).toBeGreaterThanOrEqual(0);
    }
  });
});
