// The Ganeti stack through the backend, against the real Ganeti lab
// (scripts/lab-ganeti, docs/lab.md "Ganeti"): Add Host on a node detects
// the cluster and shows its nodes and instances; another admin's gnt-*
// command appears within seconds; lifecycle actions and Delete run as jobs
// followed as tasks, each checked with `gnt-instance list` on the master;
// a failing job's own error; Cancel of a queued job; a master failover.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Backend } from '../../core/backend';
import type { GanetiDriver } from '../../core/drivers/ganeti/driver';
import { ganetiStack } from '../../core/drivers/ganeti/stack';
import { POLL_MS } from '../../core/drivers/ganeti/poll';
import { DriverRegistry } from '../../core/drivers/registry';
import type { Vm } from '../../shared/model';
import {
  addGanetiInstance as addInstance,
  ensureGanetiCluster,
  ganetiExec,
  ganetiMaster,
  ganetiRun,
  readGanetiLab,
  addGanetiLabNode,
  removeGanetiInstance as removeIfAny,
  instanceStatusOnMaster as statusOnMaster,
} from '../ganeti-lab';
import { taskFinished, testBackendOptions, waitFor } from '../lab';

const canRun = existsSync('/usr/sbin/gnt-cluster') && process.getuid?.() === 0;
if (!canRun) console.log('[ganeti] skipped: needs root and the ganeti package');

const A = 'cd-gnt-a.gnt.test';
const B = 'cd-gnt-b.gnt.test';
const BIG = 'cd-gnt-big.gnt.test';
let backend: Backend;
let home: string;
let hostId: string;
/** The drivers the backend made, by host, kept to read the poll's counters (the idle cost). */
const madeDrivers = new Map<string, GanetiDriver>();

const vmNamed = (name: string): Vm | undefined =>
  backend.store.all('vms').find((v) => v.name === name);

async function action(name: string, act: 'start' | 'shutdown' | 'reboot') {
  const vm = await waitFor(() => vmNamed(name), `${name} in the store`);
  const { taskId } = (await backend.call('vmAction', { vmId: vm.id, action: act })) as {
    taskId: string;
  };
  return taskFinished(backend, taskId, 120_000);
}

beforeAll(async () => {
  if (!canRun) return;
  ensureGanetiCluster();
  if (ganetiMaster() !== 'node1')
    ganetiExec('node1', ['gnt-cluster', 'master-failover', '--yes-do-it']);
  for (const n of [A, B, BIG]) removeIfAny(n);
  home = mkdtempSync(join(tmpdir(), 'clusterdeck-gnt-'));
  const drivers = new DriverRegistry([
    {
      stack: 'ganeti',
      createDriver: (ctx) => {
        const d = ganetiStack.createDriver(ctx) as GanetiDriver;
        madeDrivers.set(ctx.hostId, d);
        return d;
      },
    },
  ]);
  backend = await Backend.start({ ...testBackendOptions(home), drivers });
}, 300_000);

afterAll(() => {
  if (!canRun) return;
  backend?.close();
  rmSync(home, { recursive: true, force: true });
  ganetiRun(ganetiMaster(), ['gnt-cluster', 'modify', '--max-running-jobs=20']);
  if (ganetiMaster() !== 'node1')
    ganetiRun('node1', ['gnt-cluster', 'master-failover', '--yes-do-it']);
  for (const n of [A, B, BIG]) removeIfAny(n);
}, 300_000);

