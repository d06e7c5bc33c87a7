// One reading of a node's and its VMs' load, as the Performance tab plots it.
import { z } from 'zod';

export const vmLoadSchema = z.object({
  /** Of one CPU: 200 is two vCPUs fully busy. */
  cpuPercent: z.number(),
  /** What the guest was given (never the QEMU process's size, which adds the emulator's own). */
  memGivenBytes: z.number(),
  /** Its allocation: the chart's memory scale tops out here. */
  memMaxBytes: z.number(),
  /** What the guest says it uses, when its balloon driver reports it. */
  memUsedBytes: z.number().optional(),
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
  /** Total less available: what the node's processes, guests included, hold. */
  memUsedBytes: z.number(),
  memTotalBytes: z.number(),
  /** Available to new guests (the kernel's MemAvailable). */
  memAvailableBytes: z.number(),
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
  /** Running VMs by UUID: a VM's history follows it to another node. */
  vms: z.record(z.string(), vmLoadSchema),
});
export type PerformanceSample = z.infer<typeof performanceSampleSchema>;

/**
 * A node's memory now, from its kernel: the one reading behind every node
 * memory figure (General tabs, Performance, New Cluster's and Migrate VM's checks).
 */
export const nodeMemorySchema = z.object({
  at: z.number(),
  totalBytes: z.number(),
  freeBytes: z.number(),
  /** What new guests can have without the node swapping (MemAvailable). */
  availableBytes: z.number(),
});
export type NodeMemoryReading = z.infer<typeof nodeMemorySchema>;
