// New VM and Edit settings on a stack whose cluster places its VMs (Ganeti):
// the VM gets an OS definition of the cluster, a disk template, a primary
// (and for mirrored templates a secondary) node or the cluster's allocator,
// and NICs on the cluster's links. The driver turns these into its own
// commands (core/drivers/ganeti/new-vm.ts, modify.ts).
import { z } from 'zod';

/** Host names (RFC 1123 labels with dots), as Ganeti names nodes and instances. */
const hostNameSchema = z
  .string()
  .trim()
  .max(253)
  .regex(
    /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*$/,
    'A host name: letters, digits and dashes, dots between.',
  );

/** OS definitions with their variant (`debootstrap+default`), allocators, hypervisors. */
const wordSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.+-]*$/, 'Letters, digits and . _ + - only.');

/** A bridge or link name as Linux allows it (at most 15 characters). */
export const linkSchema = z
  .string()
  .trim()
  .min(1, 'Name the link.')
  .max(15, 'At most 15 characters.')
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'Letters, digits and . _ - only.');

export const instancePlacementSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('nodes'),
    primary: hostNameSchema,
    secondary: hostNameSchema.optional(),
  }),
  z.object({ kind: z.literal('allocator'), allocator: wordSchema }),
]);

export const instanceSpecSchema = z.object({
  name: hostNameSchema,
  os: wordSchema,
  diskTemplate: wordSchema,
  placement: instancePlacementSchema,
  hypervisor: wordSchema,
  memoryMiB: z
    .number()
    .int()
    .min(16)
    .max(4 * 1024 * 1024),
  vcpus: z.number().int().min(1).max(256),
  /** Disk sizes in MiB (none for diskless). */
  disksMiB: z
    .array(
      z
        .number()
        .int()
        .min(1)
        .max(2 ** 30),
    )
    .max(16),
  nics: z.array(z.object({ link: linkSchema })).max(8),
  start: z.boolean(),
  /** Ganeti's name and IP checks (the name must resolve in DNS); off by default. */
  nameCheck: z.boolean().default(false),
});
export type InstanceSpec = z.output<typeof instanceSpecSchema>;
export type InstanceSpecInput = z.input<typeof instanceSpecSchema>;

export const diskTemplateChoiceSchema = z.object({
  name: z.string(),
  /** Whether New VM can use it now. */
  available: z.boolean(),
  /** Why not, naming the nodes that lack what it needs. */
  reason: z.string().optional(),
  /** Whether it needs a secondary node (DRBD). */
  mirrored: z.boolean(),
});
export type DiskTemplateChoice = z.infer<typeof diskTemplateChoiceSchema>;

/** What New VM offers on such a cluster, read from its master in one go. */
export const instanceOptionsSchema = z.object({
  cluster: z.string(),
  oses: z.array(z.string()),
  templates: z.array(diskTemplateChoiceSchema),
  nodes: z.array(z.string()),
  allocators: z.array(z.string()),
  /** The cluster's default allocator, when it has one. */
  defaultAllocator: z.string().optional(),
  hypervisors: z.array(z.string()),
  defaultHypervisor: z.string(),
  /** Links in use or the cluster's default NIC link (br0), default first. */
  links: z.array(z.string()),
  /** The instance policy's minimum and maximum, where it says. */
  policy: z.object({
    minDiskMiB: z.number(),
    maxDiskMiB: z.number(),
    minMemoryMiB: z.number(),
    maxMemoryMiB: z.number(),
    minVcpus: z.number(),
    maxVcpus: z.number(),
  }),
  /** The commands read, for the user and for errors. */
  commands: z.array(z.string()),
});
export type InstanceOptions = z.infer<typeof instanceOptionsSchema>;

/** Edit settings on such a cluster; absent fields stay as they are. */
export const instanceSettingsSchema = z.object({
  maxMemoryMiB: z
    .number()
    .int()
    .min(16)
    .max(4 * 1024 * 1024)
    .optional(),
  minMemoryMiB: z
    .number()
    .int()
    .min(16)
    .max(4 * 1024 * 1024)
    .optional(),
  vcpus: z.number().int().min(1).max(256).optional(),
  /** A NIC's new link, by its index. */
  nicLinks: z.array(z.object({ index: z.number().int().min(0).max(7), link: linkSchema })).max(8),
  addNics: z.array(z.object({ link: linkSchema })).max(8),
  /** A disk grown to this size (MiB), by its index. */
  growDisks: z
    .array(z.object({ index: z.number().int().min(0).max(15), toMiB: z.number().int().min(1) }))
    .max(16),
  /** The guest's name (a host name), where the stack keeps one it can change (Proxmox VE). */
  name: z
    .string()
    .max(63)
    .regex(/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/, 'Letters, digits, . and - only.')
    .optional(),
  /** The administrators' notes; empty removes them. */
  notes: z.string().max(8192).optional(),
  /** Started with its node. */
  onboot: z.boolean().optional(),
  /** CPU sockets, where the stack counts vCPUs as sockets × cores (then `vcpus` is cores per socket). */
  sockets: z.number().int().min(1).max(4).optional(),
  /** The config digest the editor read: a change made meanwhile elsewhere is refused. */
  digest: z
    .string()
    .regex(/^[0-9a-f]{40,64}$/)
    .optional(),
});
export type InstanceSettings = z.infer<typeof instanceSettingsSchema>;

/** One line of the review: what changes, from what to what, and when it takes effect. */
export const instanceChangeSchema = z.object({
  what: z.string(),
  before: z.string(),
  after: z.string(),
  /** Set when it takes effect only at the VM's next start. */
  atNextStart: z.boolean(),
});
export type InstanceChange = z.infer<typeof instanceChangeSchema>;

/** The instance's settings as the master says now, for the editor's first values. */
export const instanceNowSchema = z.object({
  running: z.boolean(),
  maxMemoryMiB: z.number(),
  minMemoryMiB: z.number(),
  vcpus: z.number(),
  nicLinks: z.array(z.string()),
  diskSizesMiB: z.array(z.number()),
  diskTemplate: z.string(),
  /** Set where the stack has these (Proxmox VE); the editor offers each one given. */
  name: z.string().optional(),
  notes: z.string().optional(),
  onboot: z.boolean().optional(),
  sockets: z.number().optional(),
  digest: z.string().optional(),
  /** How each NIC and disk is named on the stack ("net0 bridge"), by index. */
  nicLabels: z.array(z.string()).optional(),
  diskLabels: z.array(z.string()).optional(),
  /** Set when the stack has no minimum memory for this guest (a container): not offered. */
  noMinMemory: z.boolean().optional(),
});
export type InstanceNow = z.infer<typeof instanceNowSchema>;
