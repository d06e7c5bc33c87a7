// New VM, New Container and Delete through the Proxmox VE driver against
// the simulator: the options read from the API, the guest made by a worker
// task and its config read back, PVE's refusal shown as PVE words it, the
// secret kept out of every command shown, removal refused while running.
import { describe, expect, it } from 'vitest';
import type { GuestOptions, GuestSpec } from '../../shared/guest-create';
import { guestSpecSchema } from '../../shared/guest-create';
import type { Vm } from '../../shared/model';
import type { InventoryStore } from '../../core/inventory/store';
import { PVE_VERSIONS, pveSchemasOrSkip } from '../pve-sim/schema';
import { simSuite, taskContext } from './sim-driver';

const haveSchemas = pveSchemasOrSkip('proxmox new guest');

const PASSWORD = 'Sw0rdfish-42';

describe.skipIf(!haveSchemas).each(PVE_VERSIONS)(
  'New VM, New Container and Delete against the %s simulator',
  (version) => {
    const suite = simSuite(version, { taskStepMs: 10 });
    const connected = () => suite.connected();
    const vmNamed = (store: InventoryStore, name: string): Vm | undefined =>
      store.all('vms').find((v) => v.name === name);
    const config = (d: Awaited<ReturnType<typeof connected>>['d'], path: string) =>
      d.client.get<Record<string, unknown>>(path);

    it('reads nodes, storages with their content, ISO images, templates, bridges and the next id', async () => {
      const { d } = await connected();
      const o: GuestOptions = await d.guestCreation.readGuestOptions();
      expect(o.cluster).toBe('homelab');
      expect(o.nextId).toBe(102);
      expect(o.usedIds.map((u) => u.vmid)).toEqual([100, 101, 200]);
      expect(o.nodes.map((n) => [n.name, n.online, n.cpus])).toEqual([
        ['pve1', true, 8],
        ['pve2', true, 8],
        ['pve3', true, 8],
      ]);
      const pve1 = o.nodes[0]!;
      expect(pve1.bridges).toEqual(['vmbr0', 'vmbr1']);
      expect(o.nodes[1]!.bridges).toEqual(['vmbr0']);
      expect(pve1.storages.find((s) => s.id === 'local-lvm')).toMatchObject({
        content: ['images', 'rootdir'],
        type: 'lvmthin',
      });
      expect(pve1.isos.map((i) => i.volid)).toEqual([
        'local:iso/debian-12.7.0-amd64-netinst.iso',
        'nfs-shared:iso/ubuntu-24.04.1-live-server-amd64.iso',
      ]);
      expect(pve1.templates.map((t) => t.label)).toEqual([
        'alpine-3.20-default_20240908_amd64.tar.xz',
        'debian-12-standard_12.7-1_amd64.tar.zst',
      ]);
      expect(o.nodes[1]!.templates.map((t) => t.label)).toEqual([
        'debian-12-standard_12.7-1_amd64.tar.zst',
      ]);
      expect(o.commands).toContain('pvesh get /nodes/pve1/network --type any_bridge');
      expect(suite.sim.violations).toEqual([]);
      d.stop();
    });

    it('creates a VM on pve2 as a qmcreate task, starts it, and its config says what was asked', async () => {
      const { d, store } = await connected();
      const o = await d.guestCreation.readGuestOptions();
      const spec: GuestSpec = guestSpecSchema.parse({
        kind: 'vm',
        node: 'pve2',
        vmid: o.nextId,
        name: 'app02',
        ostype: 'l26',
        iso: 'nfs-shared:iso/ubuntu-24.04.1-live-server-amd64.iso',
        storage: 'local-lvm',
        diskGiB: 20,
        memoryMiB: 2048,
        cores: 2,
        bridge: 'vmbr0',
        start: true,
      });
      expect(d.guestCreation.planGuest(spec, o).problems).toEqual([]);
      const { ctx, records, details } = taskContext();
      await d.guestCreation.createGuest(spec, ctx);
      expect(records[0]!.command).toBe(d.guestCreation.planGuest(spec, o).steps[0]!.command);
      expect(details.at(-1)).toBe('pve2: TASK OK');
      expect(details.some((l) => /^pve2: scsi0: successfully created disk/.test(l))).toBe(true);
      const conf = await config(d, '/nodes/pve2/qemu/102/config');
      expect(conf).toMatchObject({
        name: 'app02',
        ostype: 'l26',
        cores: 2,
        scsi0: 'local-lvm:vm-102-disk-0,iothread=1,size=20G',
        ide2: 'nfs-shared:iso/ubuntu-24.04.1-live-server-amd64.iso,media=cdrom',
        net0: 'virtio,bridge=vmbr0,firewall=1',
      });
      // A property string since PVE 8.1 (`[current=]<MiB>`), so the API answers it as text.
      expect(String(conf.memory)).toBe('2048');
      expect(vmNamed(store, 'app02')).toMatchObject({ state: 'running', kind: 'vm' });
      expect(suite.sim.violations).toEqual([]);
      d.stop();
    });

    it('creates a container from a template with a static address; the password never shows', async () => {
      const { d, store } = await connected();
      const o = await d.guestCreation.readGuestOptions();
      const spec = guestSpecSchema.parse({
        kind: 'container',
        node: 'pve1',
        vmid: 300,
        hostname: 'cache01',
        template: 'local:vztmpl/alpine-3.20-default_20240908_amd64.tar.xz',
        password: PASSWORD,
        storage: 'local-lvm',
        diskGiB: 4,
        memoryMiB: 256,
        cores: 1,
        bridge: 'vmbr1',
        address: { kind: 'static', cidr: '192.0.2.60/24', gateway: '192.0.2.1' },
        start: false,
      });
      const plan = d.guestCreation.planGuest(spec, o);
      expect(plan.problems).toEqual([]);
      expect(plan.steps[0]!.command).toBe(
        'pvesh create /nodes/pve1/lxc --vmid 300 --hostname cache01 --ostemplate local:vztmpl/alpine-3.20-default_20240908_amd64.tar.xz --password <hidden> --rootfs local-lvm:4 --memory 256 --swap 512 --cores 1 --net0 name=eth0,bridge=vmbr1,firewall=1,ip=192.0.2.60/24,gw=192.0.2.1 --unprivileged 1',
      );
      const { ctx, records, details } = taskContext();
      await d.guestCreation.createGuest(spec, ctx);
      expect(JSON.stringify([records, details, plan])).not.toContain(PASSWORD);
      const conf = await config(d, '/nodes/pve1/lxc/300/config');
      expect(conf).toMatchObject({
        hostname: 'cache01',
        rootfs: 'local-lvm:vm-300-disk-0,size=4G',
        net0: 'name=eth0,bridge=vmbr1,firewall=1,ip=192.0.2.60/24,gw=192.0.2.1',
        memory: 256,
        unprivileged: 1,
      });
      expect(conf).not.toHaveProperty('password');
      expect(vmNamed(store, 'cache01')).toMatchObject({ state: 'shutoff', kind: 'container' });
      d.stop();
    });

    it("shows PVE's refusal: an id taken since the plan, a storage without VM images", async () => {
      const { d } = await connected();
      const o = await d.guestCreation.readGuestOptions();
      const base = {
        kind: 'vm',
        node: 'pve1',
        name: 'late',
        ostype: 'l26',
        storage: 'local-lvm',
        diskGiB: 8,
        memoryMiB: 512,
        cores: 1,
        bridge: 'vmbr0',
        start: false,
      } as const;
      // Another admin took the id after the options were read: PVE refuses, the task says so.
      const taken = guestSpecSchema.parse({ ...base, vmid: 100 });
      await expect(d.guestCreation.createGuest(taken, taskContext().ctx)).rejects.toThrow(
        /unable to create VM 100 - VM 100 already exists on node 'pve1'/,
      );
      // The preflight sees both before Finish.
      const onLocal = guestSpecSchema.parse({ ...base, vmid: 400, storage: 'local' });
      expect(d.guestCreation.planGuest(onLocal, o).problems).toEqual([
        expect.stringMatching(/^local does not hold VM disks/),
      ]);
      expect(d.guestCreation.planGuest(taken, { ...o, usedIds: o.usedIds }).problems).toEqual([
        expect.stringMatching(/^ID 100 is taken by web01 on pve1/),
      ]);
      await expect(d.guestCreation.createGuest(onLocal, taskContext().ctx)).rejects.toThrow(
        /storage 'local' does not support vm images/,
      );
      expect(suite.sim.state.guests.has(400)).toBe(false);
      const badTemplate = guestSpecSchema.parse({
        kind: 'container',
        node: 'pve2',
        vmid: 401,
        hostname: 'ct401',
        template: 'local:vztmpl/alpine-3.20-default_20240908_amd64.tar.xz',
        sshKeys: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHkey admin@desk',
        storage: 'local-lvm',
        diskGiB: 2,
        memoryMiB: 128,
        cores: 1,
        bridge: 'vmbr0',
        address: { kind: 'dhcp' },
        start: false,
      });
      expect(d.guestCreation.planGuest(badTemplate, o).problems).toEqual([
        'pve2 does not see the container template local:vztmpl/alpine-3.20-default_20240908_amd64.tar.xz.',
      ]);
      await expect(d.guestCreation.createGuest(badTemplate, taskContext().ctx)).rejects.toThrow(
        /can't find file 'local:vztmpl\/alpine-3\.20-default_20240908_amd64\.tar\.xz'/,
      );
      expect(suite.sim.violations).toEqual([]);
      d.stop();
    });

    it('fails the task when the worker fails, and leaves no half-made guest', async () => {
      const { d } = await connected();
      suite.sim.tasks.failNext(
        'qmcreate',
        "lvcreate 'pve/vm-402-disk-0' error: Insufficient free space",
      );
      const spec = guestSpecSchema.parse({
        kind: 'vm',
        node: 'pve3',
        vmid: 402,
        name: 'big',
        ostype: 'win11',
        storage: 'local-lvm',
        diskGiB: 100,
        memoryMiB: 4096,
        cores: 4,
        bridge: 'vmbr0',
        start: true,
      });
      const { ctx, details } = taskContext();
      await expect(d.guestCreation.createGuest(spec, ctx)).rejects.toThrow(
        /^pve3: `pvesh create \/nodes\/pve3\/qemu --vmid 402 .*` failed: lvcreate/,
      );
      expect(details.at(-1)).toMatch(/TASK ERROR: lvcreate/);
      expect(suite.sim.state.guests.has(402)).toBe(false);
      d.stop();
    });

    it('deletes a stopped guest with purge; refuses a running one with the reason', async () => {
      const { d, store } = await connected();
      const running = vmNamed(store, 'web01')!;
      const { ctx, records } = taskContext();
      await expect(d.deleteVm(running, ctx)).rejects.toThrow(
        'web01 is running: Proxmox VE removes only a stopped VM. Shut it down (or stop it) first.',
      );
      expect(records).toEqual([]);
      expect(suite.sim.state.guests.has(100)).toBe(true);
      const db = vmNamed(store, 'db01')!;
      expect(db.state).toBe('shutoff');
      const del = taskContext();
      await d.deleteVm(db, del.ctx);
      expect(del.records[0]!.command).toBe(
        'pvesh delete /nodes/pve2/qemu/101 --purge 1 --destroy-unreferenced-disks 1',
      );
      expect(del.details).toContain("pve2: Removing volume 'nfs-shared:101/vm-101-disk-0.qcow2'");
      expect(suite.sim.state.guests.has(101)).toBe(false);
      expect(vmNamed(store, 'db01')).toBeUndefined();
      expect(suite.sim.violations).toEqual([]);
      d.stop();
    });
  },
);
