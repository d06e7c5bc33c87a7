// A real GlusterFS volume (Debian's glusterfs-server, one brick on this
// machine's own address: Gluster refuses loopback bricks) used by the lab
// node both ways New Storage Pool offers: a netfs pool that mounts it through
// FUSE and makes volumes, and a native gluster pool.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Backend } from '../../core/backend';
import type { FoundSource } from '../../shared/storage';
import { LAB_DIR, addLabNode, taskFinished, testBackendOptions, virshOn, waitFor } from '../lab';

const VOLUME = 'cdvol';
const haveGluster =
  spawnSync('sh', ['-c', 'command -v glusterd && command -v gluster']).status === 0;
const address = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

let home: string;
let backend: Backend;
let node1: string;
let glusterd: ChildProcess | undefined;
const gluster = (...args: string[]) =>
  execFileSync('gluster', ['--mode=script', ...args]).toString();

function dropPools(): void {
  for (const p of ['cd-glfs', 'cd-gluster'])
    for (const cmd of ['pool-destroy', 'pool-undefine'])
      try {
        virshOn('node1', [cmd, p]);
      } catch {
        /* not there */
      }
}

function dropVolume(): void {
  for (const args of [
    ['volume', 'stop', VOLUME, 'force'],
    ['volume', 'delete', VOLUME],
  ])
    try {
      gluster(...args);
    } catch {
      /* not there */
    }
}

async function run(method: string, params: unknown) {
  const { taskId } = (await backend.call(method as never, params as never)) as { taskId: string };
  return taskFinished(backend, taskId, 60_000);
}

describe.runIf(haveGluster && address)('GlusterFS', () => {
  beforeAll(async () => {
    dropPools();
    home = mkdtempSync(join(tmpdir(), 'clusterdeck-gluster-'));
    // -N keeps glusterd in the foreground: it is this test's child.
    glusterd = spawn(
      'glusterd',
      ['-N', '-p', join(home, 'glusterd.pid'), `--log-file=${join(home, 'glusterd.log')}`],
      { stdio: 'ignore' },
    );
    await waitFor(
      () => {
        try {
          gluster('volume', 'list');
          return true;
        } catch {
          return false;
        }
      },
      'glusterd to answer',
      20_000,
    );
    dropVolume();
    const brick = join(home, 'brick');
    mkdirSync(brick);
    gluster('volume', 'create', VOLUME, `${address}:${brick}`, 'force');
    gluster('volume', 'start', VOLUME);
    backend = await Backend.start(testBackendOptions(home));
    node1 = await addLabNode(backend, 'node1');
  }, 60_000);

  afterAll(() => {
    dropPools();
    backend?.close();
    dropVolume();
    // Gluster's post-delete hook asks glusterd for its folder: let it finish
    // before glusterd goes, or it waits forever.
    for (let i = 0; i < 100; i++) {
      if (spawnSync('pgrep', ['-f', `glusterfind-delete-post --volname=${VOLUME}`]).status !== 0)
        break;
      spawnSync('sleep', ['0.1']);
    }
    glusterd?.kill();
    rmSync(home, { recursive: true, force: true });
  });

  it('mounts it as a netfs pool through FUSE and creates a volume in it', async () => {
    const mount = join(LAB_DIR, 'gl-mnt');
    const task = await run('createStoragePool', {
      spec: {
        type: 'netfs',
        name: 'cd-glfs',
        format: 'glusterfs',
        host: address,
        sourcePath: VOLUME,
        targetPath: mount,
      },
      hostIds: [node1],
    });
    expect(task.error).toBeUndefined();
    const pool = await waitFor(
      () =>
        backend.store
          .all('pools')
          .find((p) => p.hostId === node1 && p.name === 'cd-glfs' && p.state === 'running'),
      'cd-glfs running',
    );
    const made = await run('volumeAction', {
      poolId: pool.id,
      volume: { op: 'create', name: 'on-gluster.qcow2', bytes: 16 * 2 ** 20, format: 'qcow2' },
    });
    expect(made.error).toBeUndefined();
    // The file is on the brick, so Gluster really holds it.
    expect(execFileSync('ls', [join(home, 'brick')]).toString()).toContain('on-gluster.qcow2');
    await run('volumeAction', {
      poolId: pool.id,
      volume: { op: 'delete', name: 'on-gluster.qcow2' },
    });
  });

  it('finds the volume with Scan, for both pool types', async () => {
    const scan = async (type: 'gluster' | 'netfs') =>
      (await backend.call('scanPoolSources', {
        hostId: node1,
        request: { type, host: address! },
      })) as { command: string; sources: FoundSource[] };
    const native = await scan('gluster');
    expect(native.command).toBe(
      `virsh -c qemu:///system find-storage-pool-sources-as gluster --host ${address}`,
    );
    expect(native.sources).toContainEqual(
      expect.objectContaining({ host: address, volume: VOLUME }),
    );
    const mount = await scan('netfs');
    expect(mount.sources).toContainEqual(
      expect.objectContaining({ host: address, format: 'glusterfs', sourcePath: VOLUME }),
    );
  });

  it('lists the volume through a native gluster pool', async () => {
    const task = await run('createStoragePool', {
      spec: { type: 'gluster', name: 'cd-gluster', host: address, volume: VOLUME },
      hostIds: [node1],
    });
    expect(task.error).toBeUndefined();
    await waitFor(
      () =>
        backend.store
          .all('pools')
          .find((p) => p.hostId === node1 && p.name === 'cd-gluster' && p.state === 'running'),
      'cd-gluster running',
      30_000,
    );
  });
});

if (!haveGluster)
  console.log('[gluster] SKIPPED: glusterfs-server is not installed here (.ci/run installs it).');
