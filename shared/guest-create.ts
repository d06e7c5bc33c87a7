// New VM and New Container where the cluster's API offers the choices per
// node (Proxmox VE: capability 'guest-create'): the node, a cluster-wide
// guest id, the storages of that node with what each may hold and its free
// space, its ISO images and container templates, its bridges. Ganeti's
// shape (OS definitions, disk templates, an allocator) does not fit such a
// stack, so it has its own; the driver turns a spec into its API calls
// (core/drivers/proxmox/new-guest.ts).
import { z } from 'zod';
import { linkSchema } from './instance';

/** A node's or a guest's host name: RFC 1123 labels with dots (PVE's `dns-name` format). */
const dnsNameSchema = z
  .string()
  .trim()
  .min(1, 'Name it.')
  .max(253)
  .regex(
    /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/,
    'Letters, digits and dashes (not at either end), dots between.',
  );

/** PVE's guest ids: 100 to 999999999 (`pve-vmid`). */
export const guestIdSchema = z
  .number()
  .int('A whole number.')
  .min(100, 'At least 100.')
  .max(999_999_999, 'At most 999999999.');

/** A storage id (`pve-storage-id`). */
const storageIdSchema = z
  .string()
  .regex(/^[a-z][a-z0-9\-_.]*[a-z0-9]$/i, 'Choose a storage.')
  .max(64);

/** A volume (`local:iso/debian-12.iso`), as the storage lists it. */
export const volumeIdSchema = z
  .string()
  .max(512)
  .regex(/^[a-z][a-z0-9\-_.]*[a-z0-9]:[^\s,;=]+$/i, 'Choose a volume.');

const nodeNameSchema = z
  .string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9-]*$/, 'Choose a node.')
  .max(63);

const common = {
  node: nodeNameSchema,
  vmid: guestIdSchema,
  memoryMiB: z
    .number()
    .int()
    .min(16, 'At least 16 MiB.')
    .max(4 * 1024 * 1024),
  cores: z.number().int().min(1, 'At least 1.').max(8192),
  storage: storageIdSchema,
  diskGiB: z.number().int('Whole GiB.').min(1, 'At least 1 GiB.').max(131_072),
  bridge: linkSchema,
  start: z.boolean(),
};

export const newVmSpecSchema = z.object({
  kind: z.literal('vm'),
  ...common,
  name: dnsNameSchema,
  /** PVE's `ostype` (l26, win11…), one of the options' osTypes. */
  ostype: z.string().regex(/^[a-z0-9]+$/, 'Choose an OS type.'),
  /** The installation medium; none leaves the CD drive empty. */
  iso: volumeIdSchema.optional(),
});

export const containerAddressSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('dhcp') }),
  z.object({
    kind: z.literal('static'),
    /** IPv4 with its prefix: 192.0.2.50/24. */
    cidr: z
      .string()
      .trim()
      .regex(
        /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\/(?:3[0-2]|[12]?\d)$/,
        'An IPv4 address with its prefix, as 192.0.2.50/24.',
      ),
    gateway: z
      .string()
      .trim()
      .regex(
        /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/,
        'An IPv4 address.',
      )
      .optional(),
  }),
]);
export type ContainerAddress = z.infer<typeof containerAddressSchema>;

export const newContainerSpecSchema = z.object({
  kind: z.literal('container'),
  ...common,
  hostname: dnsNameSchema,
  /** The container template (`local:vztmpl/debian-12-standard_….tar.zst`). */
  template: volumeIdSchema,
  /** root's password: a secret, never logged nor shown (PVE wants at least 5 characters). */
  password: z.string().min(5, 'At least 5 characters.').max(256).optional(),
  /** root's authorized keys (OpenSSH format, one a line). */
  sshKeys: z
    .string()
    .max(16_384)
    .regex(/^(?:(?:ssh|ecdsa|sk)-[^\n]+(?:\n|$))+$/, 'OpenSSH public keys, one a line.')
    .optional(),
  address: containerAddressSchema,
  /** Unprivileged (root in the container is not root on the node): PVE's default. */
  unprivileged: z.boolean().default(true),
});

export const guestSpecSchema = z.discriminatedUnion('kind', [
  newVmSpecSchema,
  newContainerSpecSchema,
]);
export type GuestSpec = z.output<typeof guestSpecSchema>;
export type GuestSpecInput = z.input<typeof guestSpecSchema>;
export type NewVmSpec = z.output<typeof newVmSpecSchema>;
export type NewContainerSpec = z.output<typeof newContainerSpecSchema>;

export const guestStorageSchema = z.object({
  id: z.string(),
  type: z.string(),
  /** What PVE lets it hold: images (VM disks), rootdir (container volumes), iso, vztmpl… */
  content: z.array(z.string()),
  availBytes: z.number(),
  shared: z.boolean(),
});
export type GuestStorage = z.infer<typeof guestStorageSchema>;

const volumeChoiceSchema = z.object({
  volid: z.string(),
  /** The file's name, as a choice shows it. */
  label: z.string(),
  sizeBytes: z.number(),
});
export type VolumeChoice = z.infer<typeof volumeChoiceSchema>;

export const guestNodeSchema = z.object({
  name: z.string(),
  online: z.boolean(),
  cpus: z.number(),
  memoryMiB: z.number(),
  storages: z.array(guestStorageSchema),
  bridges: z.array(z.string()),
  isos: z.array(volumeChoiceSchema),
  templates: z.array(volumeChoiceSchema),
  /** Why its storages or network could not be read (the others are still offered). */
  error: z.string().optional(),
});
export type GuestNode = z.infer<typeof guestNodeSchema>;

/** What New VM and New Container offer on such a cluster, read from one of its nodes. */
export const guestOptionsSchema = z.object({
  cluster: z.string(),
  /** The id the cluster proposes (`/cluster/nextid`). */
  nextId: z.number(),
  /** Ids in use, with the guest's name, for the preflight. */
  usedIds: z.array(z.object({ vmid: z.number(), name: z.string(), node: z.string() })),
  nodes: z.array(guestNodeSchema),
  /** The stack's OS types with the labels its own tools show. */
  osTypes: z.array(z.object({ value: z.string(), label: z.string() })),
  defaultOsType: z.string(),
  /** The commands read, for the user and for errors. */
  commands: z.array(z.string()),
});
export type GuestOptions = z.infer<typeof guestOptionsSchema>;

/** One command of the plan: what it does and the command as an admin would type it. */
export interface GuestPlanStep {
  title: string;
  command: string;
}
