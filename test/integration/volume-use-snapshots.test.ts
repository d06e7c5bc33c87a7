// "Used by" names the VMs whose snapshots alone keep a volume: the inventory
// carries each VM's snapshot disks, read at connect for the VMs that have
// snapshots, again after a snapshot change made here, and on libvirt's
// snapshot events (a revert on the node). int-kept's disk was replaced after
// its first snapshot, so only that snapshot still names the old volume. A
// revert made here reads them once: its own event does, not the task too.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Backend } from '../../core/backend';
import { KeptSnapshots } from '../../core/drivers/libvirt/kept-snapshots';
import { usedBy } from '../../shared/volume-use';
import { addLabNode, labNode, taskFinished, testBackendOptions, virshOn, waitFor } from '../lab';

const IMAGES = '/var/lib/libvirt/images';
// Without KVM the node answers slowly about its TCG guests (see volume-use.test.ts).
const TCG_SLACK_MS = 30_000;
const OLD = 'int-kept-old.qcow2';
const NEW = 'int-kept-new.qcow2';
let home: string;
let backend: Backend;
let node1: string;

const pool = () =>
  backend.store.all('pools').find((p) => p.hostId === node1 && p.name === 'lab-images')!;
const volume = (name: string) => pool().volumes.find((v) => v.name === name);
const vmOf = () =>
  backend.store.all('vms').find((v) => v.hostId === node1 && v.name === 'int-kept');
const usersOf = (name: string) => usedBy(pool(), volume(name)!, backend.store.all('vms'));
const keptNames = () => (vmOf()?.snapshots ?? []).map((s) => s.name).sort();

function quietly(args: string[]): void {
  try {
    virshOn('node1', args);
  } catch {
    /* not there */
  }
}

function cleanUp(): void {
  quietly(['undefine', 'int-kept', '--snapshots-metadata']);
  for (const v of [OLD, NEW]) quietly(['vol-delete', '--pool', 'lab-images', v]);
  quietly(['pool-refresh', 'lab-images']);
}

function define(disk: string): void {
  const xml = join(labNode('node1').dir, 'int-kept.xml');
  writeFileSync(
    xml,
    `<domain type='qemu'><name>int-kept</name><uuid>8b0e4f2a-61c3-4d7e-9f15-2a6c8e3b7d90</uuid><memory unit='MiB'>32</memory>` +
      `<os><type arch='x86_64'>hvm</type></os><devices>` +
      `<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${IMAGES}/${disk}'/><target dev='vda' bus='virtio'/></disk>` +
      `</devices></domain>`,
  );
  virshOn('node1', ['define', xml]);
}

async function snapshot(op: 'create' | 'delete' | 'revert', name: string): Promise<void> {
  const vm = vmOf()!;
  const snapshot = op === 'create' ? { op, name, description: '' } : { op, name };
  const { taskId } = (await backend.call('snapshotAction', { vmId: vm.id, snapshot })) as {
    taskId: string;
  };
  expect((await taskFinished(backend, taskId)).error).toBeUndefined();
}

beforeAll(async () => {
  cleanUp();
  for (const v of [OLD, NEW])
    virshOn('node1', ['vol-create-as', 'lab-images', v, '16M', '--format', 'qcow2']);
  virshOn('node1', ['pool-refresh', 'lab-images']);
  // Taken on the node before Clusterdeck connects: the load must read it.
  define(OLD);
  virshOn('node1', ['snapshot-create-as', '--domain', 'int-kept', '--name', 'first']);
  define(NEW);
  home = mkdtempSync(join(tmpdir(), 'clusterdeck-kept-'));
  backend = await Backend.start(testBackendOptions(home));
  node1 = await addLabNode(backend, 'node1');
  await waitFor(() => volume(NEW) && vmOf(), 'int-kept and its volumes listed', TCG_SLACK_MS);
});

afterAll(() => {
  backend?.close();
  if (home) rmSync(home, { recursive: true, force: true });
  cleanUp();
});

describe('volumes kept by snapshots', () => {
  it('names the VM whose snapshot alone keeps a volume, from the inventory', () => {
    expect(vmOf()!.disks.map((d) => d.source)).toEqual([`${IMAGES}/${NEW}`]);
    expect(usersOf(OLD)).toBe('int-kept (snapshot first)');
    // Held by the definition: named as before, without its snapshots.
    expect(usersOf(NEW)).toBe('int-kept');
    // A VM without snapshots carries none.
    const others = backend.store.all('vms').filter((v) => v.hostId === node1 && v !== vmOf());
    expect(others.filter((v) => v.snapshots)).toEqual([]);
  });

  it('follows snapshots taken and deleted here, and a revert on the node', async () => {
    await snapshot('create', 'second');
    expect(keptNames()).toEqual(['first', 'second']);
    // Taken on the node: libvirt sends no event for it...
    virshOn('node1', ['snapshot-create-as', '--domain', 'int-kept', '--name', 'third']);
    // ...but a revert there sends one ("Defined Snapshot"), which re-reads them.
    virshOn('node1', ['snapshot-revert', '--domain', 'int-kept', '--snapshotname', 'second']);
    await waitFor(
      () => keptNames().includes('third'),
      'the snapshot event re-reads int-kept',
      TCG_SLACK_MS,
    );

    await snapshot('delete', 'first');
    expect(keptNames()).toEqual(['second', 'third']);
    expect(usersOf(OLD)).toBe('');
    // The Delete… dialog, asking the node, agrees.
    expect(await backend.call('volumeSnapshotUsers', { poolId: pool().id, volume: OLD })).toEqual({
      users: [],
    });
    expect(usersOf(NEW)).toBe('int-kept');
  });

  it('reads them once after a revert made here, seeing one taken on the node meanwhile', async () => {
    virshOn('node1', ['snapshot-create-as', '--domain', 'int-kept', '--name', 'fourth']);
    const uuid = vmOf()!.uuid;
    // Counted, not replaced: the real reads still run against the node.
    const reads = vi.spyOn(KeptSnapshots.prototype, 'read');
    try {
      await snapshot('revert', 'second');
      await waitFor(() => keptNames().includes('fourth'), 'the revert re-reads', TCG_SLACK_MS);
      // Late events of the same revert would have started another read by now.
      await new Promise((r) => setTimeout(r, 2000));
      expect(reads.mock.calls.filter(([, u]) => u === uuid)).toHaveLength(1);
    } finally {
      reads.mockRestore();
    }
    expect(keptNames()).toEqual(['fourth', 'second', 'third']);
  });
});
