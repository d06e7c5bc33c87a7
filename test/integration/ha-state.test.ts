// The HA state read from the nodes (issue 14): a backend given the HA lab's
// three nodes as plain hosts recognises their Corosync cluster from them
// (no settings cluster), with quorum, fencing, each node's state, the lab
// guest's VirtualDomain resource mapped to its VM, and follows changes made
// outside within a few seconds: a standby, a failed monitor (then Clean up
// through the app, checked on the node), a fenced node shown unclean or
// offline and back online after power-on. A second backend with one node
// sees the same cluster. Reports the idle cost of the poll.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Backend } from '../../core/backend';
import { derivedClusterId } from '../../core/services/ha';
import type { HaNodeState } from '../../shared/ha';
import {
  configureLabResource,
  dropLabResource,
  addHaNodes,
  clusterView,
  ensureHaCluster,
  haExec,
  haLabCommand,
  haNodeIsOn,
  haRun,
  haVirsh,
  nodesRunning,
  readHaLab,
} from '../ha-lab';
import { taskFinished, testBackendOptions, waitFor } from '../lab';

const RSC = 'hastate-vm';
const NODES = ['hanode1', 'hanode2', 'hanode3'];
const canRun = existsSync('/usr/sbin/corosync') && process.getuid?.() === 0;
if (!canRun) console.log('[ha-state] skipped: needs root and corosync, pacemaker, crmsh');

const homes: string[] = [];
const backends: Backend[] = [];
let backend: Backend;
let startedLab = false;

async function newBackend(nodes: string[]): Promise<Backend> {
  const home = mkdtempSync(join(tmpdir(), 'clusterdeck-ha-'));
  homes.push(home);
  const b = await Backend.start(testBackendOptions(home));
  backends.push(b);
  await addHaNodes(b, nodes);
  return b;
}

const clusterId = () => derivedClusterId(readHaLab().clusterName);
const ha = (b = backend) => b.store.get('clusters', clusterId())?.ha;
const nodeState = (name: string) => ha()?.nodes.find((n) => n.name === name)?.state;
const waitNode = (name: string, states: HaNodeState[], ms = 10_000) =>
  waitFor(() => states.includes(nodeState(name)!) || undefined, `${name} ${states.join('/')}`, ms);

const dropResource = () => dropLabResource(RSC);

beforeAll(async () => {
  if (!canRun) return;
  startedLab = ensureHaCluster().startedLab;
  dropResource();
  const { guest } = readHaLab();
  configureLabResource(RSC);
  await waitFor(() => nodesRunning(guest.name)[0], `${guest.name} running`, 90_000);
  backend = await newBackend(NODES);
}, 300_000);

afterAll(() => {
  if (!canRun) return;
  for (const b of backends) b.close();
  for (const h of homes) rmSync(h, { recursive: true, force: true });
  for (const n of NODES) if (!haNodeIsOn(n)) haLabCommand(['power-on', n]);
  haRun('hanode1', ['crm', 'node', 'online', 'hanode2']);
  dropResource();
  if (startedLab) haLabCommand(['down']);
}, 300_000);

