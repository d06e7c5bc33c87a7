// New Cluster with "High availability" through the backend, on a bare HA lab
// (scripts/lab-ha up 3 --bare: corosync, pacemaker and the lab fence agent
// installed, no cluster): the HA preflight, the fence agents and a fencing
// test that fences nothing, the cluster formed (checked on every node with
// crm_mon, corosync-quorumtool and cibadmin), no secret in the plan or the
// task, and Undo leaving the nodes as they were.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Backend } from '../../core/backend';
import type { Finding } from '../../shared/cluster';
import type { Task } from '../../shared/model';
import { haExec, haLabCommand, readHaLab } from '../ha-lab';
import { addHaNode, bareState, ensureBareHaLab, formedState, unformBareLab } from '../ha-form-lab';
import { taskFinished, testBackendOptions, waitFor } from '../lab';

const NODES = ['hanode1', 'hanode2', 'hanode3'];
const SECRET = 'not-a-real-bmc-password-7431';
const canRun = existsSync('/usr/sbin/corosync') && process.getuid?.() === 0;
let startedLab = false;
let home: string;
let backend: Backend;
let ids: string[];
let before: string[];

beforeAll(async () => {
  if (!canRun) return;
  ({ startedLab } = ensureBareHaLab());
  unformBareLab();
  before = NODES.map(bareState);
  home = mkdtempSync(join(tmpdir(), 'clusterdeck-ha-form-'));
  backend = await Backend.start(testBackendOptions(home));
  ids = [];
  for (const n of NODES) ids.push(await addHaNode(backend, n));
  await waitFor(
    () => ids.every((id) => backend.store.get('hosts', id)?.state === 'connected'),
    'three HA nodes connected',
    60_000,
  );
}, 180_000);

afterAll(() => {
  if (!canRun) return;
  backend?.close();
  rmSync(home, { recursive: true, force: true });
  unformBareLab();
  if (startedLab) haLabCommand(['down']);
}, 180_000);

const spec = () => ({
  name: 'haform',
  hostIds: ids,
  ha: {
    tokenMs: readHaLab().tokenMs,
    fencing: {
      mode: 'devices' as const,
      // The lab agent ignores the password; it is here to prove it goes nowhere but the CIB.
      devices: ids.map((hostId) => ({
        hostId,
        agent: readHaLab().fenceAgent,
        params: { password: SECRET },
      })),
    },
  },
});

