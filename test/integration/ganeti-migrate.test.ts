// Migrate VM, maintenance mode and Health on Ganeti through the backend,
// against the real Ganeti lab (scripts/lab-ganeti): the ways each instance
// can move with the reasons for the others; live and non-live migration and
// failover of a sharedfile instance (fake hypervisor), a move of a file
// instance; Ganeti's own refusal shown by the preflight; maintenance on and
// off; verify's findings with their nodes, one made on purpose and gone
// again. Each effect is checked with gnt-instance / gnt-node list on the master.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Backend } from '../../core/backend';
import { ganetiStack } from '../../core/drivers/ganeti/stack';
import { DriverRegistry } from '../../core/drivers/registry';
import type { ClusterMoveOption, ClusterMoveSpec } from '../../shared/cluster-moves';
import type { Vm } from '../../shared/model';
import {
  addGanetiLabNode,
  ensureGanetiCluster,
  ganetiExec,
  ganetiMaster,
  ganetiRun,
  readGanetiLab,
  removeGanetiInstance,
} from '../ganeti-lab';
import { taskFinished, testBackendOptions, waitFor } from '../lab';

const canRun = existsSync('/usr/sbin/gnt-cluster') && process.getuid?.() === 0;
if (!canRun) console.log('[ganeti-migrate] skipped: needs root and the ganeti package');

const SF = 'cd-mig-sf.gnt.test';
const FILE = 'cd-mig-file.gnt.test';
const N = (i: number) => `node${i}.gnt.test`;
let backend: Backend;
let home: string;
let node2Host: string;

/** `gnt-instance list -o name,pnode,snodes,status` on the master: [pnode, status]. */
function placement(name: string): [string, string] {
  const out = ganetiExec(ganetiMaster(), [
    'gnt-instance',
    'list',
    '--no-headers',
    '--separator=|',
    '-o',
    'name,pnode,snodes,status',
  ]);
  const row = out.split('\n').find((l) => l.startsWith(`${name}|`));
  if (!row) return ['', ''];
  const [, pnode, , status] = row.split('|');
  return [pnode!, status!];
}

/** `gnt-node list -o drained` on the master: whether the node is drained. */
const drained = (node: string) =>
  ganetiExec(ganetiMaster(), ['gnt-node', 'list', '--no-headers', '-o', 'drained', node]).trim() ===
  'Y';

function addInstance(name: string, template: 'sharedfile' | 'file'): void {
  ganetiExec(ganetiMaster(), [
    'gnt-instance',
    'add',
    '-t',
    template,
    '--disk',
    '0:size=1G',
    '-o',
    'noop',
    '-B',
    'memory=128M',
    '--no-name-check',
    '--no-ip-check',
    '-n',
    N(2),
    name,
  ]);
}

const vmNamed = (name: string) =>
  waitFor(() => backend.store.all('vms').find((v) => v.name === name), `${name} in the store`);

async function options(vm: Vm): Promise<ClusterMoveOption[]> {
  const r = (await backend.call('clusterMoveOptions', { vmId: vm.id })) as {
    options: ClusterMoveOption[];
  };
  return r.options;
}

async function move(name: string, how: ClusterMoveSpec['how'], targetNode?: string) {
  const vm = await vmNamed(name);
  const { taskId } = (await backend.call('moveClusterVm', { vmId: vm.id, how, targetNode })) as {
    taskId: string;
  };
  return taskFinished(backend, taskId, 180_000);
}

function restoreLab(): void {
  const master = ganetiMaster();
  for (const n of [2, 3])
    if (drained(N(n)))
      ganetiRun(master, ['gnt-node', 'modify', '--drained=no', '--auto-promote', N(n)]);
  ganetiRun('node3', ['/usr/lib/ganeti/daemon-util', 'start', 'ganeti-noded']);
  for (const n of [SF, FILE]) removeGanetiInstance(n);
}

