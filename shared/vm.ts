// What the New VM wizard sends: typed and validated on both sides, turned
// into libvirt's domain XML by the driver only.
import { z } from 'zod';
import { idSchema } from './ids';
import { VOLUME_FORMATS, absolutePathSchema, objectNameSchema } from './storage';
import { NIC_MODELS, macSchema } from './vm-change';
import { vmHardwareChoiceSchema, type VmHardware } from './osinfo';

/** Guest profiles: the devices and firmware each kind of OS works best with. */
export const OS_PROFILES = ['linux', 'linux-uefi', 'windows', 'other'] as const;
export type OsProfile = (typeof OS_PROFILES)[number];

export const OS_PROFILE_LABELS: Record<OsProfile, string> = {
  linux: 'Linux (virtio devices, BIOS)',
  'linux-uefi': 'Linux (virtio devices, UEFI)',
  windows: 'Windows (SATA and e1000, UEFI)',
  other: 'Other (emulated IDE-era devices, BIOS)',
};

/** Each generic profile's devices and firmware, used when no OS variant is chosen. */
export const PROFILE_HARDWARE: Record<OsProfile, VmHardware> = {
  linux: {
    diskBus: 'virtio',
    nic: 'virtio',
    video: 'virtio',
    firmware: 'bios',
    secureBoot: false,
    tpm: false,
    q35: false,
  },
  'linux-uefi': {
    diskBus: 'virtio',
    nic: 'virtio',
    video: 'virtio',
    firmware: 'efi',
    secureBoot: false,
    tpm: false,
    q35: false,
  },
  windows: {
    diskBus: 'sata',
    nic: 'e1000',
    video: 'vga',
    firmware: 'efi',
    secureBoot: false,
    tpm: false,
    q35: false,
  },
  other: {
    diskBus: 'ide',
    nic: 'rtl8139',
    video: 'vga',
    firmware: 'bios',
    secureBoot: false,
    tpm: false,
    q35: false,
  },
};

/** The libosinfo variant a VM was made for, kept in its metadata as virt-install does. */
export const vmOsVariantSchema = z.object({
  id: z
    .string()
    .max(300)
    .regex(/^[a-z][a-z0-9+.-]*:\/\/[^\s"'<>&]+$/, 'A libosinfo id.'),
  shortId: z.string().min(1).max(100),
  family: z.string().max(100),
});

export const VM_CPU_CHOICES = ['host-passthrough', 'cluster'] as const;
export type VmCpuChoice = (typeof VM_CPU_CHOICES)[number];

const vcpusSchema = z.coerce.number().int().min(1, 'At least one vCPU.').max(256);
const memoryMiBSchema = z.coerce
  .number()
  .int()
  .min(32, 'At least 32 MiB.')
  .max(4 * 1024 * 1024);
const volumeNameSchema = z.string().min(1).max(255);

export const vmSpecSchema = z.object({
  name: objectNameSchema,
  os: z.enum(OS_PROFILES),
  /** The OS variant chosen from the node's libosinfo list, if any. */
  osVariant: vmOsVariantSchema.optional(),
  /** Devices and firmware; the profile's when absent. */
  hardware: vmHardwareChoiceSchema.optional(),
  vcpus: vcpusSchema,
  memoryMiB: memoryMiBSchema,
  disk: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('none') }),
    z.object({
      kind: z.literal('new'),
      poolId: idSchema,
      bytes: z
        .number()
        .int()
        .min(2 ** 20, 'At least 1 MiB.')
        .max(2 ** 50),
      format: z.enum(VOLUME_FORMATS),
    }),
    z.object({ kind: z.literal('existing'), poolId: idSchema, volume: volumeNameSchema }),
  ]),
  boot: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('none') }),
    z.object({ kind: z.literal('iso'), poolId: idSchema, volume: volumeNameSchema }),
    z.object({ kind: z.literal('network') }),
    z.object({
      kind: z.literal('kernel'),
      kernel: absolutePathSchema,
      initrd: absolutePathSchema.optional(),
      cmdline: z
        .string()
        .max(1024)
        .refine((t) => ![...t].some((c) => c.charCodeAt(0) < 0x20), 'One line of text.')
        .default(''),
    }),
  ]),
  network: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('none') }),
    z.object({ kind: z.literal('network'), name: objectNameSchema }),
    z.object({ kind: z.literal('bridge'), name: objectNameSchema }),
  ]),
  /** Hardware acceleration; off runs the guest emulated (TCG), slower but anywhere. */
  kvm: z.boolean().default(true),
  /**
   * The guest's CPU with KVM: the node's own (fastest, stays on CPUs like it)
   * or the node's cluster's baseline (migrates to every member).
   */
  cpu: z.enum(VM_CPU_CHOICES).default('host-passthrough'),
  graphics: z.enum(['vnc', 'spice', 'none']),
  serial: z.boolean().default(true),
  start: z.boolean().default(true),
});
export type VmSpec = z.infer<typeof vmSpecSchema>;
export type VmSpecInput = z.input<typeof vmSpecSchema>;

