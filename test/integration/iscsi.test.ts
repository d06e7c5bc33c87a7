// A real iSCSI target (Debian's userspace tgt) served on this machine, used
// by the lab node through an iscsi-direct pool made with New Storage Pool's
// backend: the LUN appears as a volume with its real size.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Backend } from '../../core/backend';
import type { FoundSource } from '../../shared/storage';
import { addLabNode, taskFinished, testBackendOptions, virshOn, waitFor } from '../lab';

const TARGET = 'iqn.2026-11.dev.clusterdeck:lab-lun';
const INITIATOR = 'iqn.2026-11.dev.clusterdeck:node1';
const PORT = 3260;
const haveTgt = spawnSync('sh', ['-c', 'command -v tgtd && command -v tgtadm']).status === 0;

let home: string;
let backend: Backend;
let node1: string;
let tgtd: ChildProcess | undefined;

const tgtadm = (...args: string[]) => execFileSync('tgtadm', ['--lld', 'iscsi', ...args]);

function cleanPool(): void {
  for (const cmd of ['pool-destroy', 'pool-undefine'])
    try {
      virshOn('node1', [cmd, 'cd-iscsi']);
    } catch {
      /* not there */
    }
}

describe.runIf(haveTgt)('iSCSI through an iscsi-direct pool', () => {
  beforeAll(async () => {
    cleanPool();
    home = mkdtempSync(join(tmpdir(), 'clusterdeck-iscsi-'));
    const lun = join(home, 'lun.img');
    writeFileSync(lun, '');
    truncateSync(lun, 64 * 2 ** 20);
    // tgtd ignores SIGTERM (docs/lab.md): it stops through tgtadm in afterAll.
    tgtd = spawn('tgtd', ['-f', '--iscsi', `portal=127.0.0.1:${PORT}`], { stdio: 'ignore' });
    await waitFor(() => {
      try {
        tgtadm('--mode', 'target', '--op', 'show');
        return true;
      } catch {
        return false;
      }
    }, 'tgtd to answer');
    tgtadm('--mode', 'target', '--op', 'new', '--tid', '1', '--targetname', TARGET);
    tgtadm(
      '--mode',
      'logicalunit',
      '--op',
      'new',
      '--tid',
      '1',
      '--lun',
      '1',
      '--backing-store',
      lun,
    );
    tgtadm('--mode', 'target', '--op', 'bind', '--tid', '1', '--initiator-address', 'ALL');
    backend = await Backend.start(testBackendOptions(home));
    node1 = await addLabNode(backend, 'node1');
  });

  afterAll(() => {
    cleanPool();
    backend?.close();
    try {
      execFileSync('tgtadm', ['--op', 'delete', '--mode', 'system']);
    } catch {
      tgtd?.kill('SIGKILL');
    }
    rmSync(home, { recursive: true, force: true });
  });

  it('finds the target with Scan', async () => {
    const r = (await backend.call('scanPoolSources', {
      hostId: node1,
      request: { type: 'iscsi-direct', host: '127.0.0.1', port: PORT, initiator: INITIATOR },
    })) as { command: string; sources: FoundSource[] };
    expect(r.sources).toContainEqual(expect.objectContaining({ target: TARGET }));
  });

  it('defines and starts the pool, and lists the LUN as a volume', async () => {
    const { taskId } = (await backend.call('createStoragePool', {
      spec: {
        type: 'iscsi-direct',
        name: 'cd-iscsi',
        host: '127.0.0.1',
        port: PORT,
        target: TARGET,
        initiator: INITIATOR,
      },
      hostIds: [node1],
    })) as { taskId: string };
    const task = await taskFinished(backend, taskId, 60_000);
    expect(task.error).toBeUndefined();
    const pool = await waitFor(
      () =>
        backend.store
          .all('pools')
          .find((p) => p.hostId === node1 && p.name === 'cd-iscsi' && p.volumes.length > 0),
      'the LUN listed in cd-iscsi',
      20_000,
    );
    expect(pool.type).toBe('iscsi-direct');
    expect(pool.state).toBe('running');
    // LUN 0 is tgt's controller; LUN 1 is the disk it serves. libvirt's
    // iscsi-direct backend reports its last LBA, one 512-byte block short.
    const lun = pool.volumes.find((v) => v.name === 'unit:0:0:1')!;
    expect(lun.capacity).toBeGreaterThanOrEqual(64 * 2 ** 20 - 512);
    expect(lun.capacity).toBeLessThanOrEqual(64 * 2 ** 20);
  });
});

if (!haveTgt) {
  console.log('[iscsi] SKIPPED: tgt is not installed here (.ci/run installs it).');
}