beforeAll(async () => {
  if (!canRun) return;
  ensureGanetiCluster();
  if (ganetiMaster() !== 'node1')
    ganetiExec('node1', ['gnt-cluster', 'master-failover', '--yes-do-it']);
  restoreLab();
  addInstance(SF, 'sharedfile');
  addInstance(FILE, 'file');
  home = mkdtempSync(join(tmpdir(), 'clusterdeck-gnt-mig-'));
  const drivers = new DriverRegistry([ganetiStack]);
  backend = await Backend.start({ ...testBackendOptions(home), drivers });
  await addGanetiLabNode(backend, 'node1');
  node2Host = await addGanetiLabNode(backend, 'node2');
}, 300_000);

afterAll(() => {
  if (!canRun) return;
  backend?.close();
  if (home) rmSync(home, { recursive: true, force: true });
  restoreLab();
}, 300_000);

describe.skipIf(!canRun)('Migrate VM, maintenance and Health on Ganeti', () => {
  it('offers each way to move with the reason for the others', async () => {
    const host = backend.store.get('hosts', node2Host)!;
    expect(host.capabilities).toEqual(expect.arrayContaining(['cluster-moves', 'cluster-health']));
    const sf = await options(await vmNamed(SF));
    const by = (o: ClusterMoveOption[], how: string) => o.find((x) => x.how === how)!;
    expect(by(sf, 'live').refused).toBeUndefined();
    expect(by(sf, 'live').targets.map((t) => t.node)).toEqual([N(1), N(3)]);
    expect(by(sf, 'failover').refused).toBeUndefined();
    expect(by(sf, 'move').refused).toMatch(/sharedfile cannot be copied/);
    const file = await options(await vmNamed(FILE));
    expect(by(file, 'live').refused).toMatch(
      /file does not allow migrations: its disks are on node2/,
    );
    expect(by(file, 'failover').refused).toMatch(/does not allow failovers/);
    expect(by(file, 'move').refused).toBeUndefined();
  }, 180_000);

  it("shows Ganeti's own refusal in the preflight", async () => {
    const sf = await vmNamed(SF);
    const plan = (await backend.call('planClusterMove', {
      vmId: sf.id,
      how: 'move',
      targetNode: N(3),
    })) as { problems: string[]; steps: { command: string }[] };
    expect(plan.problems.join(' ')).toMatch(
      /Ganeti refuses: Instance disk 0 has disk type sharedfile and is not suitable for copying/,
    );
    // A drained target: the mirrored check and Ganeti's dry run both say so.
    ganetiExec(ganetiMaster(), ['gnt-node', 'modify', '--drained=yes', N(3)]);
    try {
      const p = (await backend.call('planClusterMove', {
        vmId: sf.id,
        how: 'live',
        targetNode: N(3),
      })) as { problems: string[] };
      expect(p.problems).toEqual([
        'node3.gnt.test is drained',
        "Ganeti refuses: Can't use drained node node3.gnt.test",
      ]);
      await expect(
        backend.call('moveClusterVm', { vmId: sf.id, how: 'live', targetNode: N(3) }),
      ).rejects.toThrow(/drained/);
    } finally {
      ganetiExec(ganetiMaster(), ['gnt-node', 'modify', '--drained=no', '--auto-promote', N(3)]);
    }
    const ok = (await backend.call('planClusterMove', {
      vmId: sf.id,
      how: 'live',
      targetNode: N(3),
    })) as { problems: string[]; steps: { command: string }[] };
    expect(ok.problems).toEqual([]);
    expect(ok.steps[0]!.command).toBe(
      `gnt-instance migrate --submit -f --migration-mode=live --target-node=node3.gnt.test -- ${SF}`,
    );
    expect(placement(SF)).toEqual([N(2), 'running']);
  }, 300_000);

  it('migrates live, non-live, and fails over a sharedfile instance', async () => {
    const live = await move(SF, 'live', N(3));
    expect(live.state, live.error).toBe('succeeded');
    expect(live.log.map((r) => r.command).join('\n')).toMatch(/gnt-job watch -- \d+/);
    expect(placement(SF)).toEqual([N(3), 'running']);
    // The tree follows: the instance is under its new primary.
    await waitFor(
      async () => (await vmNamed(SF)).placement?.primary === N(3),
      'the store shows node3',
    );

    const nonLive = await move(SF, 'non-live', N(1));
    expect(nonLive.state, nonLive.error).toBe('succeeded');
    expect(placement(SF)).toEqual([N(1), 'running']);

    const failover = await move(SF, 'failover', N(2));
    expect(failover.state, failover.error).toBe('succeeded');
    expect(placement(SF)).toEqual([N(2), 'running']);
  }, 300_000);

  it('moves a file instance to another node', async () => {
    const t = await move(FILE, 'move', N(3));
    expect(t.state, t.error).toBe('succeeded');
    expect(placement(FILE)).toEqual([N(3), 'running']);
  }, 300_000);

  it('enters maintenance on a node (drain + gnt-node migrate) and leaves it', async () => {
    expect(placement(SF)[0]).toBe(N(2));
    const plan = (await backend.call('planMaintenance', { hostId: node2Host })) as {
      problems: string[];
      steps: { command: string }[];
    };
    expect(plan.problems).toEqual([]);
    expect(plan.steps.map((s) => s.command)).toEqual([
      'gnt-node modify --submit --drained=yes -- node2.gnt.test',
      'gnt-node migrate --submit -f -- node2.gnt.test',
    ]);
    const { taskId } = (await backend.call('enterMaintenance', {
      hostId: node2Host,
      bringBack: false,
    })) as { taskId: string };
    const t = await taskFinished(backend, taskId, 180_000);
    expect(t.state, t.error).toBe('succeeded');
    expect(drained(N(2))).toBe(true);
    const [pnode, status] = placement(SF);
    expect(pnode).not.toBe(N(2));
    expect(status).toBe('running');
    await waitFor(
      () =>
        backend.store
          .get('clusters', `ganeti:${readGanetiLab().clusterName}`)
          ?.managed?.nodes.find((n) => n.name === N(2))?.role === 'drained',
      'node2 drained in the store',
    );
    // The master cannot be drained: Ganeti's refusal is the plan's problem.
    const host1 = backend.store.all('hosts').find((h) => h.name === 'gnt-node1')!;
    const m = (await backend.call('planMaintenance', { hostId: host1.id })) as {
      problems: string[];
    };
    expect(m.problems.join(' ')).toMatch(/The master role can be changed only via master-failover/);

    const exit = (await backend.call('exitMaintenance', { hostId: node2Host })) as {
      taskId: string;
    };
    const e = await taskFinished(backend, exit.taskId, 120_000);
    expect(e.state, e.error).toBe('succeeded');
    expect(drained(N(2))).toBe(false);
  }, 300_000);

  it("lists verify's findings with their nodes; a stopped node daemon appears and goes", async () => {
    const clusterId = `ganeti:${readGanetiLab().clusterName}`;
    const verify = async () => {
      const { taskId } = (await backend.call('verifyCluster', { clusterId })) as {
        taskId: string;
      };
      const t = await taskFinished(backend, taskId, 180_000);
      expect(t.state, t.error).toBe('succeeded');
      return backend.store.get('clusters', clusterId)!.health!.findings;
    };
    const first = await verify();
    // No /proc/sysrq-trigger in the lab: a genuine node setup error on each node.
    expect(
      first
        .filter((f) => f.code === 'ENODESETUP')
        .map((f) => f.item)
        .sort(),
    ).toEqual([N(1), N(2), N(3)]);
    expect(first.some((f) => f.code === 'ENODERPC')).toBe(false);

    ganetiExec('node3', ['/usr/lib/ganeti/daemon-util', 'stop', 'ganeti-noded']);
    try {
      const down = await verify();
      expect(down.find((f) => f.code === 'ENODERPC')).toMatchObject({
        level: 'error',
        kind: 'node',
        item: N(3),
      });
    } finally {
      ganetiExec('node3', ['/usr/lib/ganeti/daemon-util', 'start', 'ganeti-noded']);
    }
    const again = await verify();
    expect(again.some((f) => f.code === 'ENODERPC')).toBe(false);
  }, 300_000);
});