describe.skipIf(!canRun)('a Ganeti cluster through the backend', () => {
  it('detects Ganeti on Add Host and shows the cluster: nodes with roles, instances', async () => {
    addInstance(A);
    const lab = readGanetiLab();
    // node2: not the master, so every gnt-* command goes on to the master.
    hostId = await addGanetiLabNode(backend, 'node2');
    const host = backend.store.get('hosts', hostId)!;
    expect(host.stack).toBe('ganeti');
    expect(host.capabilities).toEqual([
      'inventory',
      'vm-lifecycle',
      'vm-delete',
      'vm-delete-running',
      'instance-create',
      'instance-edit',
      'cluster-moves',
      'node-roles',
      'cluster-health',
      'console',
    ]);
    expect(host.info?.software[0]).toMatchObject({ name: 'Ganeti' });
    const cluster = backend.store.get('clusters', `ganeti:${lab.clusterName}`)!;
    expect(cluster.hostIds).toEqual([hostId]);
    expect(cluster.managed?.master).toBe('node1.gnt.test');
    expect(cluster.managed?.nodes.map((x) => [x.name, x.role])).toEqual([
      ['node1.gnt.test', 'master'],
      ['node2.gnt.test', 'candidate'],
      ['node3.gnt.test', 'candidate'],
    ]);
    const a = vmNamed(A)!;
    expect(a.id).toBe(`ganeti:${lab.clusterName}:vm:${A}`);
    expect(a).toMatchObject({ state: 'shutoff', vcpus: 1, memoryKiB: 128 * 1024 });
    expect(a.placement).toEqual({
      primary: 'node2.gnt.test',
      secondaries: [],
      diskTemplate: 'diskless',
      os: 'noop',
    });
  }, 120_000);

  it('keeps one copy of each instance with two nodes of the cluster added, and the cluster goes with them', async () => {
    const lab = readGanetiLab();
    const second = await addGanetiLabNode(backend, 'node1');
    const id = `ganeti:${lab.clusterName}`;
    expect(backend.store.get('clusters', id)?.hostIds).toEqual([hostId, second]);
    // The first added reads the instances; the second keeps none of its own.
    const copies = backend.store.all('vms').filter((v) => v.name === A);
    expect(copies.map((v) => v.hostId)).toEqual([hostId]);
    await backend.call('removeHost', { hostId: second });
    expect(backend.store.get('clusters', id)?.hostIds).toEqual([hostId]);
    expect(vmNamed(A)?.hostId).toBe(hostId);
  }, 120_000);

  it("shows another admin's gnt-instance add within seconds", async () => {
    const t = Date.now();
    addInstance(B);
    const added = Date.now();
    await waitFor(() => vmNamed(B), `${B} pushed`, 10_000);
    console.log(`[ganeti] add took ${added - t} ms, seen ${Date.now() - added} ms after`);
  }, 60_000);

  it('costs the node little while idle: one shell read per poll, lists only on change', async () => {
    // Let the reads the add above caused settle, then count for 30 s.
    await new Promise((r) => setTimeout(r, 2 * POLL_MS));
    const driver = madeDrivers.get(hostId)!;
    const before = { ...driver.pollCounts! };
    const t = Date.now();
    await new Promise((r) => setTimeout(r, 30_000));
    const after = driver.pollCounts!;
    const perMin = (n: number) => Math.round((n * 60_000) / (Date.now() - t));
    const stamps = perMin(after.stampReads - before.stampReads);
    const lists = perMin(after.listReads - before.listReads);
    console.log(`[ganeti] idle: ${stamps} stamp reads/min (open shell), ${lists} gnt-* lists/min`);
    expect(stamps).toBeGreaterThanOrEqual(16);
    expect(stamps).toBeLessThanOrEqual(22);
    // Nothing changed: at most the minute's full read (2 lists) in these 30 s.
    expect(after.listReads - before.listReads).toBeLessThanOrEqual(2);
  }, 60_000);

  it('starts, shuts down and reboots an instance as jobs, checked on the master', async () => {
    const start = await action(A, 'start');
    expect(start.state).toBe('succeeded');
    expect(start.log.map((r) => r.command).join('\n')).toMatch(
      /gnt-instance startup --submit -- cd-gnt-a[\s\S]*gnt-job watch -- \d+/,
    );
    expect(statusOnMaster(A)).toBe('running');
    await waitFor(() => vmNamed(A)?.state === 'running', 'running in the store');
    expect((await action(A, 'reboot')).state).toBe('succeeded');
    expect(statusOnMaster(A)).toBe('running');
    expect((await action(A, 'shutdown')).state).toBe('succeeded');
    expect(statusOnMaster(A)).toBe('ADMIN_down');
    await waitFor(() => vmNamed(A)?.state === 'shutoff', 'shut off in the store');
  }, 240_000);

  it("shows a failing job's own error", async () => {
    addInstance(BIG, ['--ignore-ipolicy', '-B', 'memory=100000']);
    const t = await action(BIG, 'start');
    expect(t.state).toBe('failed');
    expect(t.error).toMatch(
      /Not enough memory on node node2\.gnt\.test for starting instance cd-gnt-big/,
    );
    expect(statusOnMaster(BIG)).toBe('ADMIN_down');
  }, 120_000);

  it('cancels a job while it is queued', async () => {
    const master = ganetiMaster();
    // One job at a time, and one running for 20 s: the next one waits in the queue.
    ganetiExec(master, ['gnt-cluster', 'modify', '--max-running-jobs=1']);
    try {
      ganetiExec(master, ['gnt-debug', 'delay', '--submit', '20']);
      const vm = vmNamed(A)!;
      const { taskId } = (await backend.call('vmAction', { vmId: vm.id, action: 'start' })) as {
        taskId: string;
      };
      await waitFor(
        () => /Job \d+ submitted/.test(backend.store.get('tasks', taskId)?.detail ?? ''),
        'job submitted',
        30_000,
      );
      await backend.call('cancelTask', { taskId });
      const t = await taskFinished(backend, taskId, 60_000);
      expect(t.state).toBe('cancelled');
      expect(t.log.map((r) => r.command).join('\n')).toMatch(/gnt-job cancel -- \d+/);
      const id = /gnt-job cancel -- (\d+)/.exec(t.log.map((r) => r.command).join('\n'))![1]!;
      expect(
        ganetiExec(master, ['gnt-job', 'list', '--no-headers', '-o', 'status', id]).trim(),
      ).toBe('canceled');
      expect(statusOnMaster(A)).toBe('ADMIN_down');
    } finally {
      ganetiExec(master, ['gnt-cluster', 'modify', '--max-running-jobs=20']);
    }
  }, 120_000);

  it('removes an instance (Delete) as one job', async () => {
    const vm = vmNamed(B)!;
    const { taskId } = (await backend.call('deleteVm', { vmId: vm.id, disks: [] })) as {
      taskId: string;
    };
    const t = await taskFinished(backend, taskId, 120_000);
    expect(t.state).toBe('succeeded');
    expect(t.log.map((r) => r.command).join('\n')).toMatch(/gnt-instance remove --submit --force/);
    expect(statusOnMaster(B)).toBe('');
    await waitFor(() => !vmNamed(B), `${B} gone from the store`);
  }, 120_000);

  it('follows a master failover', async () => {
    ganetiExec('node2', ['gnt-cluster', 'master-failover']);
    const id = `ganeti:${readGanetiLab().clusterName}`;
    await waitFor(
      () => backend.store.get('clusters', id)?.managed?.master === 'node2.gnt.test',
      'the new master seen',
      20_000,
    );
    const roles = backend.store.get('clusters', id)!.managed!.nodes;
    expect(roles.find((n) => n.name === 'node2.gnt.test')?.role).toBe('master');
    // Actions now reach node2 itself as the master.
    expect((await action(A, 'start')).state).toBe('succeeded');
    expect(statusOnMaster(A)).toBe('running');
    // The last host of the cluster removed: the cluster and its instances leave the tree.
    await backend.call('removeHost', { hostId });
    expect(backend.store.get('clusters', id)).toBeUndefined();
    expect(vmNamed(A)).toBeUndefined();
  }, 180_000);
});
