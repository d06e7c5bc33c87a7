// A new VM's domain XML, built from the typed spec with a real XML builder.
// Disks and ISOs are referenced by pool and volume name (type='volume'), so
// no path is ever pieced together. https://libvirt.org/formatdomain.html
import { XMLBuilder } from 'fast-xml-parser';
import type { CpuModel } from '../../../shared/cluster';
import type { CephSource } from '../../../shared/model';
import { PROFILE_HARDWARE, type VmSpec } from '../../../shared/vm';

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  format: true,
  suppressEmptyNode: true,
});

/** A volume a disk uses: by pool and name, or on Ceph where libvirt needs the image's address. */
export interface DiskVolume {
  pool: string;
  volume: string;
  format: string;
  ceph?: CephSource;
}

/** Where the disks and media live: names resolved from the pools' ids. */
export interface VmStorage {
  disk?: DiskVolume;
  iso?: { pool: string; volume: string };
}

/**
 * The type and source of a disk element. libvirt 9 cannot start a guest with
 * a type='volume' disk from an rbd pool, so those name the image, monitors
 * and secret as a network disk.
 */
export function diskSource(v: DiskVolume): Record<string, unknown> {
  if (!v.ceph) return { '@type': 'volume', source: { '@pool': v.pool, '@volume': v.volume } };
  const { ceph } = v;
  return {
    '@type': 'network',
    ...(ceph.auth
      ? {
          auth: {
            '@username': ceph.auth.user,
            secret: { '@type': 'ceph', '@uuid': ceph.auth.secretUuid },
          },
        }
      : {}),
    source: {
      '@protocol': 'rbd',
      '@name': `${ceph.pool}/${v.volume}`,
      host: ceph.monitors.map((m) => ({ '@name': m.host, '@port': String(m.port) })),
    },
  };
}

/** A disk element for a volume: the first disk of a new VM, or one the settings editor adds. */
export function diskElement(
  v: DiskVolume,
  target: { dev: string; bus: string },
): Record<string, unknown> {
  const { '@type': type, ...source } = diskSource(v);
  return {
    '@type': type,
    '@device': 'disk',
    driver: { '@name': 'qemu', '@type': v.format },
    ...source,
    target: { '@dev': target.dev, '@bus': target.bus },
  };
}

/** An empty CD/DVD drive, for media changed later (`change-media`). */
export function cdromElement(target: { dev: string; bus: string }): Record<string, unknown> {
  return {
    '@type': 'file',
    '@device': 'cdrom',
    driver: { '@name': 'qemu', '@type': 'raw' },
    target: { '@dev': target.dev, '@bus': target.bus },
    readonly: '',
  };
}

export type NicSource = { kind: 'network' | 'bridge'; name: string };

export function nicElement(nic: NicSource, model: string): Record<string, unknown> {
  return {
    '@type': nic.kind,
    source: nic.kind === 'network' ? { '@network': nic.name } : { '@bridge': nic.name },
    model: { '@type': model },
  };
}

/** One element as XML text, for the definition editor to graft into a document. */
export function buildElement(tag: string, body: Record<string, unknown>): string {
  return builder.build({ [tag]: body }) as string;
}

/** A CPU model with its features: the element libvirt's baseline gave, rebuilt. */
function cpuElement(cpu: CpuModel): Record<string, unknown> {
  return {
    '@mode': 'custom',
    '@match': 'exact',
    model: { '@fallback': 'forbid', '#text': cpu.model },
    ...(cpu.vendor ? { vendor: cpu.vendor } : {}),
    ...(cpu.features.length
      ? { feature: cpu.features.map((f) => ({ '@policy': f.policy, '@name': f.name })) }
      : {}),
  };
}

