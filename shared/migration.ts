// What the Migrate VM wizard sends: the VMs, the target node and how to move.
import { z } from 'zod';
import { idSchema } from './ids';

/**
 * How a live move's data (guest memory, and disks when copied) travels:
 * - plain: QEMU to QEMU over `tcp://`, unencrypted, the fastest;
 * - tunnelled: through the source libvirtd's own connection to the target
 *   (`--p2p --tunnelled`), so over the SSH trust New Cluster set up:
 *   encrypted, slower, and it cannot copy disks with libvirt 9 / QEMU 7;
 * - tls: QEMU to QEMU over TLS (`--tls`): encrypted, needs certificates on
 *   both nodes (libvirt's migrate_tls_x509_cert_dir, /etc/pki/qemu by default).
 * A shut-off VM moves its definition only, over the libvirt connection (SSH).
 */
export const MIGRATION_TRANSPORTS = ['plain', 'tunnelled', 'tls'] as const;
export type MigrationTransport = (typeof MIGRATION_TRANSPORTS)[number];

/**
 * The transport Migrate VM starts with and maintenance mode uses: encrypted
 * (guest memory holds whatever the guest holds: keys, passwords) through the
 * SSH trust New Cluster sets up, so it needs no certificates.
 */
export const DEFAULT_TRANSPORT: MigrationTransport = 'tunnelled';

export const migrationSpecSchema = z.object({
  vmIds: z
    .array(idSchema)
    .min(1, 'Choose a VM.')
    .max(64)
    .refine((ids) => new Set(ids).size === ids.length, 'A VM is listed twice.'),
  targetHostId: idSchema,
  /**
   * Copy the disks to the target (`--copy-storage-all`) when they are not on
   * storage both nodes share; undefined lets the preflight decide.
   */
  copyStorage: z.boolean().optional(),
  /** Keep the definition on the target and remove it from the source (the usual move). */
  persist: z.boolean().default(true),
  /** Limits the migration stream, MiB/s; none means as fast as it goes. */
  bandwidthMiBs: z.number().int().min(1).max(100_000).optional(),
  transport: z.enum(MIGRATION_TRANSPORTS).default('plain'),
});
export type MigrationSpec = z.infer<typeof migrationSpecSchema>;
export type MigrationSpecInput = z.input<typeof migrationSpecSchema>;

/** Whether TLS migration can run between two nodes, and if not, why (for the wizard). */
export const tlsReadinessSchema = z.object({
  ready: z.boolean(),
  /** What is missing where, e.g. "node1 has no /etc/pki/qemu/client-cert.pem". */
  reason: z.string().optional(),
});
export type TlsReadiness = z.infer<typeof tlsReadinessSchema>;
