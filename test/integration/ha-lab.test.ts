// The HA lab itself (scripts/lab-ha, docs/lab.md "HA"): three real Corosync +
// Pacemaker nodes form a quorate cluster; the lab fence agent really powers a
// node off and Pacemaker records it; a VirtualDomain resource of a tiny guest
// on the shared folder starts, moves live with `crm resource move`, and runs
// on another node after its node's power loss. Every VM check asks each
// node's own libvirtd. The suite starts the lab only if it is not up, and
// takes it down only if it started it.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../lab';
import {
  configureLabResource,
  dropLabResource,
  clusterView,
  ensureHaCluster,
  haExec,
  haLabCommand,
  haNodeIsOn,
  haRun,
  nodesRunning,
  readHaLab,
} from '../ha-lab';

const RSC = 'lab-ha-vm';
const NODES = ['hanode1', 'hanode2', 'hanode3'];
let startedLab = false;
const timings: Record<string, number> = {};
const since = (t: number) => (Date.now() - t) / 1000;

const crm = (node: string, args: string[]) => haExec(node, ['crm', ...args]);
const located = (node: string) =>
  haRun(node, ['crm_resource', '--resource', RSC, '--locate']).stdout;

const dropResource = () => dropLabResource(RSC);

/** Powers on every node a test left off and waits until all three are online again. */
async function allOnline(): Promise<void> {
  for (const n of NODES) if (!haNodeIsOn(n)) haLabCommand(['power-on', n]);
  await waitFor(() => clusterView('hanode1').online.length === 3, 'three nodes online', 60_000);
}

const canRun = existsSync('/usr/sbin/corosync') && process.getuid?.() === 0;
if (!canRun)
  console.log('[ha-lab] skipped: needs root and corosync, pacemaker, resource-agents, crmsh');

beforeAll(async () => {
  if (!canRun) return;
  const t = Date.now();
  ({ startedLab } = ensureHaCluster());
  timings['lab up (if needed)'] = since(t);
  dropResource();
  await allOnline();
}, 180_000);

afterAll(async () => {
  if (!canRun) return;
  try {
    if (startedLab) return;
    await allOnline();
    dropResource();
  } finally {
    if (startedLab) haLabCommand(['down']);
    console.log(`[ha-lab] started the lab: ${startedLab}; seconds:`, timings);
  }
}, 180_000);

describe.skipIf(!canRun)('HA lab', () => {
  it('three nodes are online and quorate, by crm_mon and corosync on every node', () => {
    for (const n of NODES) {
      const view = clusterView(n);
      expect(view.online.sort()).toEqual(NODES);
      expect(view.quorate).toBe(true);
      const q = haExec(n, ['corosync-quorumtool', '-s']);
      expect(q).toMatch(/Quorate:\s+Yes/);
      expect(q).toMatch(/Total votes:\s+3/);
    }
    // Each node is its own host: own name, own libvirtd (distinct host UUIDs).
    const uuids = NODES.map((n) => {
      expect(haExec(n, ['hostname']).trim()).toBe(n);
      return haExec(n, ['virsh', '-c', 'qemu:///system', 'capabilities']).match(
        /<uuid>(.+)<\/uuid>/,
      )![1];
    });
    expect(new Set(uuids).size).toBe(3);
  });

  it('the lab fence agent speaks the fence-agents interface and really powers a node off', async () => {
    const lab = readHaLab();
    const agent = (input: string) => haRun('hanode1', [lab.fenceAgent], input);
    expect(agent('action=metadata\n').stdout).toContain(`<resource-agent name="${lab.fenceAgent}"`);
    expect(agent('action=list\n').stdout.split('\n').filter(Boolean)).toEqual(NODES);
    expect(agent('action=status\nplug=hanode3\n')).toMatchObject({ code: 0 });
    expect(agent('action=status\nplug=nosuchnode\n').code).toBe(1);

    // Pacemaker's own fencing (as when a node is lost), run from hanode1.
    const t = Date.now();
    haExec('hanode1', ['stonith_admin', '--reboot', 'hanode3', '--timeout', '90'], 120_000);
    timings['fence hanode3 (stonith_admin)'] = since(t);
    expect(haNodeIsOn('hanode3')).toBe(false);
    expect(agent('action=status\nplug=hanode3\n').code).toBe(2);
    expect(haExec('hanode1', ['stonith_admin', '--history', 'hanode3'])).toMatch(
      /reboot of hanode3 successful/,
    );
    await waitFor(
      () => clusterView('hanode1').offline.includes('hanode3'),
      'hanode3 offline',
      30_000,
    );
    expect(clusterView('hanode2').quorate).toBe(true);

    // Powered on now; the next test waits for it to be online (it rejoins meanwhile).
    haLabCommand(['power-on', 'hanode3']);
  }, 180_000);

  it('a VirtualDomain resource starts, moves live with crm resource move, and fails over on power loss', async () => {
    const t0 = Date.now();
    await allOnline();
    timings['hanode3 back online (after its power-on)'] = since(t0);
    configureLabResource(RSC, { monitorSeconds: 10, migrateOps: true });
    const first = await waitFor(() => nodesRunning(RSC)[0], `${RSC} running`, 60_000);
    expect(nodesRunning(RSC)).toEqual([first]);

    // A live move: the migrate_to/migrate_from pair, not a stop and a start.
    const target = NODES.find((n) => n !== first)!;
    const t = Date.now();
    crm('hanode1', ['resource', 'move', RSC, target]);
    await waitFor(
      () =>
        nodesRunning(RSC).join() === target && located(target).includes(`running on: ${target}`),
      `${RSC} on ${target}`,
      90_000,
    );
    timings['live move'] = since(t);
    crm('hanode1', ['resource', 'clear', RSC]);
    const ops = [
      ...haExec(target, ['cibadmin', '-Q', '-o', 'status']).matchAll(/<lrm_rsc_op [^>]*>/g),
    ]
      .map((m) => m[0])
      .filter((op) => op.includes(`operation_key="${RSC}_migrate_`) && op.includes('rc-code="0"'));
    expect(
      ops.some(
        (op) => op.includes('operation="migrate_to"') && op.includes(`migrate_target="${target}"`),
      ),
    ).toBe(true);
    expect(
      ops.some(
        (op) => op.includes('operation="migrate_from"') && op.includes(`migrate_source="${first}"`),
      ),
    ).toBe(true);
    expect(nodesRunning(RSC)).toEqual([target]);

    // Power loss of its node: every process of the node killed at once.
    const t2 = Date.now();
    haLabCommand(['fence', target]);
    const survivor = await waitFor(() => nodesRunning(RSC)[0], `${RSC} running elsewhere`, 90_000);
    timings['failover (power loss to running elsewhere)'] = since(t2);
    expect(survivor).not.toBe(target);
    expect(nodesRunning(RSC)).toEqual([survivor]);
    // Pacemaker fenced the lost node before recovering the VM.
    expect(haExec(survivor, ['stonith_admin', '--history', target])).toMatch(
      new RegExp(`reboot of ${target} successful`),
    );
    const t3 = Date.now();
    await allOnline();
    timings['power-on to online'] = since(t3);
    // Stickiness keeps the VM where it is when its old node comes back.
    expect(nodesRunning(RSC)).toEqual([survivor]);
  }, 300_000);
});
