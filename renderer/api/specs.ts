// Typed builders of the specs the wizards send. Each returns the contract's
// own input type (z.input of the method's params schema), so a wizard's
// draft type-checks against the contract with no cast; the schema checks
// the content, as the wizard's field errors and then the backend do.
import {
  NETFS_FORMATS,
  type PoolSpecInput,
  type PoolType,
  type VolumeFormat,
} from '../../shared/storage';
import {
  PROFILE_HARDWARE,
  type OsProfile,
  type VmCpuChoice,
  type VmSpecInput,
} from '../../shared/vm';
import type { OsVariant } from '../../shared/osinfo';

export type PoolField =
  | 'name'
  | 'targetPath'
  | 'format'
  | 'host'
  | 'port'
  | 'sourcePath'
  | 'target'
  | 'initiator'
  | 'volumeGroup'
  | 'devices'
  | 'volume'
  | 'monitors'
  | 'cephPool'
  | 'user'
  | 'key'
  | 'zpool';

/** New Storage Pool's text fields, as typed. */
export type PoolFields = Record<PoolField, string>;

const list = (s: string) =>
  s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);

/** New Storage Pool's spec (also New Cluster's shared pool), from what the form holds. */
export function poolSpecDraft(type: PoolType, f: PoolFields): PoolSpecInput {
  const name = f.name.trim();
  switch (type) {
    case 'dir':
      return { type, name, targetPath: f.targetPath };
    case 'netfs':
      return {
        type,
        name,
        // The form offers exactly these in a select.
        format: NETFS_FORMATS.find((x) => x === f.format) ?? 'nfs',
        host: f.host,
        sourcePath: f.sourcePath,
        targetPath: f.targetPath,
      };
    case 'iscsi':
      return {
        type,
        name,
        host: f.host,
        port: f.port,
        target: f.target,
        ...(f.initiator.trim() ? { initiator: f.initiator } : {}),
      };
    case 'iscsi-direct':
      return { type, name, host: f.host, port: f.port, target: f.target, initiator: f.initiator };
    case 'logical':
      return { type, name, volumeGroup: f.volumeGroup, devices: list(f.devices) };
    case 'gluster':
      return { type, name, host: f.host, volume: f.volume };
    case 'rbd':
      return {
        type,
        name,
        monitors: list(f.monitors).map((m) => {
          const [host = '', port] = m.split(/:(?=\d+$)/);
          return port ? { host, port } : { host };
        }),
        cephPool: f.cephPool,
        ...(f.user.trim() ? { user: f.user } : {}),
        ...(f.key.trim() ? { key: f.key } : {}),
      };
    case 'zfs':
      return { type, name, zpool: f.zpool, devices: list(f.devices) };
  }
}

type DiskKind = 'new' | 'existing' | 'none';
type BootKind = 'iso' | 'network' | 'kernel' | 'none';
type NetKind = 'network' | 'bridge' | 'none';

/** New VM's form as the user fills it (numbers as typed, kinds as chosen). */
export interface VmForm {
  name: string;
  hostId: string;
  os: OsProfile;
  /** libosinfo's short id of the chosen variant; empty for a generic profile. */
  osVariant: string;
  firmware: 'bios' | 'efi';
  secureBoot: boolean;
  tpm: boolean;
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

/** New VM's spec from its form; diskBytes is the size field as read (0 when unreadable). */
export function vmSpecDraft(f: VmForm, diskBytes: number, variant?: OsVariant): VmSpecInput {
  // The variant's devices (or the profile's), with the firmware the user chose.
  const base = variant?.hardware ?? PROFILE_HARDWARE[f.os];
  const secureBoot = f.firmware === 'efi' && f.secureBoot;
  return {
    name: f.name.trim(),
    os: f.os,
    ...(variant
      ? { osVariant: { id: variant.id, shortId: variant.shortId, family: variant.family } }
      : {}),
    hardware: {
      ...base,
      firmware: f.firmware,
      secureBoot,
      tpm: f.tpm,
      // Secure Boot's SMM needs q35; so do its SATA-only disks.
      q35: base.q35 || secureBoot,
    },
    kvm: f.kvm,
    cpu: f.cpu,
    vcpus: Number(f.vcpus),
    memoryMiB: Number(f.memoryMiB),
    disk:
      f.disk === 'new'
        ? {
            kind: 'new',
            poolId: f.diskPool,
            bytes: diskBytes,
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
