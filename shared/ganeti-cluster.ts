// New Cluster on Ganeti and the operations on a Ganeti cluster's nodes: what
// the wizard sends (the values of `gnt-cluster init`), what it reads from the
// nodes for its defaults, and the node operations of the tree's menus.
import { z } from 'zod';
import { findingSchema } from './cluster';
import { idSchema } from './ids';

/** A host name as Ganeti takes it for a cluster or node (RFC 1123 labels, dots between). */
const hostName = z
  .string()
  .max(253)
  .regex(
    /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*$/,
    'Use a host name such as cluster.example.org (letters, digits, hyphens, dots).',
  );
/** A link, bridge or device name as Linux allows it (not starting with a hyphen). */
const linkName = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,14}$/, 'Use a network device name such as eth0.');
/** An LVM volume group name as LVM allows it (not starting with a hyphen). */
const vgName = z
  .string()
  .regex(/^[A-Za-z0-9+_.][A-Za-z0-9+_.-]{0,126}$/, 'Use a volume group name such as xenvg.');
const absPath = z
  .string()
  .max(4096)
  .regex(/^\/[^\0\n,]*$/, 'Use an absolute path without commas.');

export const GANETI_HYPERVISORS = ['kvm', 'fake'] as const;
export const GANETI_DISK_TEMPLATES = ['diskless', 'file', 'sharedfile', 'plain', 'drbd'] as const;

export const ganetiClusterSpecSchema = z
  .object({
    /** The cluster's name; it must resolve on every node to a free address (the cluster IP). */
    name: hostName,
    /** The first is the master (gnt-cluster init runs there); gnt-node add adds the others. */
    hostIds: z
      .array(idSchema)
      .min(1, 'Choose at least one node.')
      .max(32)
      .refine((ids) => new Set(ids).size === ids.length, 'A node is listed twice.'),
    masterNetdev: linkName,
    masterNetmask: z.number().int().min(1).max(32),
    /** The bridge instance NICs join by default (--nic-parameters link=). */
    nicLink: linkName,
    hypervisors: z.array(z.enum(GANETI_HYPERVISORS)).min(1, 'Enable at least one hypervisor.'),
    diskTemplates: z
      .array(z.enum(GANETI_DISK_TEMPLATES))
      .min(1, 'Enable at least one disk template.'),
    fileStorageDir: absPath,
    sharedFileStorageDir: absPath,
    /** The kvm hypervisor's binary (kvm_path). */
    kvmPath: absPath,
    /** Whether KVM acceleration is used (kvm_flag); disabled runs guests under TCG. */
    kvmAccel: z.boolean(),
    /** Let Ganeti keep /etc/hosts on the nodes (off: --no-etc-hosts; names come from DNS). */
    manageEtcHosts: z.boolean(),
    /** The LVM volume group of plain and DRBD disks (--vg-name); needed only with those. */
    vgName: vgName.optional(),
  })
  .refine((s) => !s.diskTemplates.some((t) => t === 'plain' || t === 'drbd') || !!s.vgName, {
    path: ['vgName'],
    message: 'Plain and DRBD disks need the LVM volume group to use.',
  });
export type GanetiClusterSpec = z.infer<typeof ganetiClusterSpecSchema>;

/** What the wizard's fields start from, read from the chosen nodes. */
export const ganetiClusterDefaultsSchema = z.object({
  masterNetdev: z.string(),
  masterNetmask: z.number(),
  nicLink: z.string(),
  fileStorageDir: z.string(),
  sharedFileStorageDir: z.string(),
  kvmPath: z.string(),
  kvmAccel: z.boolean(),
  /** The volume groups every node has (plain and DRBD disks need one); the first is the default. */
  vgs: z.array(z.string()),
  /** What every node supports; the others with the reason, naming the node. */
  hypervisors: z.array(z.object({ name: z.enum(GANETI_HYPERVISORS), missing: z.string() })),
  diskTemplates: z.array(z.object({ name: z.enum(GANETI_DISK_TEMPLATES), missing: z.string() })),
  /** Devices and bridges present on the first node, for the pickers. */
  devices: z.array(z.string()),
  bridges: z.array(z.string()),
});
export type GanetiClusterDefaults = z.infer<typeof ganetiClusterDefaultsSchema>;

export const ganetiPreflightResultSchema = z.object({ findings: z.array(findingSchema) });

export const GANETI_NODE_OPS = [
  'remove',
  'master-failover',
  'drain',
  'undrain',
  'offline',
  'online',
] as const;
export type GanetiNodeOp = (typeof GANETI_NODE_OPS)[number];

export const GANETI_NODE_OP_LABELS: Readonly<Record<GanetiNodeOp, string>> = {
  remove: 'Remove node',
  'master-failover': 'Master failover',
  drain: 'Drain',
  undrain: 'Undrain',
  offline: 'Set offline',
  online: 'Set online',
};

export const ganetiNodeOpSchema = z.object({
  clusterId: idSchema,
  /** The node as the cluster lists it (its full name). */
  node: hostName,
  op: z.enum(GANETI_NODE_OPS),
});
export type GanetiNodeOpSpec = z.infer<typeof ganetiNodeOpSchema>;

/** Add node: a host Clusterdeck has (a Ganeti node without a cluster) or a name the master resolves. */
export const ganetiAddNodeSchema = z
  .object({
    clusterId: idSchema,
    hostId: idSchema.optional(),
    node: hostName.optional(),
  })
  .refine((s) => !!s.hostId !== !!s.node, 'Choose a host or type a node name, not both.');
export type GanetiAddNodeSpec = z.infer<typeof ganetiAddNodeSchema>;
