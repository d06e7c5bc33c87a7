// What each migration file needs, so each one runs alone: a backend over the
// lab's three nodes made one cluster (optionally with QEMU's TLS certificates
// on some of them), and the guests the tests define, start and drop again
// straight on the nodes with virsh.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { Backend } from '../../core/backend';
import type { MigrationSpecInput } from '../../shared/migration';
import type { Vm } from '../../shared/model';
import { giveTlsCertificates } from '../../scripts/lab-tls';
import {
  addLabNode,
  forgetNodeTrust,
  labExec,
  readLab,
  taskFinished,
  testBackendOptions,
  virshOn,
  waitFor,
} from '../lab';

export const haveThree = readLab().nodes.length >= 3;
export const IMAGES = '/var/lib/libvirt/images';

/** One file's cluster; the fields are set by the `beforeAll` that {@link useMigrationCluster} registers. */
export interface MigrationCluster {
  backend: Backend;
  /** Host ids by lab node name. */
  ids: Record<string, string>;
  /** The backend's data folder, also a place for the test's own files. */
  home: string;
  /** The VM `name` on `node`, once the backend lists it there. */
  vmOn(node: string, name: string): Promise<Vm>;
  /** Starts Migrate VM; its task id. */
  migrate(spec: MigrationSpecInput): Promise<string>;
  /** Defines a guest on node1 with one disk in lab-images, starts it and waits until the backend sees it run. */
  startGuestWithDisk(name: string, file: string, format: 'qcow2' | 'raw'): Promise<Vm>;
}

/**
 * Before the file's tests: a backend with node1..node3 connected and made the
 * cluster `name` (their SSH trust and libvirt connections set up by New
 * Cluster); `tlsNodes` get QEMU's certificates first. After them: the trust,
 * the certificates and the data folder are taken away again.
 */
export function useMigrationCluster(name: string, tlsNodes: string[] = []): MigrationCluster {
  let takeTlsAway: (() => void) | undefined;
  const c = {} as MigrationCluster;
  c.vmOn = (node, vmName) =>
    waitFor(
      () => c.backend.store.all('vms').find((v) => v.hostId === c.ids[node] && v.name === vmName),
      `${vmName} listed on ${node}`,
      20_000,
    );
  c.migrate = async (spec) => {
    const { taskId } = (await c.backend.call('migrateVms', spec)) as { taskId: string };
    return taskId;
  };
  c.startGuestWithDisk = async (vmName, file, format) => {
    defineGuest(
      'node1',
      vmName,
      `<disk type='file' device='disk'><driver name='qemu' type='${format}'/><source file='${IMAGES}/${file}'/><target dev='vda' bus='virtio'/></disk>`,
    );
    virshOn('node1', ['start', vmName]);
    const vm = await c.vmOn('node1', vmName);
    await waitFor(() => c.backend.store.get('vms', vm.id)?.state === 'running', 'running');
    return vm;
  };

  beforeAll(async () => {
    forgetNodeTrust();
    // Before the backend connects: libvirtd restarts to read its new qemu.conf.
    if (tlsNodes.length)
      takeTlsAway = giveTlsCertificates({ nodes: readLab().nodes, exec: labExec }, tlsNodes);
    c.home = mkdtempSync(join(tmpdir(), 'clusterdeck-migration-'));
    c.backend = await Backend.start(testBackendOptions(c.home));
    c.ids = {};
    for (const n of ['node1', 'node2', 'node3']) c.ids[n] = await addLabNode(c.backend, n);
    await waitFor(
      () =>
        Object.values(c.ids).every((id) => c.backend.store.get('hosts', id)?.state === 'connected'),
      'three nodes connected',
    );
    const { taskId } = (await c.backend.call('createCluster', {
      name,
      hostIds: Object.values(c.ids),
    })) as { taskId: string };
    expect((await taskFinished(c.backend, taskId, 90_000)).error).toBeUndefined();
  }, 120_000);

  afterAll(() => {
    c.backend?.close();
    takeTlsAway?.();
    forgetNodeTrust();
    if (c.home) rmSync(c.home, { recursive: true, force: true });
  });
  return c;
}

/** The guest's state as virsh on the node words it, or 'absent'. */
export function state(node: string, name: string): string {
  try {
    return virshOn(node, ['domstate', name]).trim();
  } catch {
    return 'absent';
  }
}

export function quietly(fn: () => unknown): void {
  try {
    fn();
  } catch {
    /* not there */
  }
}

/** Removes the guest (and its volume in lab-images) from every node, wherever a test left it. */
export function dropGuest(name: string, volume?: string): void {
  for (const n of ['node1', 'node2', 'node3']) {
    quietly(() => virshOn(n, ['destroy', name]));
    quietly(() => virshOn(n, ['undefine', name]));
    if (volume) quietly(() => labExec(n, ['rm', '-f', join(IMAGES, volume)]));
    quietly(() => virshOn(n, ['pool-refresh', 'lab-images']));
  }
}

/** Defines a small guest on the node with these devices (and a VNC display). */
export function defineGuest(
  node: string,
  name: string,
  devices: string,
  memory = "<memory unit='MiB'>64</memory>",
) {
  const file = join(readLab().nodes.find((n) => n.name === node)!.dir, `${name}.xml`);
  writeFileSync(
    file,
    `<domain type='qemu'><name>${name}</name>${memory}<vcpu>1</vcpu>` +
      `<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>${devices}` +
      `<graphics type='vnc' port='-1' listen='127.0.0.1'/></devices></domain>`,
  );
  virshOn(node, ['define', file]);
}
