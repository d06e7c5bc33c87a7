// New VM and New Container on Proxmox VE: the spec as the one API call that
// creates the guest (`POST /nodes/{node}/qemu` or `/lxc`, a worker task;
// `start=1` starts it at the end of that task, as the web interface's
// "Start after created" does), the pvesh command shown for it, and what
// stands in the way given what the cluster offers (guest-options.ts).
// Pure: the driver runs the call (runWorker) and reads the options.
import type {
  GuestOptions,
  GuestPlanStep,
  GuestSpec,
  NewContainerSpec,
  NewVmSpec,
} from '../../../shared/guest-create';
import { pveshCommand, type PveParams } from './pvesh';

const GiB = 1024 ** 3;

/** The API call that creates the guest; `hidden` names the secret parameters. */
export interface GuestCall {
  path: string;
  params: PveParams;
  hidden: string[];
}

/**
 * A new VM as the web interface's wizard makes it with its defaults: a
 * VirtIO SCSI single controller with an iothread disk, the x86-64-v2-AES
 * CPU type, a VirtIO NIC behind the firewall, the CD drive holding the ISO
 * (or empty), booting from the disk, then the CD, then the network.
 */
function vmParams(s: NewVmSpec): PveParams {
  return {
    vmid: s.vmid,
    name: s.name,
    ostype: s.ostype,
    memory: s.memoryMiB,
    cores: s.cores,
    sockets: 1,
    cpu: 'x86-64-v2-AES',
    scsihw: 'virtio-scsi-single',
    // `<storage>:<GiB>` asks PVE to allocate a new volume of that size.
    scsi0: `${s.storage}:${s.diskGiB},iothread=1`,
    ide2: `${s.iso ?? 'none'},media=cdrom`,
    net0: `virtio,bridge=${s.bridge},firewall=1`,
    boot: 'order=scsi0;ide2;net0',
    start: s.start ? 1 : undefined,
  };
}

function containerNet(s: NewContainerSpec): string {
  const a = s.address;
  const ip = a.kind === 'dhcp' ? 'ip=dhcp' : `ip=${a.cidr}${a.gateway ? `,gw=${a.gateway}` : ''}`;
  return `name=eth0,bridge=${s.bridge},firewall=1,${ip}`;
}

/** A new container as the web interface's wizard makes it: 512 MiB of swap, eth0 on the bridge. */
function containerParams(s: NewContainerSpec): PveParams {
  return {
    vmid: s.vmid,
    hostname: s.hostname,
    ostemplate: s.template,
    password: s.password,
    'ssh-public-keys': s.sshKeys,
    rootfs: `${s.storage}:${s.diskGiB}`,
    memory: s.memoryMiB,
    swap: 512,
    cores: s.cores,
    net0: containerNet(s),
    unprivileged: s.unprivileged ? 1 : 0,
    start: s.start ? 1 : undefined,
  };
}

export function guestCall(spec: GuestSpec): GuestCall {
  return spec.kind === 'vm'
    ? { path: `/nodes/${spec.node}/qemu`, params: vmParams(spec), hidden: [] }
    : {
        path: `/nodes/${spec.node}/lxc`,
        params: containerParams(spec),
        // The password is a secret. The keys are public, but who may log in as root
        // is not the Tasks pane's business either: both are shown masked.
        hidden: ['password', 'ssh-public-keys'],
      };
}

export function guestLabel(spec: GuestSpec): string {
  return spec.kind === 'vm' ? spec.name : spec.hostname;
}

const fmtGiB = (bytes: number): string => `${(bytes / GiB).toFixed(bytes < 10 * GiB ? 1 : 0)} GiB`;

/** What stands in the way of the spec on the cluster the options describe. */
export function guestProblems(spec: GuestSpec, o: GuestOptions): string[] {
  const problems: string[] = [];
  const what = spec.kind === 'vm' ? 'VM' : 'container';
  const taken = o.usedIds.find((u) => u.vmid === spec.vmid);
  if (taken)
    problems.push(
      `ID ${spec.vmid} is taken by ${taken.name} on ${taken.node}; ${o.cluster} proposes ${o.nextId}.`,
    );
  const node = o.nodes.find((n) => n.name === spec.node);
  if (!node) {
    problems.push(`${o.cluster} has no node ${spec.node}.`);
    return problems;
  }
  if (!node.online) problems.push(`${node.name} is offline.`);
  else if (node.error) problems.push(`${node.name}'s storages could not be read: ${node.error}`);
  const storage = node.storages.find((s) => s.id === spec.storage);
  const needs = spec.kind === 'vm' ? 'images' : 'rootdir';
  const holds = spec.kind === 'vm' ? 'VM disks' : 'container volumes';
  if (!storage) problems.push(`${node.name} has no active storage ${spec.storage}.`);
  else if (!storage.content.includes(needs))
    problems.push(
      `${storage.id} does not hold ${holds} (its content: ${storage.content.join(', ') || 'none'}; PVE's "${needs}" is missing).`,
    );
  else if (spec.diskGiB * GiB > storage.availBytes)
    problems.push(
      `${storage.id} has ${fmtGiB(storage.availBytes)} free on ${node.name}; the ${what}'s disk wants ${spec.diskGiB} GiB.`,
    );
  if (spec.memoryMiB > node.memoryMiB)
    problems.push(
      `${node.name} has ${node.memoryMiB} MiB of memory; the ${what} asks ${spec.memoryMiB} MiB.`,
    );
  if (spec.cores > node.cpus)
    problems.push(`${node.name} has ${node.cpus} CPUs; the ${what} asks ${spec.cores} cores.`);
  if (!node.bridges.includes(spec.bridge))
    problems.push(
      `${node.name} has no bridge ${spec.bridge} (it has ${node.bridges.join(', ') || 'none'}).`,
    );
  if (spec.kind === 'vm') {
    if (!o.osTypes.some((t) => t.value === spec.ostype))
      problems.push(`${spec.ostype} is not an OS type Proxmox VE knows.`);
    if (spec.iso && !node.isos.some((i) => i.volid === spec.iso))
      problems.push(`${node.name} does not see the ISO image ${spec.iso}.`);
  } else {
    if (!node.templates.some((t) => t.volid === spec.template))
      problems.push(`${node.name} does not see the container template ${spec.template}.`);
    if (!spec.password && !spec.sshKeys)
      problems.push(
        'Give root a password or an SSH key: without either, nobody can log in to the container.',
      );
  }
  return problems;
}

/** The plan: the command shown (secrets masked) and what stands in the way. */
export function planGuest(
  spec: GuestSpec,
  o: GuestOptions,
): { steps: GuestPlanStep[]; problems: string[] } {
  const call = guestCall(spec);
  const kind = spec.kind === 'vm' ? 'VM' : 'container';
  const title = `Create ${kind} ${spec.vmid} (${guestLabel(spec)}) on ${spec.node}${spec.start ? ' and start it' : ''}`;
  return {
    steps: [{ title, command: pveshCommand('POST', call.path, call.params, call.hidden) }],
    problems: guestProblems(spec, o),
  };
}

/**
 * The removal of a stopped guest: its config, its disks (also those no
 * config references, left by a failed move) and its entries in backup jobs,
 * replication and HA (`purge`), as the web interface's Remove with both boxes ticked.
 */
export function deleteGuestCall(node: string, type: 'qemu' | 'lxc', vmid: number): GuestCall {
  return {
    path: `/nodes/${node}/${type}/${vmid}`,
    params: { purge: 1, 'destroy-unreferenced-disks': 1 },
    hidden: [],
  };
}