/** `cpu` is the cluster's CPU when the spec asks for it (resolved by the backend). */
export function buildDomainXml(spec: VmSpec, storage: VmStorage, cpu?: CpuModel): string {
  const kvm = spec.kvm;
  const hw = spec.hardware ?? PROFILE_HARDWARE[spec.os];
  // q35 has no IDE controller: its disks and CD-ROMs go on SATA.
  const diskBus = hw.q35 && hw.diskBus === 'ide' ? 'sata' : hw.diskBus;
  const windows = spec.osVariant ? spec.osVariant.family === 'winnt' : spec.os === 'windows';
  const devices: Record<string, unknown> = {};

  const disks: unknown[] = [];
  if (storage.disk) {
    disks.push(
      diskElement(storage.disk, {
        dev: diskBus === 'virtio' ? 'vda' : diskBus === 'sata' ? 'sda' : 'hda',
        bus: diskBus,
      }),
    );
  }
  if (storage.iso) {
    disks.push({
      '@type': 'volume',
      '@device': 'cdrom',
      driver: { '@name': 'qemu', '@type': 'raw' },
      source: { '@pool': storage.iso.pool, '@volume': storage.iso.volume },
      target:
        diskBus !== 'ide' ? { '@dev': 'sdb', '@bus': 'sata' } : { '@dev': 'hdc', '@bus': 'ide' },
      readonly: '',
    });
  }
  if (disks.length) devices['disk'] = disks;

  if (spec.network.kind !== 'none') {
    devices['interface'] = nicElement(spec.network, hw.nic);
  }
  if (spec.serial) {
    devices['serial'] = { '@type': 'pty', target: { '@port': '0' } };
    devices['console'] = { '@type': 'pty', target: { '@type': 'serial', '@port': '0' } };
  }
  // Windows 11 asks for TPM 2.0; swtpm emulates one, its state kept by libvirt.
  if (hw.tpm)
    devices['tpm'] = { '@model': 'tpm-crb', backend: { '@type': 'emulator', '@version': '2.0' } };
  // An absolute pointer, so the console's mouse lands where it is pointed.
  devices['input'] = { '@type': 'tablet', '@bus': 'usb' };
  if (spec.graphics !== 'none') {
    // The safe default: listen on the node's loopback only; consoles come
    // through the node's SSH, never through an open port.
    devices['graphics'] = {
      '@type': spec.graphics,
      '@autoport': 'yes',
      '@listen': '127.0.0.1',
      listen: { '@type': 'address', '@address': '127.0.0.1' },
    };
    devices['video'] = { model: { '@type': hw.video } };
  }

  // Boot order: the install medium first, then the disk.
  const boot =
    spec.boot.kind === 'kernel'
      ? []
      : [
          ...(spec.boot.kind === 'iso' ? [{ '@dev': 'cdrom' }] : []),
          ...(spec.boot.kind === 'network' ? [{ '@dev': 'network' }] : []),
          ...(storage.disk ? [{ '@dev': 'hd' }] : []),
        ];

  const efi = hw.firmware === 'efi';
  const os: Record<string, unknown> = {
    ...(efi ? { '@firmware': 'efi' } : {}),
    type: { '@arch': 'x86_64', ...(hw.q35 ? { '@machine': 'q35' } : {}), '#text': 'hvm' },
    // libvirt picks the firmware from the node's descriptors (Debian's ovmf):
    // with Secure Boot, the one with Microsoft's keys enrolled; without, one
    // that has none, so SMM is not needed.
    ...(efi
      ? {
          firmware: {
            feature: hw.secureBoot
              ? [
                  { '@enabled': 'yes', '@name': 'enrolled-keys' },
                  { '@enabled': 'yes', '@name': 'secure-boot' },
                ]
              : [{ '@enabled': 'no', '@name': 'secure-boot' }],
          },
          ...(hw.secureBoot ? { loader: { '@secure': 'yes' } } : {}),
        }
      : {}),
    ...(spec.boot.kind === 'kernel'
      ? {
          kernel: spec.boot.kernel,
          ...(spec.boot.initrd ? { initrd: spec.boot.initrd } : {}),
          ...(spec.boot.cmdline ? { cmdline: spec.boot.cmdline } : {}),
        }
      : {}),
    ...(boot.length ? { boot } : {}),
  };

  return builder.build({
    domain: {
      '@type': kvm ? 'kvm' : 'qemu',
      name: spec.name,
      ...(spec.osVariant
        ? {
            metadata: {
              'libosinfo:libosinfo': {
                '@xmlns:libosinfo': 'http://libosinfo.org/xmlns/libvirt/domain/1.0',
                'libosinfo:os': { '@id': spec.osVariant.id },
              },
            },
          }
        : {}),
      memory: { '@unit': 'MiB', '#text': String(spec.memoryMiB) },
      vcpu: String(spec.vcpus),
      os,
      // Secure Boot's firmware keeps its variables safe only with SMM.
      features: { acpi: '', apic: '', ...(hw.secureBoot ? { smm: { '@state': 'on' } } : {}) },
      ...(kvm ? { cpu: cpu ? cpuElement(cpu) : { '@mode': 'host-passthrough' } } : {}),
      clock: { '@offset': windows ? 'localtime' : 'utc' },
      devices,
    },
  }) as string;
}