/** The name of a new VM's first disk. */
export function diskVolumeName(vmName: string, format: string): string {
  return `${vmName}-disk0.${format === 'raw' ? 'img' : format}`;
}

export const BOOT_DEVICES = ['hd', 'cdrom', 'network'] as const;

/** What the VM settings editor changes in a VM's persistent definition. */
export const vmSettingsSchema = z.object({
  vcpus: vcpusSchema,
  memoryMiB: memoryMiBSchema,
  autostart: z.boolean(),
  bootOrder: z
    .array(z.enum(BOOT_DEVICES))
    .max(3)
    .refine((b) => new Set(b).size === b.length, 'A device is listed twice.')
    .optional(),
  /** Disks to detach, by target (vda); their volumes stay. */
  removeDisks: z
    .array(z.string().regex(/^[a-z]{2,4}[a-z0-9]*$/))
    .max(64)
    .default([]),
  /** Network interfaces to remove, by MAC address. */
  removeNics: z
    .array(z.string().regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/))
    .max(64)
    .default([]),
  /** Disks to attach: a volume of a pool on the VM's node, made first when `create` is given. */
  addDisks: z
    .array(
      z.object({
        poolId: idSchema,
        volume: volumeNameSchema,
        create: z
          .object({
            bytes: z
              .number()
              .int()
              .min(2 ** 20, 'At least 1 MiB.')
              .max(2 ** 50),
            format: z.enum(VOLUME_FORMATS),
          })
          .optional(),
      }),
    )
    .max(16)
    .default([]),
  /** Adds an empty CD/DVD drive (IDE on i440fx machines, SATA on q35) for media to go into. */
  addCdrom: z.boolean().default(false),
  /** A new model for network interfaces, by MAC address (the guest sees it at its next start). */
  nicModels: z
    .array(z.object({ mac: macSchema, model: z.enum(NIC_MODELS) }))
    .max(64)
    .default([]),
  /** Network interfaces to add, on a libvirt network or a host bridge. */
  addNics: z
    .array(z.object({ kind: z.enum(['network', 'bridge']), name: objectNameSchema }))
    .max(16)
    .default([]),
});
export type VmSettings = z.infer<typeof vmSettingsSchema>;

export const SNAPSHOT_KINDS = ['default', 'memory', 'disk-only-quiesce'] as const;
export type SnapshotKind = (typeof SNAPSHOT_KINDS)[number];

/** Why a kind of snapshot cannot be taken now, by kind (absent: it can). */
export const snapshotRefusalsSchema = z.object({
  default: z.string().optional(),
  memory: z.string().optional(),
  'disk-only-quiesce': z.string().optional(),
});
export type SnapshotRefusals = z.infer<typeof snapshotRefusalsSchema>;

/** A change to a VM's snapshots, as the Snapshots tab sends it and the driver runs it. */
export const snapshotOpSchema = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('create'),
    name: objectNameSchema,
    description: z
      .string()
      .max(1000)
      .refine((t) => ![...t].some((c) => c.charCodeAt(0) < 0x20), 'One line of text.')
      .default(''),
    /**
     * 'default': libvirt's choice (disks, and memory too when the VM runs);
     * 'memory': the running state, disks and memory (a running VM only);
     * 'disk-only-quiesce': the disks only, in overlay files, the guest's file
     * systems frozen through its agent meanwhile (needs the agent running).
     */
    kind: z.enum(SNAPSHOT_KINDS).default('default'),
  }),
  z.object({ op: z.literal('revert'), name: z.string().min(1).max(255) }),
  z.object({ op: z.literal('delete'), name: z.string().min(1).max(255) }),
]);
export type SnapshotOp = z.output<typeof snapshotOpSchema>;
