// What each New VM file needs, so each one runs alone: a backend on its own
// data folder with node1 added and its lab-images pool listed, and a way to
// drop a test's VM from node1 whatever state it was left in.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { Backend } from '../../core/backend';
import type { StoragePool } from '../../shared/model';
import { addLabNode, testBackendOptions, virshOn, waitFor } from '../lab';

/** One file's node1; the fields are set by the `beforeAll` that {@link useNode1} registers. */
export interface Node1 {
  backend: Backend;
  /** node1's host id. */
  hostId: string;
  /** node1's lab-images pool as the backend lists it now. */
  pool(): StoragePool;
}

/** Before the file's tests: the backend with node1 connected; after them, closed and its folder gone. */
export function useNode1(): Node1 {
  let home: string | undefined;
  const node = {} as Node1;
  node.pool = () =>
    node.backend.store
      .all('pools')
      .find((p) => p.hostId === node.hostId && p.name === 'lab-images')!;
  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'clusterdeck-vm-'));
    node.backend = await Backend.start(testBackendOptions(home));
    node.hostId = await addLabNode(node.backend, 'node1');
    await waitFor(() => node.pool(), 'lab-images listed');
  });
  afterAll(() => {
    node.backend?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });
  return node;
}

/** Destroys and undefines the VM on node1 and deletes its first disk, if there. */
export function removeVm(name: string): void {
  for (const args of [
    ['destroy', name],
    ['undefine', '--nvram', name],
  ]) {
    try {
      virshOn('node1', args);
    } catch {
      /* not running, or not there */
    }
  }
  try {
    virshOn('node1', ['vol-delete', '--pool', 'lab-images', `${name}-disk0.qcow2`]);
  } catch {
    /* no disk */
  }
  virshOn('node1', ['pool-refresh', 'lab-images']);
}