describe.skipIf(!canRun)('New Cluster with high availability', () => {
  it('preflights every node: packages, quorum, corosync, names, ring addresses, clocks', async () => {
    const { findings, installs } = (await backend.call('haPreflight', { hostIds: ids })) as {
      findings: Finding[];
      installs: { node: string; command: string }[];
    };
    const problems = findings.filter((f) => f.level === 'problem');
    expect(problems).toEqual([]);
    const line = (check: string) => findings.filter((f) => f.check === check);
    expect(line('Quorum')[0]).toMatchObject({
      level: 'ok',
      detail: expect.stringContaining('3 nodes'),
    });
    expect(line('HA packages').map((f) => f.level)).toEqual(['ok', 'ok', 'ok']);
    expect(
      line('Corosync')
        .map((f) => f.detail)
        .join('\n'),
    ).toMatch(/package’s example/);
    expect(line('Host names').filter((f) => f.level === 'ok')).toHaveLength(3);
    expect(line('Clocks')[0]!.level).toBe('ok');
    // Without fence-agents on the machine, the lab says so and offers Debian's command.
    for (const i of installs)
      expect(i.command).toMatch(
        /^env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends corosync pacemaker pacemaker-cli-utils resource-agents fence-agents$/,
      );
  });

  it('lists the fence agents and tests the lab agent with status, fencing nothing', async () => {
    const { agents } = (await backend.call('haFenceAgents', { hostId: ids[0] })) as {
      agents: string[];
    };
    expect(agents).toContain('fence_clusterdeck_lab');
    const r = (await backend.call('testFenceDevice', {
      hostIds: ids,
      device: { hostId: ids[1], agent: 'fence_clusterdeck_lab', params: {} },
    })) as { ok: boolean; message: string };
    expect(r).toMatchObject({ ok: true, message: expect.stringMatching(/hanode2.*Status: ON/) });
    expect(haExec('hanode2', ['uname', '-n']).trim()).toBe('hanode2'); // still on
    const bad = (await backend
      .call('testFenceDevice', {
        hostIds: ids,
        device: { hostId: ids[1], agent: 'fence_no_such_agent', params: {} },
      })
      .catch((e: Error) => ({ ok: false, message: e.message }))) as {
      ok: boolean;
      message: string;
    };
    expect(bad.ok).toBe(false);
    expect(bad.message).toMatch(/hanode1|hanode3/);
  });

  it('refuses HA without a fence device for every node unless "No fencing" is chosen', async () => {
    const s = spec();
    const plan = (await backend.call('planCluster', {
      ...s,
      ha: { fencing: { mode: 'devices', devices: s.ha.fencing.devices.slice(1) } },
    })) as { problems: string[] };
    expect(plan.problems.join(' ')).toMatch(/hanode1 has no fence device/);
  });

  it('forms the cluster on the nodes, keeps secrets out of the plan and task, and Undo takes it back', async () => {
    const plan = (await backend.call('planCluster', spec())) as {
      steps: { node: string; title: string; command: string; input?: string }[];
      problems: string[];
    };
    expect(plan.problems).toEqual([]);
    const titles = plan.steps.map((s) => `${s.node}: ${s.title}`);
    for (const n of NODES) {
      expect(titles).toContain(`${n}: Write /etc/corosync/corosync.conf`);
      expect(titles).toContain(`${n}: Write /etc/corosync/authkey (mode 0400)`);
      expect(titles).toContain(`${n}: Start corosync and pacemaker (and at boot)`);
    }
    expect(JSON.stringify(plan)).not.toContain(SECRET);
    const conf = plan.steps.find((s) => s.title.includes('corosync.conf'))!.input!;
    expect(conf).toContain('ring0_addr: 127.0.0.');

    const { taskId } = (await backend.call('createCluster', spec())) as { taskId: string };
    const task = (await taskFinished(backend, taskId, 360_000)) as Task;
    expect(task.error ?? '').toBe('');
    expect(task.state).toBe('succeeded');
    expect(task.undo?.length).toBeGreaterThan(0);

    for (const n of NODES) {
      const s = formedState(n);
      expect(s.online).toBe(3);
      expect(s.quorate).toBe(true);
      expect(s.stonith.sort()).toEqual(NODES.map((x) => `fence-${x}:fence_clusterdeck_lab`));
      expect(s.stonithEnabled).toBe('true');
    }
    // One authkey, the same on every node, mode 0400; one corosync.conf.
    const keys = NODES.map((n) =>
      haExec(n, [
        'sh',
        '-c',
        'stat -c %a /etc/corosync/authkey; sha256sum </etc/corosync/authkey; sha256sum </etc/corosync/corosync.conf',
      ]),
    );
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]!.split('\n')[0]).toBe('400');
    const key = haExec('hanode1', ['base64', '-w0', '/etc/corosync/authkey']).trim();
    const taskText = JSON.stringify(backend.store.get('tasks', taskId));
    expect(taskText).not.toContain(key);
    expect(taskText).not.toContain(SECRET);
    // The secret is in the cluster's configuration only.
    expect(haExec('hanode2', ['cibadmin', '--query', '--scope', 'resources'])).toContain(SECRET);
    expect(Object.values(backend.store.snapshot().clusters).map((c) => c.name)).toContain('haform');

    const undo = (await backend.call('undoTask', { taskId })) as { taskId: string };
    const undone = (await taskFinished(backend, undo.taskId, 360_000)) as Task;
    expect(undone.error ?? '').toBe('');
    expect(undone.state).toBe('succeeded');
    expect(NODES.map(bareState)).toEqual(before);
    expect(Object.values(backend.store.snapshot().clusters).map((c) => c.name)).not.toContain(
      'haform',
    );
  }, 600_000);

  it('without fencing by choice; Remove node and New Cluster again (Add node) change the membership on the nodes; Remove cluster dissolves it', async () => {
    const noFence = {
      name: 'haform',
      hostIds: ids,
      ha: { tokenMs: readHaLab().tokenMs, fencing: { mode: 'none', acceptRisk: true } },
    };
    const { taskId } = (await backend.call('createCluster', noFence)) as { taskId: string };
    const made = (await taskFinished(backend, taskId, 360_000)) as Task;
    expect(made.error ?? '').toBe('');
    expect(formedState('hanode2')).toMatchObject({
      online: 3,
      quorate: true,
      stonith: [],
      stonithEnabled: 'false',
    });
    const cluster = Object.values(backend.store.snapshot().clusters).find(
      (c) => c.name === 'haform',
    )!;

    const plan = (await backend.call('planRemoveClusterNode', {
      clusterId: cluster.id,
      hostId: ids[2],
    })) as {
      steps: { node: string; title: string }[];
      problems: string[];
    };
    expect(plan.problems).toEqual([]);
    expect(plan.steps[0]).toMatchObject({
      node: 'hanode3',
      title: 'Stop pacemaker and corosync, keep its cluster files aside',
    });
    const removed = (await backend.call('removeClusterNode', {
      clusterId: cluster.id,
      hostId: ids[2],
    })) as { taskId: string };
    const r = (await taskFinished(backend, removed.taskId, 360_000)) as Task;
    expect(r.error ?? '').toBe('');
    for (const n of ['hanode1', 'hanode2']) {
      const s = formedState(n);
      expect(s.online).toBe(2);
      expect(s.quorate).toBe(true);
      expect(haExec(n, ['crm_mon', '-1', '--output-as=xml'])).not.toContain('hanode3');
      expect(haExec(n, ['corosync-quorumtool', '-s'])).toMatch(/Expected votes:\s+2/);
      expect(haExec(n, ['cat', '/etc/corosync/corosync.conf'])).not.toContain('hanode3');
    }
    // hanode3 is back as it was before the cluster.
    expect(bareState('hanode3')).toBe(before[2]);

    // New Cluster again with the same name and hanode3: it joins the running cluster.
    const grow = (await backend.call('planCluster', noFence)) as {
      steps: { node: string; title: string }[];
      problems: string[];
    };
    expect(grow.problems).toEqual([]);
    expect(grow.steps.map((x) => `${x.node}: ${x.title}`)).toContain(
      'hanode1: Add hanode3 to /etc/corosync/corosync.conf',
    );
    const joined = (await backend.call('createCluster', noFence)) as { taskId: string };
    const j = (await taskFinished(backend, joined.taskId, 360_000)) as Task;
    expect(j.error ?? '').toBe('');
    for (const n of NODES) {
      expect(formedState(n)).toMatchObject({ online: 3, quorate: true });
      expect(haExec(n, ['cat', '/etc/corosync/corosync.conf'])).not.toContain('two_node');
    }
    expect(haExec('hanode3', ['corosync-quorumtool', '-s'])).toMatch(/Expected votes:\s+3/);

    const whole = (await backend.call('removeCluster', { clusterId: cluster.id })) as {
      taskId: string;
    };
    const w = (await taskFinished(backend, whole.taskId, 360_000)) as Task;
    expect(w.error ?? '').toBe('');
    expect(NODES.map(bareState)).toEqual(before);
  }, 600_000);
});
