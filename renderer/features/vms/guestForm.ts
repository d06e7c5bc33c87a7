// The New VM / New Container form where the cluster's API offers per-node
// choices (capability 'guest-create'): its fields as typed, the first picks
// from what the cluster offers, the spec sent, and the errors each step
// shows. Kept apart from GuestWizard.tsx so it is tested without React.
import {
  guestSpecSchema,
  type GuestNode,
  type GuestOptions,
  type GuestSpecInput,
} from '../../../shared/guest-create';
import { formatBytes } from '../../ui/format';

export type GuestKind = 'vm' | 'container';

export interface GuestForm {
  hostId: string;
  kind: GuestKind;
  node: string;
  vmid: string;
  name: string;
  ostype: string;
  /** '' leaves the CD drive empty. */
  iso: string;
  template: string;
  password: string;
  sshKeys: string;
  storage: string;
  diskGiB: string;
  memoryMiB: string;
  cores: string;
  bridge: string;
  addressing: 'dhcp' | 'static';
  cidr: string;
  gateway: string;
  start: boolean;
}

export const GUEST_STEPS = ['General', 'Disk, CPU and memory', 'Network', 'Summary'];

/** The spec's fields each step checks before the wizard moves past it. */
export const GUEST_STEP_FIELDS: string[][] = [
  [
    'hostId',
    'node',
    'vmid',
    'name',
    'hostname',
    'ostype',
    'iso',
    'template',
    'password',
    'sshKeys',
  ],
  ['storage', 'diskGiB', 'memoryMiB', 'cores'],
  ['bridge', 'address'],
];

/** What the storage must be able to hold for the guest's disk. */
export const diskContent = (kind: GuestKind): string => (kind === 'vm' ? 'images' : 'rootdir');

/** Sizes the web interface's wizards start from: a VM 32 GiB / 2 GiB / 2 cores, a container 8 / 512 MiB / 1. */
const SIZES: Record<GuestKind, Pick<GuestForm, 'diskGiB' | 'memoryMiB' | 'cores'>> = {
  vm: { diskGiB: '32', memoryMiB: '2048', cores: '2' },
  container: { diskGiB: '8', memoryMiB: '512', cores: '1' },
};

export function initialGuestForm(hostId: string): GuestForm {
  return {
    hostId,
    kind: 'vm',
    node: '',
    vmid: '',
    name: '',
    ostype: '',
    iso: '',
    template: '',
    password: '',
    sshKeys: '',
    storage: '',
    ...SIZES.vm,
    bridge: '',
    addressing: 'dhcp',
    cidr: '',
    gateway: '',
    start: false,
  };
}

/** The storages of the node that can hold the guest's disk, the roomiest first. */
export function diskStorages(node: GuestNode | undefined, kind: GuestKind) {
  return (node?.storages ?? [])
    .filter((s) => s.content.includes(diskContent(kind)))
    .sort((a, b) => b.availBytes - a.availBytes);
}

export const storageLabel = (s: { id: string; type: string; availBytes: number }): string =>
  `${s.id} (${s.type}, ${formatBytes(s.availBytes)} free)`;

/** First picks on a node (and for a kind): its first online node's roomiest storage, vmbr0. */
export function pickOnNode(f: GuestForm, o: GuestOptions): GuestForm {
  const usable = (n: GuestNode) => n.online && !n.error;
  const node = o.nodes.find((n) => n.name === f.node && usable(n)) ?? o.nodes.find(usable);
  const storages = diskStorages(node, f.kind);
  const keep = <T extends string>(v: T, list: readonly T[]): T | undefined =>
    list.includes(v) ? v : undefined;
  return {
    ...f,
    node: node?.name ?? '',
    vmid: f.vmid || String(o.nextId),
    ostype: f.ostype || o.defaultOsType,
    iso: keep(f.iso, node?.isos.map((i) => i.volid) ?? []) ?? '',
    template:
      keep(f.template, node?.templates.map((t) => t.volid) ?? []) ??
      node?.templates[0]?.volid ??
      '',
    storage:
      keep(
        f.storage,
        storages.map((s) => s.id),
      ) ??
      storages[0]?.id ??
      '',
    bridge: keep(f.bridge, node?.bridges ?? []) ?? node?.bridges[0] ?? '',
  };
}

/** Another kind of guest: its own sizes, and a storage that holds its disk. */
export function withKind(f: GuestForm, kind: GuestKind, o: GuestOptions | undefined): GuestForm {
  const next = { ...f, kind, ...SIZES[kind] };
  return o ? pickOnNode(next, o) : next;
}

const int = (v: string): number => (v.trim() === '' ? NaN : Number(v));

export function toGuestSpec(f: GuestForm): GuestSpecInput {
  const common = {
    node: f.node,
    vmid: int(f.vmid),
    storage: f.storage,
    diskGiB: int(f.diskGiB),
    memoryMiB: int(f.memoryMiB),
    cores: int(f.cores),
    bridge: f.bridge,
    start: f.start,
  };
  if (f.kind === 'vm')
    return {
      kind: 'vm',
      ...common,
      name: f.name.trim(),
      ostype: f.ostype,
      ...(f.iso ? { iso: f.iso } : {}),
    };
  return {
    kind: 'container',
    ...common,
    hostname: f.name.trim(),
    template: f.template,
    ...(f.password ? { password: f.password } : {}),
    ...(f.sshKeys.trim() ? { sshKeys: f.sshKeys.trim() } : {}),
    address:
      f.addressing === 'dhcp'
        ? { kind: 'dhcp' }
        : {
            kind: 'static',
            cidr: f.cidr.trim(),
            ...(f.gateway.trim() ? { gateway: f.gateway.trim() } : {}),
          },
    unprivileged: true,
  };
}

/** The message shown under each field, by the spec's field name. */
export function guestErrors(f: GuestForm, o: GuestOptions | undefined): Record<string, string> {
  const errors: Record<string, string> = {};
  const parsed = guestSpecSchema.safeParse(toGuestSpec(f));
  if (!parsed.success)
    for (const issue of parsed.error.issues) {
      const k = String(issue.path[0] ?? '');
      errors[k] ??= issue.message;
    }
  if (!o) errors['hostId'] = 'Wait until the cluster’s choices are read.';
  const taken = o?.usedIds.find((u) => u.vmid === int(f.vmid));
  if (taken) errors['vmid'] = `Taken by ${taken.name} on ${taken.node}; ${o!.nextId} is free.`;
  if (!f.name.trim())
    errors[f.kind === 'vm' ? 'name' : 'hostname'] =
      f.kind === 'vm' ? 'Name the VM.' : 'Give the container a host name.';
  if (f.kind === 'container' && !f.template) errors['template'] = 'The node has no template.';
  if (f.kind === 'container' && !f.password && !f.sshKeys.trim())
    errors['password'] = 'Give root a password or an SSH key.';
  if (!f.storage) errors['storage'] = 'The node has no storage for this.';
  if (!f.bridge) errors['bridge'] = 'The node has no bridge.';
  return errors;
}
