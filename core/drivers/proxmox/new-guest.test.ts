import { describe, expect, it } from 'vitest';
import { guestSpecSchema, type GuestOptions } from '../../../shared/guest-create';
import type { PveApiClient } from './api-client';
import {
  PVE_OS_TYPES,
  readGuestOptions,
  parseBridges,
  parseNodeStorages,
  parseVolumes,
  volumeLabel,
} from './guest-options';
import { deleteGuestCall, guestCall, guestProblems, planGuest } from './new-guest';

const GiB = 1024 ** 3;

const options: GuestOptions = {
  cluster: 'lab',
  nextId: 105,
  usedIds: [{ vmid: 100, name: 'web01', node: 'pve1' }],
  nodes: [
    {
      name: 'pve1',
      online: true,
      cpus: 4,
      memoryMiB: 8192,
      storages: [
        {
          id: 'local',
          type: 'dir',
          content: ['iso', 'vztmpl'],
          availBytes: 50 * GiB,
          shared: false,
        },
        {
          id: 'local-lvm',
          type: 'lvmthin',
          content: ['images', 'rootdir'],
          availBytes: 30 * GiB,
          shared: false,
        },
      ],
      bridges: ['vmbr0'],
      isos: [{ volid: 'local:iso/debian.iso', label: 'debian.iso', sizeBytes: 1 }],
      templates: [{ volid: 'local:vztmpl/debian.tar.zst', label: 'debian.tar.zst', sizeBytes: 1 }],
    },
    {
      name: 'pve2',
      online: false,
      cpus: 0,
      memoryMiB: 0,
      storages: [],
      bridges: [],
      isos: [],
      templates: [],
    },
  ],
  osTypes: [...PVE_OS_TYPES],
  defaultOsType: 'l26',
  commands: [],
};

const vm = (over: Record<string, unknown> = {}) =>
  guestSpecSchema.parse({
    kind: 'vm',
    node: 'pve1',
    vmid: 105,
    name: 'web02',
    ostype: 'l26',
    storage: 'local-lvm',
    diskGiB: 10,
    memoryMiB: 1024,
    cores: 2,
    bridge: 'vmbr0',
    start: false,
    ...over,
  });

const ct = (over: Record<string, unknown> = {}) =>
  guestSpecSchema.parse({
    kind: 'container',
    node: 'pve1',
    vmid: 106,
    hostname: 'ct1',
    template: 'local:vztmpl/debian.tar.zst',
    password: 'secret1',
    storage: 'local-lvm',
    diskGiB: 4,
    memoryMiB: 512,
    cores: 1,
    bridge: 'vmbr0',
    address: { kind: 'dhcp' },
    start: true,
    ...over,
  });

describe('New VM / New Container on Proxmox VE: the plan', () => {
  it('makes the VM as the web interface does, with an empty CD drive when no ISO is chosen', () => {
    const plan = planGuest(vm(), options);
    expect(plan.problems).toEqual([]);
    expect(plan.steps).toEqual([
      {
        title: 'Create VM 105 (web02) on pve1',
        command:
          "pvesh create /nodes/pve1/qemu --vmid 105 --name web02 --ostype l26 --memory 1024 --cores 2 --sockets 1 --cpu x86-64-v2-AES --scsihw virtio-scsi-single --scsi0 local-lvm:10,iothread=1 --ide2 none,media=cdrom --net0 virtio,bridge=vmbr0,firewall=1 --boot 'order=scsi0;ide2;net0'",
      },
    ]);
    expect(guestCall(vm({ iso: 'local:iso/debian.iso', start: true })).params).toMatchObject({
      ide2: 'local:iso/debian.iso,media=cdrom',
      start: 1,
    });
  });

  it('masks the password and the keys in the command shown, not in the call', () => {
    const spec = ct({ sshKeys: 'ssh-ed25519 AAAAkey root@desk' });
    const [step] = planGuest(spec, options).steps;
    expect(step!.title).toBe('Create container 106 (ct1) on pve1 and start it');
    expect(step!.command).toContain('--password <hidden> --ssh-public-keys <hidden>');
    expect(step!.command).not.toContain('secret1');
    expect(step!.command).toContain('--net0 name=eth0,bridge=vmbr0,firewall=1,ip=dhcp');
    const call = guestCall(spec);
    expect(call.params).toMatchObject({ password: 'secret1', unprivileged: 1, start: 1 });
    expect(call.hidden).toEqual(['password', 'ssh-public-keys']);
  });

  it('finds what stands in the way before Finish', () => {
    expect(
      guestProblems(
        vm({ vmid: 100, memoryMiB: 16384, cores: 8, bridge: 'vmbr9', diskGiB: 31 }),
        options,
      ),
    ).toEqual([
      'ID 100 is taken by web01 on pve1; lab proposes 105.',
      "local-lvm has 30 GiB free on pve1; the VM's disk wants 31 GiB.",
      'pve1 has 8192 MiB of memory; the VM asks 16384 MiB.',
      'pve1 has 4 CPUs; the VM asks 8 cores.',
      'pve1 has no bridge vmbr9 (it has vmbr0).',
    ]);
    expect(guestProblems(vm({ storage: 'local', iso: 'local:iso/other.iso' }), options)).toEqual([
      'local does not hold VM disks (its content: iso, vztmpl; PVE\'s "images" is missing).',
      'pve1 does not see the ISO image local:iso/other.iso.',
    ]);
    expect(guestProblems(vm({ node: 'pve2' }), options)).toContain('pve2 is offline.');
    const unread = { ...options, nodes: [{ ...options.nodes[0]!, error: 'timed out' }] };
    expect(guestProblems(vm(), unread)[0]).toBe("pve1's storages could not be read: timed out");
    expect(guestProblems(vm({ ostype: 'beos' }), options)).toEqual([
      'beos is not an OS type Proxmox VE knows.',
    ]);
    expect(
      guestProblems(ct({ password: undefined, template: 'local:vztmpl/x.tar.gz' }), options),
    ).toEqual([
      'pve1 does not see the container template local:vztmpl/x.tar.gz.',
      'Give root a password or an SSH key: without either, nobody can log in to the container.',
    ]);
  });

  it('refuses names PVE refuses and passwords shorter than PVE allows', () => {
    expect(() => vm({ name: 'web_02' })).toThrow();
    expect(() => vm({ name: '-web' })).toThrow();
    expect(() => vm({ vmid: 99 })).toThrow();
    expect(() => ct({ password: 'abc' })).toThrow();
    expect(() => ct({ address: { kind: 'static', cidr: '192.0.2.5' } })).toThrow(/prefix/);
  });

  it('deletes with purge and the unreferenced disks', () => {
    expect(deleteGuestCall('pve1', 'lxc', 200)).toEqual({
      path: '/nodes/pve1/lxc/200',
      params: { purge: 1, 'destroy-unreferenced-disks': 1 },
      hidden: [],
    });
  });
});

