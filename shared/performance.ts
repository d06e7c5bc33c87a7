// One reading of a node's and its VMs' load, as the Performance tab plots it.
import { z } from 'zod';

export const vmLoadSchema = z.object({
  /** Of one CPU: 200 is two vCPUs fully busy. */
  cpuPercent: z.number(),
  memBytes: z.number(),
  diskReadBps: z.number(),
  diskWriteBps: z.number(),
  netRxBps: z.number(),
  netTxBps: z.number(),
});
export type VmLoad = z.infer<typeof vmLoadSchema>;

/** The node as a whole; disk and network count its hardware devices only. */
export const nodeLoadSchema = z.object({
  /** Of all its CPUs: 100 is every CPU fully busy. */
  cpuPercent: z.number(),
  memUsedBytes: z.number(),
  memTotalBytes: z.number(),
  diskReadBps: z.number(),
  diskWriteBps: z.number(),
  netRxBps: z.number(),
  netTxBps: z.number(),
});
export type NodeLoad = z.infer<typeof nodeLoadSchema>;

export const performanceSampleSchema = z.object({
  /** Epoch ms of the reading. */
  at: z.number(),
  node: nodeLoadSchema,
  /** By VM id. */
  vms: z.record(z.string(), vmLoadSchema),
});
export type PerformanceSample = z.infer<typeof performanceSampleSchema>;