describe.skipIf(!canRun)('HA state from the nodes', () => {
  it('recognises the Corosync cluster from its nodes, with quorum, fencing and the VM resource', async () => {
    const lab = readHaLab();
    // Every member once each host has connected (on a loaded machine the last may come later).
    await waitFor(
      () =>
        (ha()?.resources.some((r) => r.id === RSC && r.nodes.length) &&
          backend.store.get('clusters', clusterId())?.hostIds.length === NODES.length) ||
        undefined,
      'the state with every member',
      30_000,
    );
    const cluster = backend.store.get('clusters', clusterId())!;
    expect(cluster.name).toBe(lab.clusterName);
    expect(cluster.hostIds.sort()).toEqual(
      backend.store
        .all('hosts')
        .map((h) => h.id)
        .sort(),
    );
    const state = ha()!;
    expect(state.quorate).toBe(true);
    expect(state.stonithEnabled).toBe(true);
    expect(state.nodes.map((n) => [n.name, n.state])).toEqual(NODES.map((n) => [n, 'online']));
    // Each member maps to the host Clusterdeck has for it.
    for (const n of state.nodes) expect(backend.store.get('hosts', n.hostId!)?.name).toBe(n.name);
    const r = state.resources.find((x) => x.id === RSC)!;
    expect(r.agent).toBe('ocf:heartbeat:VirtualDomain');
    expect(r.domain).toEqual({ config: lab.guest.config, name: lab.guest.name });
    // Where Pacemaker says it runs is where libvirt runs it, and that VM is in the inventory there.
    expect(r.nodes).toEqual(nodesRunning(lab.guest.name));
    const vm = await waitFor(
      () =>
        backend.store.all('vms').find((v) => v.name === lab.guest.name && v.state === 'running'),
      'the VM in the inventory',
    );
    expect(backend.store.get('hosts', vm.hostId)?.name).toBe(r.nodes[0]);
  });

  it('a second Clusterdeck given one node sees the same cluster', async () => {
    const other = await newBackend(['hanode2']);
    const state = await waitFor(() => ha(other), 'the second backend reads the cluster', 30_000);
    expect(state.nodes.map((n) => n.name)).toEqual(NODES);
    expect(state.resources.map((r) => r.id)).toEqual(ha()!.resources.map((r) => r.id));
    other.close();
  });

  it('shows an outside `crm node standby` and `online` within a few seconds', async () => {
    haExec('hanode1', ['crm', 'node', 'standby', 'hanode2']);
    let t = Date.now();
    await waitNode('hanode2', ['standby'], 8000);
    console.log(`[ha-state] standby seen after ${Date.now() - t} ms`);
    haExec('hanode1', ['crm', 'node', 'online', 'hanode2']);
    t = Date.now();
    await waitNode('hanode2', ['online'], 8000);
    console.log(`[ha-state] online seen after ${Date.now() - t} ms`);
  });

  it('shows a failed monitor with its reason, and Clean up clears it on the node', async () => {
    const { guest } = readHaLab();
    // Once Pacemaker has settled (the standby may have moved the VM).
    haExec('hanode1', ['crm_resource', '--wait', '--timeout=60']);
    const where = nodesRunning(guest.name)[0]!;
    haVirsh(where, ['destroy', guest.name]);
    const failure = await waitFor(
      () => ha()?.failedActions.find((f) => f.resource === RSC),
      'the failed monitor',
      30_000,
    );
    // VirtualDomain's monitor says "not running" for a destroyed domain; under TCG it
    // may catch the domain while QEMU is still going away and report an error.
    expect(failure).toMatchObject({ op: 'monitor', node: where });
    expect(failure!.status).toMatch(/^(not running|error)$/);
    const plan = (await backend.call('planHaCleanup', {
      clusterId: clusterId(),
      resourceId: RSC,
    })) as {
      steps: { command: string }[];
      problems: string[];
    };
    expect(plan.problems).toEqual([]);
    expect(plan.steps.map((s) => s.command)).toEqual([`crm_resource --cleanup --resource=${RSC}`]);
    const bad = (await backend.call('planHaCleanup', {
      clusterId: clusterId(),
      resourceId: '-x',
    })) as {
      problems: string[];
    };
    expect(bad.problems.join(' ')).toMatch(/not a Pacemaker resource id/);
    const { taskId } = (await backend.call('haCleanup', {
      clusterId: clusterId(),
      resourceId: RSC,
    })) as {
      taskId: string;
    };
    expect((await taskFinished(backend, taskId, 60_000)).state).toBe('succeeded');
    await waitFor(() => !ha()?.failedActions.length || undefined, 'failures gone', 10_000);
    // On the node: Pacemaker itself no longer lists a failure.
    expect(haExec('hanode1', ['crm_mon', '-1', '--output-as=xml'])).not.toContain('<failure ');
    await waitFor(
      () => nodesRunning(guest.name).length === 1 || undefined,
      'guest running again',
      60_000,
    );
  });

  it('shows a fenced node unclean or offline, and online again after power-on', async () => {
    const victim = 'hanode3';
    haLabCommand(['fence', victim]);
    const t = Date.now();
    await waitNode(victim, ['unclean', 'offline'], 40_000);
    console.log(`[ha-state] ${victim} ${nodeState(victim)} after ${Date.now() - t} ms`);
    expect(ha()!.quorate).toBe(true);
    await waitNode(victim, ['offline'], 60_000);
    haLabCommand(['power-on', victim]);
    await waitFor(
      () => clusterView('hanode1').online.length === 3 || undefined,
      'rejoined',
      90_000,
    );
    await waitNode(victim, ['online'], 10_000);
  }, 240_000);

  it('idles cheaply: one stamp read per poll, full reads only on change', async () => {
    const counts = () => ({
      ...(
        backend as unknown as {
          services: { ha: { monitor: { counts: { stampReads: number; fullReads: number } } } };
        }
      ).services.ha.monitor.counts,
    });
    await new Promise((r) => setTimeout(r, 3000));
    const a = counts();
    const ms = 30_000;
    await new Promise((r) => setTimeout(r, ms));
    const b = counts();
    const perMin = (n: number) => Math.round((n * 60_000) / ms);
    console.log(
      `[ha-state] idle: ${perMin(b.stampReads - a.stampReads)} stamp reads/min, ${perMin(b.fullReads - a.fullReads)} full reads/min`,
    );
    expect(b.stampReads - a.stampReads).toBeGreaterThanOrEqual(10);
    expect(b.fullReads - a.fullReads).toBeLessThanOrEqual(2);
  }, 60_000);
});
