// New Cluster on Ganeti and the node operations, through the backend, on a
// second Ganeti lab with no cluster (newGanetiLab: its own dir and index, so
// the lab other suites share is never touched): nodes with Ganeti and no
// cluster connect as such; the wizard's defaults come from the nodes; a
// preflight names each node's problem; create runs gnt-cluster init and
// gnt-node add as one task; Add node, drain/undrain, offline/online, remove
// (refused while an instance uses the node), master failover and back, and
// Undo of the finished create — each checked on the nodes with gnt-* commands.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Backend } from '../../core/backend';
import type { Finding } from '../../shared/cluster';
import type { GanetiClusterDefaults, GanetiClusterSpec } from '../../shared/ganeti-cluster';
import type { Task } from '../../shared/model';
import { newGanetiLab } from '../ganeti-lab';
import { taskFinished, testBackendOptions, waitFor } from '../lab';

const canRun = existsSync('/usr/sbin/gnt-cluster') && process.getuid?.() === 0;
if (!canRun) console.log('[ganeti-cluster] skipped: needs root and the ganeti package');

const lab = newGanetiLab();
const CLUSTER = 'cluster.gnt.test';
const CID = `ganeti:${CLUSTER}`;
const INST = 'cd-gcl-inst.gnt.test';
let backend: Backend;
let home: string;
const ids: Record<string, string> = {};
let createTask: string;

/** gnt-node list on the master: name -> [drained, offline, role]. */
function nodesOnMaster(master = 'node1'): Record<string, string[]> {
  const out = lab.exec(master, [
    'gnt-node',
    'list',
    '--no-headers',
    '--separator=|',
    '-o',
    'name,drained,offline,role',
  ]);
  return Object.fromEntries(
    out
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('|'))
      .map(([n, ...rest]) => [n!.replace('.gnt.test', ''), rest]),
  );
}

async function done(p: Promise<unknown>, timeoutMs = 180_000): Promise<Task> {
  const { taskId } = (await p) as { taskId: string };
  const t = await taskFinished(backend, taskId, timeoutMs);
  if (t.state !== 'succeeded') throw new Error(`task ${t.title} ${t.state}: ${t.error}`);
  return t;
}

const nodeOp = (node: string, op: string) =>
  done(backend.call('ganetiNodeOp', { clusterId: CID, node: `${node}.gnt.test`, op }));

let defaults: GanetiClusterDefaults;
const spec = (over: Partial<GanetiClusterSpec> = {}): GanetiClusterSpec => ({
  name: CLUSTER,
  hostIds: [ids['node1']!, ids['node2']!],
  masterNetdev: defaults.masterNetdev,
  masterNetmask: defaults.masterNetmask,
  nicLink: defaults.nicLink,
  hypervisors: ['fake', 'kvm'],
  diskTemplates: ['diskless', 'file', 'sharedfile'],
  fileStorageDir: defaults.fileStorageDir,
  sharedFileStorageDir: defaults.sharedFileStorageDir,
  kvmPath: defaults.kvmPath,
  // As scripts/lab-ganeti init-cluster makes it: guests under TCG.
  kvmAccel: false,
  manageEtcHosts: false,
  ...over,
});

beforeAll(async () => {
  if (!canRun) return;
  lab.fresh();
  home = mkdtempSync(join(tmpdir(), 'clusterdeck-gcl-'));
  backend = await Backend.start(testBackendOptions(home));
  for (const n of ['node1', 'node2', 'node3']) ids[n] = await lab.addNode(backend, n);
}, 300_000);

afterAll(() => {
  if (!canRun) return;
  backend?.close();
  if (home) rmSync(home, { recursive: true, force: true });
  lab.down();
}, 120_000);

