// New VM's form: what the wizard holds, the spec it makes of it for the
// contract, and the contract's errors mapped back onto its fields.
import type { VolumeFormat } from '../../../shared/storage';
import { vmSpecSchema, type OsProfile, type VmCpuChoice } from '../../../shared/vm';
import { parseSize } from '../../../shared/units';
import type { Host } from '../../../shared/model';

export type DiskKind = 'new' | 'existing' | 'none';
export type BootKind = 'iso' | 'network' | 'kernel' | 'none';
export type NetKind = 'network' | 'bridge' | 'none';

export interface Form {
  name: string;
  hostId: string;
  os: OsProfile;
  kvm: boolean;
  cpu: VmCpuChoice;
  vcpus: string;
  memoryMiB: string;
  disk: DiskKind;
  diskPool: string;
  diskSize: string;
  diskFormat: VolumeFormat;
  diskVolume: string;
  boot: BootKind;
  isoPool: string;
  isoVolume: string;
  kernel: string;
  initrd: string;
  cmdline: string;
  net: NetKind;
  netName: string;
  bridge: string;
  graphics: 'vnc' | 'spice' | 'none';
  serial: boolean;
  start: boolean;
  openConsole: boolean;
}

export const STEPS = [
  'Name and OS',
  'CPU and memory',
  'Disk',
  'Install media',
  'Network and console',
  'Summary',
];

/** A new form, on the node chosen first. */
export function initialForm(firstHost: Host | undefined): Form {
  return {
    name: '',
    hostId: firstHost?.id ?? '',
    os: 'linux',
    kvm: firstHost?.info?.virtualization === 'kvm',
    cpu: 'host-passthrough',
    vcpus: '1',
    memoryMiB: '1024',
    disk: 'new',
    diskPool: '',
    diskSize: '10G',
    diskFormat: 'qcow2',
    diskVolume: '',
    boot: 'iso',
    isoPool: '',
    isoVolume: '',
    kernel: '',
    initrd: '',
    cmdline: '',
    net: 'network',
    netName: '',
    bridge: '',
    graphics: 'vnc',
    serial: true,
    start: true,
    openConsole: true,
  };
}

export function toSpec(f: Form): unknown {
  return {
    name: f.name.trim(),
    os: f.os,
    kvm: f.kvm,
    cpu: f.cpu,
    vcpus: Number(f.vcpus),
    memoryMiB: Number(f.memoryMiB),
    disk:
      f.disk === 'new'
        ? {
            kind: 'new',
            poolId: f.diskPool,
            bytes: parseSize(f.diskSize) ?? 0,
            format: f.diskFormat,
          }
        : f.disk === 'existing'
          ? { kind: 'existing', poolId: f.diskPool, volume: f.diskVolume }
          : { kind: 'none' },
    boot:
      f.boot === 'iso'
        ? { kind: 'iso', poolId: f.isoPool, volume: f.isoVolume }
        : f.boot === 'kernel'
          ? {
              kind: 'kernel',
              kernel: f.kernel,
              ...(f.initrd.trim() ? { initrd: f.initrd } : {}),
              cmdline: f.cmdline,
            }
          : { kind: f.boot },
    network:
      f.net === 'network'
        ? { kind: 'network', name: f.netName }
        : f.net === 'bridge'
          ? { kind: 'bridge', name: f.bridge }
          : { kind: 'none' },
    graphics: f.graphics,
    serial: f.serial,
    start: f.start,
  };
}

/** Field errors by the form's own keys, from the contract's schema. */
export function errorsOf(f: Form): Record<string, string> {
  const out: Record<string, string> = {};
  const r = vmSpecSchema.safeParse(toSpec(f));
  if (r.success) return out;
  for (const issue of r.error.issues) {
    const [a, b] = issue.path.map(String);
    const key =
      a === 'disk'
        ? b === 'bytes'
          ? 'diskSize'
          : b === 'volume'
            ? 'diskVolume'
            : 'diskPool'
        : a === 'boot'
          ? b === 'volume'
            ? 'isoVolume'
            : b === 'poolId'
              ? 'isoPool'
              : (b ?? 'kernel')
          : a === 'network'
            ? f.net === 'bridge'
              ? 'bridge'
              : 'netName'
            : (a ?? 'name');
    out[key] ??= issue.message;
  }
  if (f.disk === 'new' && !parseSize(f.diskSize))
    out['diskSize'] = 'A size such as 512M, 20G or 1.5T.';
  return out;
}

/** Which fields each step asks for, to check before moving on. */
export const STEP_FIELDS: string[][] = [
  ['name', 'hostId'],
  ['vcpus', 'memoryMiB'],
  ['diskPool', 'diskSize', 'diskVolume'],
  ['isoPool', 'isoVolume', 'kernel', 'initrd', 'cmdline'],
  ['netName', 'bridge'],
  [],
];
