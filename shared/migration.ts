// What the Migrate VM wizard sends: the VMs, the target node and how to move.
import { z } from 'zod';

const idSchema = z.string().min(1).max(512);

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
});
export type MigrationSpec = z.infer<typeof migrationSpecSchema>;
export type MigrationSpecInput = z.input<typeof migrationSpecSchema>;
