// Protect with HA against the HA lab (issue 14): a VM whose disk is on a
// node's own storage is refused, naming the disk and the member that does
// not see it; a running VM whose disk is on the shared folder becomes a
// VirtualDomain resource that Pacemaker finds running where it is (no
// second copy anywhere), its definition beside its disk, libvirt's
// autostart off, a preferred node as a location constraint; the HA section
// then shows it. Everything checked on the nodes.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  defineLocalGuest,
  dropGuestCopy,
  dropLocalGuest,
  haBackendSuite,
  haExec,
  haNodeIsOn,
  haRun,
  haVirsh,
  nodesRunning,
  readHaLab,
  startGuestCopy,
} from '../ha-lab';
import { taskFinished, waitFor } from '../lab';

const VM = 'hastate-p';
const LOCAL = 'hastate-local';
const NODES = ['hanode1', 'hanode2', 'hanode3'];
const canRun = existsSync('/usr/sbin/corosync') && process.getuid?.() === 0;
if (!canRun) console.log('[ha-protect] skipped: needs root and corosync, pacemaker, crmsh');

function cleanUp(): void {
  dropGuestCopy(VM, [`${VM}-prefers-hanode1`]);
  dropLocalGuest(LOCAL);
}

const suite = haBackendSuite('ha-protect', {
  canRun,
  cleanUp,
  setUp: () => {
    startGuestCopy(VM, { autostart: true });
    defineLocalGuest(LOCAL);
  },
});
const { vmNamed, haCluster } = suite;

describe.skipIf(!canRun)('Protect with HA', () => {
  it("refuses a VM whose disk is on a node's own storage, naming the disk and the member", async () => {
    await waitFor(() => haCluster()?.ha?.nodes.every((n) => n.hostId), 'the HA cluster', 30_000);
    const vm = await vmNamed(LOCAL);
    const plan = (await suite.backend.call('planProtectHa', { vmId: vm.id, preferred: [] })) as {
      steps: unknown[];
      problems: string[];
    };
    expect(plan.steps).toEqual([]);
    const disk = `/var/lib/libvirt/images/${LOCAL}.qcow2`;
    expect(plan.problems).toContain(
      `Disk vda (${disk}) is on storage hanode2 does not see: put it on shared storage first.`,
    );
    expect(plan.problems).toContain(
      `Disk vda (${disk}) is on storage hanode3 does not see: put it on shared storage first.`,
    );
  });

  it('makes a running VM on shared storage a VirtualDomain resource where it runs', async () => {
    const lab = readHaLab();
    const vm = await vmNamed(VM);
    const preferred = [{ node: 'hanode1', score: 100 }];
    const plan = (await suite.backend.call('planProtectHa', { vmId: vm.id, preferred })) as {
      steps: { command: string }[];
      problems: string[];
    };
    expect(plan.problems).toEqual([]);
    const config = `${lab.nodeSharedDir}/${VM}.xml`;
    const commands = plan.steps.map((s) => s.command);
    expect(commands[1]).toBe(`virsh -c qemu:///system autostart --disable --domain ${vm.uuid}`);
    expect(commands[2]).toMatch(
      new RegExp(
        `^crm configure primitive ${VM} ocf:heartbeat:VirtualDomain params config=${config} hypervisor=qemu:///system migration_transport=ssh meta allow-migrate=true `,
      ),
    );
    expect(commands[3]).toBe(`crm configure location ${VM}-prefers-hanode1 ${VM} 100: hanode1`);
    const { taskId } = (await suite.backend.call('protectHa', { vmId: vm.id, preferred })) as {
      taskId: string;
    };
    const task = await taskFinished(suite.backend, taskId, 120_000);
    expect(task.state, JSON.stringify(task.log)).toBe('succeeded');
    // On the nodes: the resource runs where the VM ran, and nowhere else.
    await waitFor(
      () =>
        /is running on: hanode1/.test(
          haRun('hanode1', ['crm_resource', '--resource', VM, '--locate']).stdout,
        ) || undefined,
      'the resource located on hanode1',
      60_000,
    );
    expect(nodesRunning(VM)).toEqual(['hanode1']);
    expect(readFileSync(join(lab.sharedDir, `${VM}.xml`), 'utf8')).toContain(
      `<uuid>${vm.uuid}</uuid>`,
    );
    expect(haVirsh('hanode1', ['dominfo', VM])).toMatch(/Autostart:\s+disable/);
    expect(haExec('hanode1', ['crm', 'configure', 'show', `${VM}-prefers-hanode1`])).toContain(
      '100: hanode1',
    );
    // The app shows it, mapped to the VM by its UUID.
    const r = await waitFor(
      () => haCluster()?.ha?.resources.find((x) => x.id === VM && x.nodes.length),
      'the resource in the HA state',
      15_000,
    );
    expect(r.domain).toEqual({ config, name: VM, uuid: vm.uuid });
    expect(r.nodes).toEqual(['hanode1']);
    const again = (await suite.backend.call('planProtectHa', { vmId: vm.id, preferred: [] })) as {
      problems: string[];
    };
    expect(again.problems).toContain(`${VM} is already protected with HA.`);
  }, 240_000);

  it('Remove HA gives the VM back to plain libvirt on its node', async () => {
    const vm = await vmNamed(VM);
    const plan = (await suite.backend.call('planRemoveHa', { vmId: vm.id })) as {
      steps: { command: string; node: string }[];
      problems: string[];
    };
    expect(plan.problems).toEqual([]);
    expect(plan.steps.map((s) => s.node)).toEqual(['hanode1', 'hanode1', 'hanode1']);
    expect(plan.steps[2]!.command).toBe(`virsh -c qemu:///system start --domain ${VM}`);
    const { taskId } = (await suite.backend.call('removeHa', { vmId: vm.id })) as {
      taskId: string;
    };
    const task = await taskFinished(suite.backend, taskId, 240_000);
    expect(task.state, JSON.stringify(task.log)).toBe('succeeded');
    expect(haRun('hanode1', ['crm_resource', '--resource', VM, '--locate']).code).not.toBe(0);
    expect(haExec('hanode1', ['crm', 'configure', 'show'])).not.toContain(`${VM}-prefers-hanode1`);
    expect(nodesRunning(VM)).toEqual(['hanode1']);
    expect(haVirsh('hanode1', ['dominfo', VM])).toMatch(/Persistent:\s+yes/);
    await waitFor(
      () => !haCluster()?.ha?.resources.some((r) => r.id === VM) || undefined,
      'the resource gone from the HA state',
      15_000,
    );
    // No node was fenced on the way.
    expect(NODES.every(haNodeIsOn)).toBe(true);
  }, 300_000);
});
