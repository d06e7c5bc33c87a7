// The VM actions of an HA VM against the HA lab (issue 14): once the VM is
// a Pacemaker resource (protected through the backend), Shut down, Start
// and Reboot go through Pacemaker: the task's log shows the crm_resource
// command, crm_mon shows the resource stopped or started, and virsh on
// every node shows it running on one node at most, never two.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  clusterView,
  copiesRunning,
  dropGuestCopy,
  haBackendSuite,
  haExec,
  haNodeIsOn,
  haRun,
  nodesRunning,
  startGuestCopy,
} from '../ha-lab';
import { taskFinished, waitFor } from '../lab';

const VM = 'haops-vm';
const NODES = ['hanode1', 'hanode2', 'hanode3'];
const canRun = existsSync('/usr/sbin/corosync') && process.getuid?.() === 0;
if (!canRun) console.log('[ha-vm-actions] skipped: needs root and corosync, pacemaker, crmsh');

function cleanUp(): void {
  const on = NODES.filter(haNodeIsOn);
  // A run that stopped in maintenance mode leaves a node in standby.
  for (const n of NODES) haRun(on[0]!, ['crm', 'node', 'online', n]);
  dropGuestCopy(VM);
}

const suite = haBackendSuite('ha-vm-actions', {
  canRun,
  cleanUp,
  setUp: () => {
    startGuestCopy(VM, { autostart: true });
  },
});
const { vmNamed, haCluster } = suite;

/** Where crm_mon says the resource runs. */
function crmMonNodes(id: string): string[] {
  const xml = haExec('hanode2', ['crm_mon', '-1', '--output-as=xml', '--include=resources']);
  const block = xml.match(
    new RegExp(`<resource id="${id}"[^>]*>([\\s\\S]*?)</resource>|<resource id="${id}"[^>]*/>`),
  );
  return block ? [...(block[1] ?? '').matchAll(/<node name="([^"]+)"/g)].map((m) => m[1]!) : [];
}

async function act(action: string): Promise<{ state: string; log: unknown }> {
  const vm = await vmNamed(VM);
  const { taskId } = (await suite.backend.call('vmAction', { vmId: vm.id, action })) as {
    taskId: string;
  };
  // Never two copies while Pacemaker works.
  const copies: string[][] = [];
  const watch = setInterval(() => copies.push(copiesRunning(VM)), 1500);
  try {
    return (await taskFinished(suite.backend, taskId, 240_000)) as { state: string; log: unknown };
  } finally {
    clearInterval(watch);
    for (const c of copies) expect(c.length).toBeLessThan(2);
  }
}

