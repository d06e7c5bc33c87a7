// What the New Cluster wizard sends and shows: the cluster's name and nodes,
// the preflight checklist, and the record the app keeps.
import { z } from 'zod';
import { clusterHealthSchema } from './cluster-moves';
import { haSpecSchema } from './ha-form';
import { haStateSchema } from './ha';
import { idSchema } from './ids';
import { objectNameSchema, poolSpecSchema } from './storage';

export const clusterSpecSchema = z.object({
  name: objectNameSchema,
  hostIds: z
    .array(idSchema)
    .min(2, 'A cluster has at least two nodes.')
    .max(32)
    .refine((ids) => new Set(ids).size === ids.length, 'A node is listed twice.'),
  /** A storage pool defined the same way on every node, from New Storage Pool's fields. */
  sharedPool: poolSpecSchema.optional(),
  /** High availability: a Corosync + Pacemaker cluster formed on the nodes (shared/ha-form.ts). */
  ha: haSpecSchema.optional(),
});
export type ClusterSpec = z.infer<typeof clusterSpecSchema>;

export const FINDING_LEVELS = ['ok', 'warning', 'problem'] as const;
export type FindingLevel = (typeof FINDING_LEVELS)[number];

/** One line of the preflight checklist: what was checked, where, and what to do. */
export const findingSchema = z.object({
  check: z.string(),
  level: z.enum(FINDING_LEVELS),
  /** What was found, naming the nodes. */
  detail: z.string(),
  /** What the administrator can do about a warning or problem. */
  fix: z.string().optional(),
});
export type Finding = z.infer<typeof findingSchema>;

/**
 * A CPU model with its features, as libvirt's hypervisor-cpu-baseline gives
 * it: guests with this CPU can run on (and migrate between) every node.
 */
export const cpuModelSchema = z.object({
  model: z.string().min(1).max(128),
  vendor: z.string().max(64).optional(),
  features: z
    .array(z.object({ name: z.string().min(1).max(64), policy: z.string().min(1).max(16) }))
    .max(512),
});
export type CpuModel = z.infer<typeof cpuModelSchema>;

/** One line for people: "kvm64 (AMD) with 24 required features". */
export function describeCpu(cpu: CpuModel): string {
  const required = cpu.features.filter((f) => f.policy === 'require').length;
  const vendor = cpu.vendor ? ` (${cpu.vendor})` : '';
  const features = required ? ` with ${required} required feature${required === 1 ? '' : 's'}` : '';
  return `${cpu.model}${vendor}${features}`;
}

/** A cluster as the app keeps it (settings) and shows it (inventory). */
/**
 * A node's role in a cluster its stack manages itself: Ganeti's roles (a
 * drained node takes no new instance), or just online / offline / HA
 * maintenance mode where the stack has no roles (Proxmox VE).
 */
export const MANAGED_NODE_ROLES = [
  'master',
  'candidate',
  'regular',
  'drained',
  'online',
  'offline',
  'maintenance',
] as const;

/** A member node as the cluster's own manager lists it, Clusterdeck host or not. */
export const managedNodeSchema = z.object({
  name: z.string(),
  role: z.enum(MANAGED_NODE_ROLES),
  cpus: z.number(),
  memoryTotalMiB: z.number(),
  memoryFreeMiB: z.number(),
});
export type ManagedNode = z.infer<typeof managedNodeSchema>;

export const clusterSchema = z.object({
  id: z.string(),
  name: z.string(),
  hostIds: z.array(z.string()),
  /**
   * Set for a cluster its stack manages (Ganeti): every member node as the
   * stack lists it (VMs name theirs in `placement.primary`); written by the
   * driver, never kept in settings.
   */
  managed: z
    .object({
      stack: z.string(),
      master: z.string(),
      nodes: z.array(managedNodeSchema),
      /** Whether the members that can see each other hold quorum (Proxmox VE); absent: not said. */
      quorate: z.boolean().optional(),
    })
    .optional(),
  /** The CPU every member can run, worked out when the cluster was made or grew. */
  cpu: cpuModelSchema.optional(),
  /** The stack's last cluster check (Ganeti's verify), written by its driver. */
  health: clusterHealthSchema.optional(),
  /**
   * High availability as the nodes' Pacemaker reports it (shared/ha.ts),
   * written by the backend from a member node, never kept in settings.
   */
  ha: haStateSchema.optional(),
});
export type Cluster = z.infer<typeof clusterSchema>;
