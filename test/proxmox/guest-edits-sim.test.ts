// Edit settings, snapshots and clone of Proxmox VE guests: the driver
// against the simulator (test/pve-sim), as sim-driver.ts connects it,
// without SSH. The review is read from the guest's config with its digest;
// a change made elsewhere meanwhile is refused by the simulator as PVE
// refuses it, and the error names the node and the pvesh command.
import { beforeAll, describe, expect, it } from 'vitest';
import type { InstanceSettings } from '../../shared/instance';
import type { Vm } from '../../shared/model';
import type { ProxmoxDriver } from '../../core/drivers/proxmox/driver';
import type { InventoryStore } from '../../core/inventory/store';
import { PVE_VERSIONS, pveSchemasOrSkip } from '../pve-sim/schema';
import { simSuite, taskContext } from './sim-driver';

const haveSchemas = pveSchemasOrSkip('proxmox guest edits');
const NONE: InstanceSettings = { nicLinks: [], addNics: [], growDisks: [] };

describe.skipIf(!haveSchemas).each(PVE_VERSIONS)(
  'Proxmox VE Edit settings, snapshots and clone against the %s simulator',
  (version) => {
    const suite = simSuite(version, { taskStepMs: 5 });
    let d: ProxmoxDriver;
    let store: InventoryStore;

    beforeAll(async () => {
      ({ d, store } = await suite.connected());
    });

    const vmNamed = (name: string): Vm => store.all('vms').find((v) => v.name === name)!;

    it('offers Edit settings, snapshots and clone', () => {
      expect(d.capabilities).toEqual(
        expect.arrayContaining(['instance-edit', 'snapshots', 'vm-clone', 'guest-clone']),
      );
      expect(d.capabilities).not.toContain('instance-create');
    });

    it('reviews a change before → after, says what waits for the next start, and applies it', async () => {
      const web = vmNamed('web01');
      const first = await d.guestSettings.planInstanceSettings(web, NONE);
      expect(first.now).toMatchObject({
        running: true,
        maxMemoryMiB: 2048,
        vcpus: 2,
        sockets: 1,
        name: 'web01',
        onboot: false,
        nicLinks: ['vmbr0'],
        nicLabels: ['net0 bridge'],
        diskSizesMiB: [32768],
        diskLabels: ['scsi0 size (MiB)'],
      });
      expect(first.now.digest).toMatch(/^[0-9a-f]{40}$/);
      expect(first.changes).toEqual([]);
      const settings: InstanceSettings = {
        ...NONE,
        maxMemoryMiB: 4096,
        vcpus: 4,
        name: 'web02',
        notes: 'Front end',
        onboot: true,
        nicLinks: [{ index: 0, link: 'vmbr1' }],
        growDisks: [{ index: 0, toMiB: 40960 }],
        digest: first.now.digest!,
      };
      const plan = await d.guestSettings.planInstanceSettings(web, settings);
      expect(plan.problems).toEqual([]);
      expect(plan.changes).toEqual([
        { what: 'Memory', before: '2048 MiB', after: '4096 MiB', atNextStart: true },
        { what: 'Cores per socket', before: '2', after: '4', atNextStart: true },
        { what: 'Name', before: 'web01', after: 'web02', atNextStart: false },
        { what: 'Notes', before: '(none)', after: 'Front end', atNextStart: false },
        { what: 'Start at boot', before: 'no', after: 'yes', atNextStart: false },
        { what: 'net0 bridge', before: 'vmbr0', after: 'vmbr1', atNextStart: false },
        { what: 'scsi0 size', before: '32768 MiB', after: '40960 MiB', atNextStart: false },
      ]);
      expect(plan.commands).toEqual([
        expect.stringMatching(
          /^pvesh set \/nodes\/pve1\/qemu\/100\/config --memory 4096 --cores 4 --name web02 .*--digest [0-9a-f]{40}$/,
        ),
        'pvesh set /nodes/pve1/qemu/100/resize --disk scsi0 --size 40960M',
      ]);
      const { ctx, details, commands } = taskContext();
      await d.guestSettings.applyInstanceSettings(web, settings, ctx);
      expect(commands()).toContain('pvesh get /nodes/pve1/qemu/100/pending');
      expect(details.join('\n')).toMatch(/cores, memory take effect at its next start/);
      const g = suite.sim.state.guests.get(100)!;
      expect(g.config).toMatchObject({ name: 'web02', description: 'Front end' });
      expect(Number(g.config.onboot)).toBe(1);
      expect(String(g.config.net0)).toContain('bridge=vmbr1');
      expect(String(g.config.scsi0)).toContain('size=40G');
      expect(vmNamed('web02')).toBeDefined();
      // The review of the pending values: what the guest gets at its next start.
      const again = await d.guestSettings.planInstanceSettings(vmNamed('web02'), NONE);
      expect(again.now).toMatchObject({ maxMemoryMiB: 4096, vcpus: 4, diskSizesMiB: [40960] });
    });

    it('refuses a change made elsewhere since the review, naming the node and the pvesh command', async () => {
      const web = vmNamed('web02');
      const { now } = await d.guestSettings.planInstanceSettings(web, NONE);
      // Another admin edits the guest meanwhile (the web interface, qm set).
      suite.sim.state.guests.get(100)!.config.tags = 'prod';
      const { ctx } = taskContext();
      await expect(
        d.guestSettings.applyInstanceSettings(
          web,
          { ...NONE, maxMemoryMiB: 8192, digest: now.digest! },
          ctx,
        ),
      ).rejects.toThrow(
        /^pve1: `pvesh set \/nodes\/pve1\/qemu\/100\/config --memory 8192 --digest [0-9a-f]{40}` failed: 500 detected modified configuration - file changed by other user\? Try again\.$/,
      );
      expect(suite.sim.state.guests.get(100)!.config.memory).not.toBe(8192);
    });

    it('says a disk cannot shrink, and a container has no minimum memory', async () => {
      const web = vmNamed('web02');
      const p = await d.guestSettings.planInstanceSettings(web, {
        ...NONE,
        growDisks: [{ index: 0, toMiB: 1024 }],
      });
      expect(p.problems).toEqual(['Proxmox VE only grows disks: scsi0 is 40960 MiB, not less.']);
      const ct = await d.guestSettings.planInstanceSettings(vmNamed('dns01'), {
        ...NONE,
        maxMemoryMiB: 1024,
        name: 'dns02',
      });
      expect(ct.now.noMinMemory).toBe(true);
      expect(ct.changes.map((c) => [c.what, c.atNextStart])).toEqual([
        ['Memory', false],
        ['Host name', false],
      ]);
    });

    it('takes a snapshot with RAM, lists it, rolls back and deletes it, each a worker', async () => {
      const web = vmNamed('web02');
      expect(d.snapshotCreateRefusals(web)).toEqual({
        'disk-only-quiesce': expect.stringContaining('no disk-only snapshots'),
      });
      const take = taskContext();
      await d.snapshotTasks.runSnapshotOp(
        web,
        { op: 'create', name: 'before_upgrade', description: 'ok', kind: 'memory' },
        take.ctx,
      );
      expect(take.commands()).toContain(
        'pvesh create /nodes/pve1/qemu/100/snapshot --snapname before_upgrade --description ok --vmstate 1',
      );
      expect(take.details.join('\n')).toMatch(/pve1: saving VM state and RAM/);
      await d.snapshotTasks.runSnapshotOp(
        web,
        { op: 'create', name: 'second', description: '', kind: 'default' },
        taskContext().ctx,
      );
      const snaps = await d.readSnapshots(web);
      expect(snaps.map((s) => [s.name, s.parent, s.memory, s.current])).toEqual([
        ['before_upgrade', '', true, false],
        ['second', 'before_upgrade', false, true],
      ]);
      await d.snapshotTasks.runSnapshotOp(
        web,
        { op: 'revert', name: 'before_upgrade' },
        taskContext().ctx,
      );
      expect(suite.sim.state.guests.get(100)!.status).toBe('running');
      expect((await d.readSnapshots(web)).find((s) => s.current)?.name).toBe('before_upgrade');
      await d.snapshotTasks.runSnapshotOp(web, { op: 'delete', name: 'second' }, taskContext().ctx);
      expect((await d.readSnapshots(web)).map((s) => s.name)).toEqual(['before_upgrade']);
    });

    it("fails a snapshot of a locked guest with PVE's message; a container keeps no RAM", async () => {
      const ct = vmNamed('dns01');
      expect(d.snapshotCreateRefusals(ct).memory).toMatch(/container: Proxmox VE keeps no memory/);
      suite.sim.state.guests.get(200)!.lock = 'backup';
      try {
        await expect(
          d.snapshotTasks.runSnapshotOp(
            ct,
            { op: 'create', name: 'snap1', description: '', kind: 'default' },
            taskContext().ctx,
          ),
        ).rejects.toThrow(
          /^pve1: `pvesh create \/nodes\/pve1\/lxc\/200\/snapshot --snapname snap1` failed: CT is locked \(backup\)\.$/,
        );
      } finally {
        delete suite.sim.state.guests.get(200)!.lock;
      }
    });

    it('clones fully to another node with the proposed id; linked only from a template', async () => {
      const db = vmNamed('db01');
      const choices = await d.guestCloning.cloneChoices(db);
      expect(choices).toMatchObject({ nodes: ['pve2', 'pve1', 'pve3'], template: false });
      expect(choices.linkedRefusal).toMatch(/not a template/);
      const full = taskContext();
      await d.guestCloning.cloneGuest(
        db,
        'db02',
        { targetNode: 'pve3', newId: choices.nextId },
        full.ctx,
      );
      expect(full.commands()).toContain(
        `pvesh create /nodes/pve2/qemu/101/clone --newid ${choices.nextId} --name db02 --target pve3 --full 1`,
      );
      expect(vmNamed('db02')).toMatchObject({ placement: { primary: 'pve3' }, state: 'shutoff' });
      await expect(
        d.guestCloning.cloneGuest(db, 'db03', { linked: true }, taskContext().ctx),
      ).rejects.toThrow(/Linked clone feature is not supported for drive 'scsi0'/);
      await d.guestCloning.convertToTemplate(db, taskContext().ctx);
      const t = await d.guestCloning.cloneChoices(vmNamed('db01'));
      expect(t).toMatchObject({ template: true });
      expect(t.linkedRefusal).toBeUndefined();
      await d.guestCloning.cloneGuest(vmNamed('db01'), 'db03', { linked: true }, taskContext().ctx);
      const linked = [...suite.sim.state.guests.values()].find((g) => g.config.name === 'db03')!;
      expect(String(linked.config.scsi0)).toContain('base-101-disk-0');
    });
  },
);
