// What the New Storage Pool wizard and the volume actions send: typed,
// validated on both sides, and turned into libvirt XML by the driver only.
import { z } from 'zod';

export const POOL_TYPES = [
  'dir',
  'netfs',
  'iscsi',
  'iscsi-direct',
  'logical',
  'gluster',
  'rbd',
  'zfs',
] as const;
export type PoolType = (typeof POOL_TYPES)[number];

export const POOL_TYPE_LABELS: Record<PoolType, string> = {
  dir: 'Local directory',
  netfs: 'Network file system (NFS, GlusterFS mount)',
  iscsi: 'iSCSI (kernel initiator)',
  'iscsi-direct': 'iSCSI (direct, libiscsi)',
  logical: 'LVM volume group',
  gluster: 'GlusterFS (native)',
  rbd: 'Ceph RBD',
  zfs: 'ZFS',
};

/** libvirt object names: no slashes, quotes or spaces, so paths and logs stay plain. */
export const objectNameSchema = z
  .string()
  .trim()
  .min(1, 'Enter a name.')
  .max(64, 'At most 64 characters.')
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._+-]*$/,
    'Letters, digits and . _ + - only, starting with a letter or digit.',
  );

export const absolutePathSchema = z
  .string()
  .trim()
  .min(1, 'Enter a path.')
  .max(4096)
  .regex(/^\/[^\0\n\r'"`$\\]*$/, 'An absolute path (starting with /) without quotes or $.')
  .refine((p) => !p.split('/').includes('..'), 'A path may not contain "..".');

const hostSchema = z
  .string()
  .trim()
  .min(1, 'Enter the server’s address.')
  .max(253)
  .regex(/^[A-Za-z0-9._:-]+$/, 'A host name or IP address.');

const portSchema = z.coerce.number().int().min(1).max(65535);

/** iSCSI qualified names (iqn.2003-01.org.example:target) and EUI names. */
const iqnSchema = z
  .string()
  .trim()
  .max(223)
  .regex(
    /^(iqn\.\d{4}-\d{2}\.[a-z0-9.-]+(:[A-Za-z0-9.:_-]+)?|eui\.[0-9A-Fa-f]{16})$/,
    'An iSCSI name such as iqn.2003-01.org.example:storage.',
  );

const devicesSchema = z
  .array(absolutePathSchema)
  .max(32)
  .default([])
  .refine((d) => new Set(d).size === d.length, 'A device is listed twice.');

/** What a netfs pool mounts: NFS, GlusterFS (FUSE) or CIFS/SMB. */
export const NETFS_FORMATS = ['nfs', 'glusterfs', 'cifs'] as const;

export const poolSpecSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('dir'), name: objectNameSchema, targetPath: absolutePathSchema }),
  z.object({
    type: z.literal('netfs'),
    name: objectNameSchema,
    format: z.enum(NETFS_FORMATS),
    host: hostSchema,
    /** The export (NFS), volume (GlusterFS) or share (CIFS) on the server. */
    sourcePath: z
      .string()
      .trim()
      .min(1, 'Enter the export or volume.')
      .max(1024)
      .regex(/^[A-Za-z0-9/._+-]+$/, 'Letters, digits, / and . _ + - only.'),
    targetPath: absolutePathSchema,
  }),
  z.object({
    type: z.literal('iscsi'),
    name: objectNameSchema,
    host: hostSchema,
    port: portSchema.default(3260),
    target: iqnSchema,
    initiator: iqnSchema.optional(),
  }),
  z.object({
    type: z.literal('iscsi-direct'),
    name: objectNameSchema,
    host: hostSchema,
    port: portSchema.default(3260),
    target: iqnSchema,
    /** libiscsi logs in with this name; the target's ACL must allow it. */
    initiator: iqnSchema,
  }),
  z.object({
    type: z.literal('logical'),
    name: objectNameSchema,
    volumeGroup: objectNameSchema,
    /** Physical volumes for Build (pvcreate + vgcreate); empty for an existing group. */
    devices: devicesSchema,
  }),
  z.object({
    type: z.literal('gluster'),
    name: objectNameSchema,
    host: hostSchema,
    volume: objectNameSchema,
  }),
  z.object({
    type: z.literal('rbd'),
    name: objectNameSchema,
    monitors: z
      .array(z.object({ host: hostSchema, port: portSchema.default(6789) }))
      .min(1, 'Add at least one monitor.')
      .max(16),
    cephPool: objectNameSchema,
    /** The cephx user; with no user the cluster must run with auth none. */
    user: objectNameSchema.optional(),
    /** The cephx key (base64), kept by libvirt as a secret on each node. */
    key: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'The key as `ceph auth get-key` prints it (base64).')
      .optional(),
  }),
  z.object({
    type: z.literal('zfs'),
    name: objectNameSchema,
    zpool: objectNameSchema,
    devices: devicesSchema,
  }),
]);
export type PoolSpec = z.infer<typeof poolSpecSchema>;
export type PoolSpecInput = z.input<typeof poolSpecSchema>;