describe.skipIf(!canRun)('The actions of an HA VM go through Pacemaker', () => {
  it('protects the lab VM (through the backend)', async () => {
    await waitFor(() => haCluster()?.ha?.nodes.every((n) => n.hostId), 'the HA cluster', 30_000);
    const vm = await vmNamed(VM);
    const { taskId } = (await suite.backend.call('protectHa', { vmId: vm.id, preferred: [] })) as {
      taskId: string;
    };
    const task = await taskFinished(suite.backend, taskId, 120_000);
    expect(task.state, JSON.stringify(task.log)).toBe('succeeded');
    await waitFor(
      () => haCluster()?.ha?.resources.find((x) => x.id === VM && x.nodes.length),
      'the resource in the HA state',
      30_000,
    );
    // The lab's tiny guest ignores ACPI: a graceful stop would wait out the
    // stop timeout (85 s) before VirtualDomain forces it off. Force at once.
    haExec('hanode1', [
      'crm_resource',
      '--resource',
      VM,
      '--set-parameter',
      'force_stop',
      '--parameter-value',
      'true',
    ]);
  }, 240_000);

  it('Shut down sets target-role Stopped: stopped in crm_mon and on every node', async () => {
    const task = await act('shutdown');
    expect(task.state, JSON.stringify(task.log)).toBe('succeeded');
    expect(JSON.stringify(task.log)).toContain('--set-parameter target-role --parameter-value');
    expect(crmMonNodes(VM)).toEqual([]);
    expect(nodesRunning(VM)).toEqual([]);
    expect(
      haExec('hanode1', [
        'crm_resource',
        '--resource',
        VM,
        '--meta',
        '--get-parameter',
        'target-role',
      ]),
    ).toContain('Stopped');
  }, 300_000);

  it('Start sets target-role Started: Pacemaker runs it on exactly one node', async () => {
    const task = await act('start');
    expect(task.state, JSON.stringify(task.log)).toBe('succeeded');
    expect(JSON.stringify(task.log)).toContain('target-role');
    const where = crmMonNodes(VM);
    expect(where).toHaveLength(1);
    expect(nodesRunning(VM)).toEqual(where);
  }, 300_000);

  it("Reboot is Pacemaker's restart: running again on one node", async () => {
    const task = await act('reboot');
    expect(task.state, JSON.stringify(task.log)).toBe('succeeded');
    expect(JSON.stringify(task.log)).toContain(`crm_resource --restart --resource ${VM}`);
    const where = crmMonNodes(VM);
    expect(where).toHaveLength(1);
    expect(nodesRunning(VM)).toEqual(where);
    expect(NODES.every(haNodeIsOn)).toBe(true);
  }, 300_000);

  it("Migrate VM is Pacemaker's live move, then clear: no second copy, no constraint left", async () => {
    // Live migration over the bind-mounted shared folder needs --unsafe (as the lab's own).
    haExec('hanode1', [
      'crm_resource',
      '--resource',
      VM,
      '--set-parameter',
      'migrate_options',
      '--parameter-value',
      '--unsafe',
    ]);
    const from = crmMonNodes(VM)[0]!;
    const to = NODES.find((n) => n !== from)!;
    const vm = await vmNamed(VM);
    const targetHostId = haCluster()!.ha!.nodes.find((n) => n.name === to)!.hostId!;
    const plan = (await suite.backend.call('planMigration', { vmIds: [vm.id], targetHostId })) as {
      steps: { command: string }[];
      problems: string[];
    };
    expect(plan.problems).toEqual([]);
    expect(plan.steps.map((s) => s.command).join('\n')).toContain('crm_resource --move --resource');
    expect(plan.steps.map((s) => s.command).join('\n')).toContain(
      'crm_resource --clear --resource',
    );
    const { taskId } = (await suite.backend.call('migrateVms', {
      vmIds: [vm.id],
      targetHostId,
    })) as {
      taskId: string;
    };
    const copies: string[][] = [];
    const watch = setInterval(() => copies.push(copiesRunning(VM)), 1000);
    let task;
    try {
      task = await taskFinished(suite.backend, taskId, 240_000);
    } finally {
      clearInterval(watch);
    }
    expect(task.state, JSON.stringify(task.log)).toBe('succeeded');
    for (const c of copies) expect(c.length).toBeLessThan(2);
    expect(crmMonNodes(VM)).toEqual([to]);
    expect(nodesRunning(VM)).toEqual([to]);
    expect(haExec('hanode1', ['cibadmin', '--query', '--scope', 'constraints'])).not.toContain(
      'cli-',
    );
    expect(NODES.every(haNodeIsOn)).toBe(true);
  }, 300_000);

  it('Maintenance mode is Pacemaker standby: the plan shows where the VM goes; exit brings the node online', async () => {
    const from = crmMonNodes(VM)[0]!;
    const hostId = haCluster()!.ha!.nodes.find((n) => n.name === from)!.hostId!;
    const plan = (await suite.backend.call('planMaintenance', { hostId })) as {
      findings: { detail: string }[];
      steps: { command: string }[];
      problems: string[];
    };
    expect(plan.problems).toEqual([]);
    expect(plan.steps[0]!.command).toContain('crm node standby');
    const where = plan.findings.find((f) => f.detail.startsWith(`${VM}: `));
    expect(where?.detail).toMatch(new RegExp(`^${VM}: Pacemaker puts it on hanode\\d$`));
    const to = where!.detail.split(' on ')[1]!;
    expect(to).not.toBe(from);
    const { taskId } = (await suite.backend.call('enterMaintenance', {
      hostId,
      bringBack: false,
    })) as {
      taskId: string;
    };
    const copies: string[][] = [];
    const watch = setInterval(() => copies.push(copiesRunning(VM)), 1000);
    let task;
    try {
      task = await taskFinished(suite.backend, taskId, 300_000);
    } finally {
      clearInterval(watch);
    }
    expect(task.state, JSON.stringify(task.log)).toBe('succeeded');
    for (const c of copies) expect(c.length).toBeLessThan(2);
    expect(nodesRunning(VM)).toEqual([to]);
    expect(haExec('hanode2', ['crm_mon', '-1'])).toMatch(new RegExp(`Node ${from}: standby`));
    const exit = (await suite.backend.call('exitMaintenance', { hostId })) as { taskId: string };
    const done = await taskFinished(suite.backend, exit.taskId, 300_000);
    expect(done.state, JSON.stringify(done.log)).toBe('succeeded');
    expect(clusterView('hanode2').online).toContain(from);
    expect(haExec('hanode2', ['crm_mon', '-1'])).not.toContain('standby');
    expect(nodesRunning(VM)).toHaveLength(1);
  }, 600_000);
});