describe.skipIf(!canRun)('New Cluster on Ganeti and node operations', () => {
  it('connects a node with Ganeti and no cluster as a Ganeti node ready to form one', () => {
    for (const n of ['node1', 'node2', 'node3']) {
      const h = backend.store.get('hosts', ids[n]!)!;
      expect(h.stack).toBe('ganeti');
      expect(h.capabilities).toEqual(['cluster']);
      expect(h.info?.software[0]?.name).toBe('Ganeti (no cluster yet)');
    }
    expect(backend.store.all('clusters')).toEqual([]);
  });

  it('reads the defaults from the nodes and offers only what this hardware supports', async () => {
    defaults = (await backend.call('ganetiClusterDefaults', {
      hostIds: [ids['node1']!, ids['node2']!, ids['node3']!],
    })) as GanetiClusterDefaults;
    const l = lab.read();
    expect(defaults).toMatchObject({
      masterNetdev: l.masterNetdev,
      masterNetmask: l.netmask,
      nicLink: l.instanceBridge,
      fileStorageDir: l.fileStorageDir,
      sharedFileStorageDir: l.sharedFileStorageDir,
      kvmPath: '/usr/bin/qemu-system-x86_64',
      kvmAccel: l.kvm,
    });
    const missing = Object.fromEntries(defaults.diskTemplates.map((d) => [d.name, d.missing]));
    expect(missing).toMatchObject({ diskless: '', file: '', sharedfile: '' });
    expect(missing['drbd']).toMatch(/new-node1 lacks the drbd kernel module/);
    expect(missing['drbd']).toMatch(/new-node3 lacks/);
    expect(missing['plain']).toMatch(/new-node2 has no LVM (volume group|tools)/);
    expect(defaults.hypervisors).toEqual([
      { name: 'kvm', missing: '' },
      { name: 'fake', missing: '' },
    ]);
  }, 60_000);

  it('names each node and problem in the preflight, and refuses the plan', async () => {
    const bad = (await backend.call(
      'ganetiClusterPreflight',
      spec({ name: 'nowhere.gnt.test', diskTemplates: ['diskless', 'drbd'], vgName: 'xenvg' }),
    )) as { findings: Finding[] };
    const problems = bad.findings.filter((f) => f.level === 'problem').map((f) => f.detail);
    expect(problems).toContain('new-node1 cannot resolve the cluster name nowhere.gnt.test.');
    expect(problems).toContain('new-node2 cannot resolve the cluster name nowhere.gnt.test.');
    expect(problems.join('\n')).toMatch(/drbd: new-node1 lacks the drbd kernel module/);
    // No node has the volume group DRBD's disks would use.
    expect(problems).toContain('new-node1 has no volume group xenvg.');
    // A cluster name whose address a node already has: the cluster IP is not free.
    const used = (await backend.call(
      'ganetiClusterPreflight',
      spec({ name: 'node2.gnt.test' }),
    )) as { findings: Finding[] };
    expect(
      used.findings.find((f) => f.check === 'Cluster IP free' && f.level === 'problem')?.detail,
    ).toMatch(/node2\.gnt\.test \(198\.51\.100\.\d+\) is in use/);
    const plan = (await backend.call('planGanetiCluster', spec({ name: 'nowhere.gnt.test' }))) as {
      problems: string[];
      steps: unknown[];
    };
    expect(plan.steps).toEqual([]);
    expect(plan.problems.length).toBeGreaterThan(1);
    expect(lab.run('node1', ['gnt-cluster', 'getmaster']).code).not.toBe(0);
  }, 60_000);

  it('creates the cluster on node1 and node2 as one task, every command in its log', async () => {
    const good = (await backend.call('ganetiClusterPreflight', spec())) as { findings: Finding[] };
    expect(good.findings.filter((f) => f.level === 'problem')).toEqual([]);
    const plan = (await backend.call('planGanetiCluster', spec())) as {
      steps: { node: string; command: string }[];
    };
    expect(plan.steps.map((s) => s.command)[0]).toMatch(
      /^gnt-cluster init --enabled-hypervisors=fake,kvm .*--master-netdev=eth0 .*--nic-parameters=link=br0 --no-etc-hosts -- cluster\.gnt\.test$/,
    );
    const t = await done(backend.call('createGanetiCluster', spec()), 300_000);
    createTask = t.id;
    expect(t.undo?.map((u) => u.command)).toEqual([
      // gnt-node remove takes the cluster's key off node2 itself.
      'gnt-node remove -- node2.gnt.test',
      'gnt-cluster destroy --yes-do-it',
    ]);
    expect(t.log.map((c) => c.command)).toEqual(
      expect.arrayContaining(['gnt-node add --no-ssh-key-check -- node2.gnt.test']),
    );
    expect(Object.keys(nodesOnMaster())).toEqual(['node1', 'node2']);
    const c = await waitFor(
      () =>
        backend.store.get('clusters', CID)?.hostIds.length === 2
          ? backend.store.get('clusters', CID)
          : undefined,
      'the cluster in the store',
    );
    expect(c.managed?.nodes.map((n) => [n.name, n.role])).toEqual([
      ['node1.gnt.test', 'master'],
      ['node2.gnt.test', 'candidate'],
    ]);
    expect(backend.store.get('hosts', ids['node1']!)?.capabilities).toContain('inventory');
  }, 360_000);

  it('adds node3 (a host Clusterdeck has) to the cluster', async () => {
    await done(backend.call('ganetiAddNode', { clusterId: CID, hostId: ids['node3'] }));
    expect(Object.keys(nodesOnMaster())).toEqual(['node1', 'node2', 'node3']);
    await waitFor(
      () => backend.store.get('clusters', CID)?.managed?.nodes.length === 3,
      'node3 in the tree',
    );
    await waitFor(
      () => backend.store.get('hosts', ids['node3']!)?.capabilities?.includes('inventory'),
      'node3 connected as a cluster node',
    );
  }, 180_000);

  it('drains and undrains, sets offline and online, the roles following', async () => {
    const role = () =>
      backend.store.get('clusters', CID)?.managed?.nodes.find((n) => n.name === 'node3.gnt.test')
        ?.role;
    await nodeOp('node3', 'drain');
    expect(nodesOnMaster()['node3']?.[0]).toBe('Y');
    await waitFor(() => role() === 'drained', 'node3 drained in the tree');
    const again = (await backend.call('planGanetiNodeOp', {
      clusterId: CID,
      node: 'node3.gnt.test',
      op: 'drain',
    })) as { problems: string[] };
    expect(again.problems).toEqual(['node3.gnt.test is drained already.']);
    await nodeOp('node3', 'undrain');
    expect(nodesOnMaster()['node3']?.[0]).toBe('N');
    await nodeOp('node3', 'offline');
    expect(nodesOnMaster()['node3']?.[1]).toBe('Y');
    await waitFor(() => role() === 'offline', 'node3 offline in the tree');
    await nodeOp('node3', 'online');
    expect(nodesOnMaster()['node3']?.[1]).toBe('N');
    await waitFor(() => role() !== 'offline', 'node3 online in the tree');
  }, 180_000);

  it('refuses to remove a node an instance uses, with the reason; removes node3', async () => {
    lab.exec('node1', [
      'gnt-instance',
      'add',
      '-t',
      'diskless',
      '-o',
      'noop',
      '-H',
      'fake',
      '--no-name-check',
      '--no-ip-check',
      '--no-start',
      '-n',
      'node2.gnt.test',
      INST,
    ]);
    await waitFor(() => backend.store.all('vms').some((v) => v.name === INST), 'the instance');
    const refused = (await backend.call('planGanetiNodeOp', {
      clusterId: CID,
      node: 'node2.gnt.test',
      op: 'remove',
    })) as { problems: string[] };
    expect(refused.problems).toEqual([
      `node2.gnt.test is used by ${INST}: move or remove those instances first.`,
    ]);
    lab.exec('node1', ['gnt-instance', 'remove', '-f', INST]);
    await nodeOp('node3', 'remove');
    expect(Object.keys(nodesOnMaster())).toEqual(['node1', 'node2']);
    // Out of the cluster: node3 is again a Ganeti node without one.
    await waitFor(
      () => backend.store.get('hosts', ids['node3']!)?.capabilities?.join() === 'cluster',
      'node3 without a cluster',
    );
    expect(backend.store.get('clusters', CID)?.hostIds).not.toContain(ids['node3']);
  }, 180_000);

  it('fails the master over to node2 and back, the tree following', async () => {
    await nodeOp('node2', 'master-failover');
    expect(lab.exec('node1', ['gnt-cluster', 'getmaster']).trim()).toBe('node2.gnt.test');
    await waitFor(
      () => backend.store.get('clusters', CID)?.managed?.master === 'node2.gnt.test',
      'node2 master in the tree',
    );
    await nodeOp('node1', 'master-failover');
    expect(lab.exec('node2', ['gnt-cluster', 'getmaster']).trim()).toBe('node1.gnt.test');
    await waitFor(
      () => backend.store.get('clusters', CID)?.managed?.master === 'node1.gnt.test',
      'node1 master again',
    );
  }, 240_000);

  it('Undo of the finished create removes the node and destroys the cluster', async () => {
    const { taskId } = (await backend.call('undoTask', { taskId: createTask })) as {
      taskId: string;
    };
    const t = await taskFinished(backend, taskId, 180_000);
    expect([t.state, t.error]).toEqual(['succeeded', undefined]);
    expect(lab.run('node1', ['gnt-cluster', 'getmaster']).code).not.toBe(0);
    expect(lab.run('node2', ['test', '-e', '/var/lib/ganeti/config.data']).code).toBe(1);
    await waitFor(() => !backend.store.get('clusters', CID), 'the cluster gone from the tree');
    for (const n of ['node1', 'node2'])
      await waitFor(
        () => backend.store.get('hosts', ids[n]!)?.capabilities?.join() === 'cluster',
        `${n} without a cluster`,
      );
  }, 240_000);
});
