// A cluster's storage as its General tab shows it: pools that are the same
// storage on several nodes (tested, counted once) and each node's own.
import { z } from 'zod';

export const sharedStorageSchema = z.object({
  name: z.string(),
  type: z.string(),
  /** The nodes that see it, and their pools of it. */
  hostIds: z.array(z.string()),
  poolIds: z.array(z.string()),
  capacity: z.number(),
  /** Counted once, however many nodes see it. */
  available: z.number(),
  /**
   * How it is known to be shared: a marker file made in it on one node was
   * seen by the others ('marker'), or network storage of the same name and
   * type with no files to mark ('network').
   */
  proof: z.enum(['marker', 'network']),
});
export type SharedStorage = z.infer<typeof sharedStorageSchema>;

export const clusterStorageSchema = z.object({
  shared: z.array(sharedStorageSchema),
  /** Each member's pools that no other member sees. */
  local: z.array(
    z.object({
      hostId: z.string(),
      poolIds: z.array(z.string()),
      available: z.number(),
    }),
  ),
});
export type ClusterStorage = z.infer<typeof clusterStorageSchema>;
