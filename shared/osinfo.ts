// OS variants from libosinfo's database as read on a node, and the hardware
// a new VM gets from the chosen one: what New VM offers, checks and sends.
import { z } from 'zod';
import { NIC_MODELS } from './vm-change';

export const DISK_BUSES = ['virtio', 'sata', 'ide'] as const;
export const VIDEO_MODELS = ['virtio', 'qxl', 'vga'] as const;
export const FIRMWARES = ['bios', 'efi'] as const;

/**
 * A new VM's devices and firmware, chosen from its OS variant (or the
 * generic profile). Secure Boot and a TPM need UEFI on a q35 machine.
 */
export const vmHardwareSchema = z.object({
  diskBus: z.enum(DISK_BUSES),
  nic: z.enum(NIC_MODELS),
  video: z.enum(VIDEO_MODELS),
  firmware: z.enum(FIRMWARES),
  secureBoot: z.boolean().default(false),
  tpm: z.boolean().default(false),
  q35: z.boolean().default(false),
});
/** What New VM sends: Secure Boot only with UEFI. */
export const vmHardwareChoiceSchema = vmHardwareSchema.refine(
  (h) => !h.secureBoot || h.firmware === 'efi',
  { message: 'Secure Boot needs UEFI firmware.', path: ['secureBoot'] },
);
export type VmHardware = z.output<typeof vmHardwareSchema>;

/** Resources in libosinfo's units: bytes of memory and storage, a count of CPUs. */
const resourcesSchema = z.object({
  ramBytes: z.number().nonnegative().optional(),
  cpus: z.number().int().nonnegative().optional(),
  storageBytes: z.number().nonnegative().optional(),
});
export type OsResources = z.infer<typeof resourcesSchema>;

export const osVariantSchema = z.object({
  /** libosinfo's short id (win11, debian12), what virt-install calls --os-variant. */
  shortId: z.string().min(1).max(100),
  /** libosinfo's full id, a URI (http://microsoft.com/win/11), kept in the VM's metadata. */
  id: z.string().max(300),
  name: z.string().max(300),
  version: z.string().max(100),
  family: z.string().max(100),
  vendor: z.string().max(300),
  minimum: resourcesSchema,
  recommended: resourcesSchema,
  /** The devices, firmware and machine the variant supports best, with its requirements. */
  hardware: vmHardwareSchema,
  /** Secure Boot and a TPM 2.0 are required (Windows 11), not only offered. */
  requiresSecureBoot: z.boolean(),
  /** BIOS is not supported: UEFI only. */
  requiresEfi: z.boolean(),
});
export type OsVariant = z.infer<typeof osVariantSchema>;

/** What a node has for UEFI and TPMs, read with its OS variants. */
export const firmwareFactsSchema = z.object({
  /** A firmware descriptor for UEFI (Debian's ovmf package). */
  efi: z.boolean(),
  /** A descriptor for UEFI with Secure Boot and enrolled keys. */
  secureBoot: z.boolean(),
  /** swtpm and swtpm_setup, libvirt's emulated TPM. */
  swtpm: z.boolean(),
});
export type FirmwareFacts = z.infer<typeof firmwareFactsSchema>;

export const osCatalogSchema = z.object({
  /** Where the list came from: osinfo-query, the osinfo-db files only, or nothing. */
  source: z.enum(['osinfo-query', 'osinfo-db', 'none']),
  variants: z.array(osVariantSchema),
  firmware: firmwareFactsSchema,
});
export type OsCatalog = z.infer<typeof osCatalogSchema>;

/** The Debian packages that give a node what a hardware choice needs, by sentence. */
export function firmwareProblems(
  hw: { firmware: string; secureBoot?: boolean | undefined; tpm?: boolean | undefined },
  facts: FirmwareFacts,
  node: string,
): string[] {
  const out: string[] = [];
  if (hw.secureBoot && !facts.secureBoot)
    out.push(
      `${node} has no UEFI firmware with Secure Boot; install Debian’s ovmf package on ${node}.`,
    );
  else if (hw.firmware === 'efi' && !facts.efi)
    out.push(`${node} has no UEFI firmware; install Debian’s ovmf package on ${node}.`);
  if (hw.tpm && !facts.swtpm)
    out.push(
      `${node} cannot emulate a TPM; install Debian’s swtpm and swtpm-tools packages on ${node}.`,
    );
  return out;
}

const GiB = 2 ** 30;
const size = (bytes: number) =>
  bytes >= GiB ? `${+(bytes / GiB).toFixed(1)} GiB` : `${Math.round(bytes / 2 ** 20)} MiB`;

/** Warnings (not refusals) when a choice is below the variant's minimum. */
export function belowMinimum(
  v: OsVariant,
  choice: { memoryMiB: number; vcpus: number; diskBytes?: number },
): { memoryMiB?: string; vcpus?: string; diskSize?: string } {
  const out: { memoryMiB?: string; vcpus?: string; diskSize?: string } = {};
  const { ramBytes, cpus, storageBytes } = v.minimum;
  if (ramBytes && choice.memoryMiB * 2 ** 20 < ramBytes)
    out.memoryMiB = `${v.name} needs at least ${size(ramBytes)} of memory; it may not install or run with less.`;
  if (cpus && choice.vcpus < cpus)
    out.vcpus = `${v.name} needs at least ${cpus} vCPUs; it may not install or run with fewer.`;
  if (storageBytes && choice.diskBytes !== undefined && choice.diskBytes < storageBytes)
    out.diskSize = `${v.name} needs a disk of at least ${size(storageBytes)}; its installer may refuse a smaller one.`;
  return out;
}