describe('New VM / New Container on Proxmox VE: reading the options', () => {
  it('keeps active, enabled storages with their content sorted', () => {
    expect(
      parseNodeStorages([
        { storage: 'b', type: 'nfs', content: 'iso,images', active: 1, enabled: 1, avail: 5 },
        { storage: 'a', type: 'dir', content: 'vztmpl', active: 0, enabled: 1, avail: 5 },
        { storage: 'c', type: 'rbd', content: 'rootdir', active: 1, enabled: 0, avail: 5 },
      ]),
    ).toEqual([{ id: 'b', type: 'nfs', content: ['images', 'iso'], availBytes: 5, shared: false }]);
  });

  it('keeps bridges (Linux and OVS), vmbr2 before vmbr10', () => {
    expect(
      parseBridges([
        { iface: 'vmbr10', type: 'bridge' },
        { iface: 'eno1', type: 'eth' },
        { iface: 'vmbr2', type: 'OVSBridge' },
      ]),
    ).toEqual(['vmbr2', 'vmbr10']);
  });

  it('names volumes by their file', () => {
    expect(volumeLabel('nfs:iso/a.iso')).toBe('a.iso');
    expect(
      parseVolumes(
        [
          { volid: 'local:vztmpl/z.tar.zst', content: 'vztmpl', size: 2 },
          { volid: 'local:iso/a.iso', content: 'iso', size: 1 },
        ],
        'vztmpl',
      ),
    ).toEqual([{ volid: 'local:vztmpl/z.tar.zst', label: 'z.tar.zst', sizeBytes: 2 }]);
  });
});

describe('readGuestOptions', () => {
  it('reads every online node; one that fails is kept with its error, the others offered', async () => {
    const asked: string[] = [];
    const answers: Record<string, unknown> = {
      '/cluster/resources': [
        { type: 'node', node: 'pve1', status: 'online', maxcpu: 4, maxmem: 8 * GiB },
        { type: 'node', node: 'pve2', status: 'online', maxcpu: 4, maxmem: 8 * GiB },
        { type: 'node', node: 'pve3', status: 'offline' },
        { type: 'qemu', vmid: 100, node: 'pve1', name: 'web01', status: 'running' },
      ],
      '/cluster/nextid': '101',
      '/nodes/pve1/storage': [
        { storage: 'local', type: 'dir', content: 'iso,images', active: 1, avail: GiB },
      ],
      '/nodes/pve1/network': [{ iface: 'vmbr0', type: 'bridge' }],
      '/nodes/pve1/storage/local/content': [{ volid: 'local:iso/a.iso', content: 'iso', size: 5 }],
    };
    const api = {
      get: (path: string) => {
        asked.push(path);
        if (path.startsWith('/nodes/pve2/')) return Promise.reject(new Error('pve2: no route'));
        return Promise.resolve(answers[path]);
      },
    } as unknown as PveApiClient;
    const o = await readGuestOptions(api, 'lab');
    expect(o.nextId).toBe(101);
    expect(o.usedIds).toEqual([{ vmid: 100, name: 'web01', node: 'pve1' }]);
    expect(o.nodes.map((n) => [n.name, n.online, n.error])).toEqual([
      ['pve1', true, undefined],
      ['pve2', true, 'pve2: no route'],
      ['pve3', false, undefined],
    ]);
    expect(o.nodes[0]).toMatchObject({
      memoryMiB: 8192,
      bridges: ['vmbr0'],
      isos: [{ volid: 'local:iso/a.iso', label: 'a.iso', sizeBytes: 5 }],
      templates: [],
    });
    // No read of an offline node; the ISO listing only where a storage holds ISO images.
    expect(asked.some((p) => p.startsWith('/nodes/pve3'))).toBe(false);
    expect(o.commands).toContain('pvesh get /nodes/pve1/storage/local/content --content iso');
    expect(o.commands.some((c) => c.includes('--content vztmpl'))).toBe(false);
  });
});