export const POOL_ACTIONS = [
  'start',
  'stop',
  'refresh',
  'autostart',
  'no-autostart',
  'undefine',
  'delete',
] as const;
export type PoolAction = (typeof POOL_ACTIONS)[number];

/** Types whose sources a node can discover (`virsh find-storage-pool-sources-as`). */
export const SCAN_TYPES = ['netfs', 'iscsi', 'iscsi-direct', 'logical', 'gluster'] as const;
export type ScanType = (typeof SCAN_TYPES)[number];

export function canScan(type: string): type is ScanType {
  return (SCAN_TYPES as readonly string[]).includes(type);
}

/** What the Scan button asks a node to look for; the server is needed except for LVM. */
export const scanRequestSchema = z
  .object({
    type: z.enum(SCAN_TYPES),
    host: hostSchema.optional(),
    port: portSchema.optional(),
    initiator: iqnSchema.optional(),
  })
  .refine((r) => r.type === 'logical' || r.host, {
    message: 'Enter the server’s address to scan it.',
    path: ['host'],
  })
  .refine((r) => r.type !== 'iscsi-direct' || r.initiator, {
    message: 'iscsi-direct scans log in with an initiator IQN: enter one.',
    path: ['initiator'],
  });
export type ScanRequest = z.infer<typeof scanRequestSchema>;

/** A source a scan found, as the wizard's fields it fills. */
export const foundSourceSchema = z.object({
  /** How the list shows it, e.g. "192.0.2.5:/export/vms (nfs)". */
  label: z.string(),
  host: z.string().optional(),
  format: z.string().optional(),
  sourcePath: z.string().optional(),
  target: z.string().optional(),
  volumeGroup: z.string().optional(),
  devices: z.array(z.string()).optional(),
  volume: z.string().optional(),
});
export type FoundSource = z.infer<typeof foundSourceSchema>;

export const VOLUME_FORMATS = ['qcow2', 'raw'] as const;
export type VolumeFormat = (typeof VOLUME_FORMATS)[number];

/** Sizes in bytes, up to 1 PiB. */
export const bytesSchema = z
  .number()
  .int()
  .min(1)
  .max(2 ** 50);

/** A change to a pool's volumes, as the pool view sends it and the driver runs it. */
export const volumeOpSchema = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('create'),
    name: objectNameSchema,
    bytes: bytesSchema,
    format: z.enum(VOLUME_FORMATS),
  }),
  z.object({ op: z.literal('delete'), name: z.string().min(1).max(255) }),
  z.object({ op: z.literal('resize'), name: z.string().min(1).max(255), bytes: bytesSchema }),
  z.object({ op: z.literal('clone'), name: z.string().min(1).max(255), newName: objectNameSchema }),
]);
export type VolumeOp = z.output<typeof volumeOpSchema>;

/**
 * The formats a new volume can have in a pool of this type: qcow2 needs a
 * file system; Ceph, LVM, ZFS and Gluster's native pools make raw block
 * images; iSCSI pools only list the LUNs the target has.
 */
export function volumeFormatsFor(poolType: string): readonly VolumeFormat[] {
  switch (poolType) {
    case 'dir':
    case 'fs':
    case 'netfs':
      return VOLUME_FORMATS;
    case 'iscsi':
    case 'iscsi-direct':
    case 'scsi':
    case 'mpath':
      return [];
    default:
      return ['raw'];
  }
}

/** Why a new volume of this format cannot go into the pool, or undefined when it can. */
export function newVolumeProblem(
  pool: { name: string; type: string },
  format: VolumeFormat,
): string | undefined {
  const formats = volumeFormatsFor(pool.type);
  if (formats.includes(format)) return undefined;
  const kind = POOL_TYPE_LABELS[pool.type as PoolType] ?? pool.type;
  return formats.length === 0
    ? `${pool.name} is an ${kind} pool: its volumes are the target's LUNs, so new ones cannot be created in it.`
    : `${pool.name} is a ${kind} pool: new volumes in it are ${formats.join(' or ')}, not ${format}.`;
}

/** One step of a wizard's plan, as the summary shows it and the task runs it. */
export const planStepSchema = z.object({
  hostId: z.string(),
  node: z.string(),
  title: z.string(),
  command: z.string(),
  /** What goes to the command's standard input, shown in the summary (secrets masked). */
  input: z.string().optional(),
});
export type PlanStepView = z.infer<typeof planStepSchema>;
