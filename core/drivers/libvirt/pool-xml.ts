// libvirt storage pool and secret documents, built from typed specs with a
// real XML builder (escaping included): nothing is concatenated into XML.
// Element names follow https://libvirt.org/formatstorage.html.
import { XMLBuilder } from 'fast-xml-parser';
import type { PoolSpec } from '../../../shared/storage';

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  format: true,
  suppressEmptyNode: true,
});

type Node = Record<string, unknown>;

const devices = (paths: readonly string[]): Node[] => paths.map((p) => ({ '@path': p }));

/** The libvirt secret that holds a Ceph pool's cephx key on a node. */
export function cephSecretUsage(poolName: string): string {
  return `clusterdeck-${poolName}`;
}

/** The body of `<source>` and `<target>` per pool type. */
function poolParts(spec: PoolSpec, secretUuid: string | undefined): Node {
  switch (spec.type) {
    case 'dir':
      return { target: { path: spec.targetPath } };
    case 'netfs':
      return {
        source: {
          host: { '@name': spec.host },
          dir: { '@path': spec.sourcePath },
          format: { '@type': spec.format },
        },
        target: { path: spec.targetPath },
      };
    case 'iscsi':
      return {
        source: {
          host: { '@name': spec.host, '@port': String(spec.port) },
          device: { '@path': spec.target },
          ...(spec.initiator ? { initiator: { iqn: { '@name': spec.initiator } } } : {}),
        },
        // Stable names for the LUNs, whatever order the kernel finds them in.
        target: { path: '/dev/disk/by-path' },
      };
    case 'iscsi-direct':
      return {
        source: {
          host: { '@name': spec.host, '@port': String(spec.port) },
          device: { '@path': spec.target },
          initiator: { iqn: { '@name': spec.initiator } },
        },
      };
    case 'logical':
      return {
        source: {
          ...(spec.devices.length ? { device: devices(spec.devices) } : {}),
          name: spec.volumeGroup,
          format: { '@type': 'lvm2' },
        },
        target: { path: `/dev/${spec.volumeGroup}` },
      };
    case 'gluster':
      return {
        source: {
          host: { '@name': spec.host },
          dir: { '@path': '/' },
          name: spec.volume,
        },
      };
    case 'rbd':
      return {
        source: {
          name: spec.cephPool,
          host: spec.monitors.map((m) => ({ '@name': m.host, '@port': String(m.port) })),
          ...(spec.user && secretUuid
            ? {
                auth: {
                  '@type': 'ceph',
                  '@username': spec.user,
                  secret: { '@uuid': secretUuid },
                },
              }
            : {}),
        },
      };
    case 'zfs':
      return {
        source: {
          name: spec.zpool,
          ...(spec.devices.length ? { device: devices(spec.devices) } : {}),
        },
      };
  }
}

export function buildPoolXml(spec: PoolSpec, secretUuid?: string): string {
  return builder.build({
    pool: { '@type': spec.type, name: spec.name, ...poolParts(spec, secretUuid) },
  }) as string;
}

/** A private, non-ephemeral Ceph secret; its value is set separately, on stdin. */
export function buildCephSecretXml(uuid: string, poolName: string): string {
  return builder.build({
    secret: {
      '@ephemeral': 'no',
      '@private': 'yes',
      uuid,
      description: `Ceph key for the storage pool ${poolName}, added by Clusterdeck`,
      usage: { '@type': 'ceph', name: cephSecretUsage(poolName) },
    },
  }) as string;
}
