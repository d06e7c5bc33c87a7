// Moves and health checks of a cluster whose stack places its own VMs
// (Ganeti, Proxmox VE): the ways a VM can move (live or non-live migration,
// failover, a copy of its disks to another node, an offline or restart
// migration), each offered or refused with the stack's reason, and the
// findings of the stack's own cluster check.
import { z } from 'zod';
import { idSchema } from './ids';

/**
 * - live / non-live: migration to a node that sees the same disks (mirrored
 *   or shared storage); non-live pauses the guest while its memory moves;
 * - failover: stop, then start on the other node (a VM that is off only changes node);
 * - move: copy the disks to the node (disks on one node only), stopped meanwhile;
 * - offline: a guest that is off changes node, the stack copying the disks
 *   only its node has (Proxmox VE's offline migration);
 * - restart: a running guest that cannot migrate live (a Proxmox container)
 *   is shut down, moved as offline, and started again on the target.
 */
export const CLUSTER_MOVES = [
  'live',
  'non-live',
  'failover',
  'move',
  'offline',
  'restart',
] as const;
export type ClusterMoveKind = (typeof CLUSTER_MOVES)[number];

/** A node as the stack names it (a host name). */
const nodeNameSchema = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9][A-Za-z0-9.-]*$/, 'Not a node name.');

export const clusterMoveSpecSchema = z.object({
  vmId: idSchema,
  how: z.enum(CLUSTER_MOVES),
  /** Where to; absent where the stack decides (a DRBD mirror's other node). */
  targetNode: nodeNameSchema.optional(),
});
export type ClusterMoveSpec = z.infer<typeof clusterMoveSpecSchema>;

/** One node a move could go to, or why not. */
export const moveTargetSchema = z.object({
  node: z.string(),
  /** Why this node will not do (offline, drained, too little memory); absent when it will. */
  refused: z.string().optional(),
});

/** One way to move the VM: offered with its targets, or refused with the reason. */
export const clusterMoveOptionSchema = z.object({
  how: z.enum(CLUSTER_MOVES),
  /** "Live migration (gnt-instance migrate)". */
  label: z.string(),
  /** What it does to the guest, in a line. */
  note: z.string(),
  /** Why it is not offered for this VM now (its disk template, its state). */
  refused: z.string().optional(),
  /** Where it could go; empty when the stack picks the node itself. */
  targets: z.array(moveTargetSchema),
  /** True when the stack picks the node (a DRBD mirror moves to its secondary). */
  fixedTarget: z.boolean(),
});
export type ClusterMoveOption = z.infer<typeof clusterMoveOptionSchema>;

/** One problem the stack's cluster check reported: its level, the object it names, its text. */
export const healthFindingSchema = z.object({
  level: z.enum(['error', 'warning', 'notice']),
  /** The stack's own code for it (Ganeti's ENODESETUP), when it gives one. */
  code: z.string().optional(),
  /** What it is about: "node", "instance", "cluster", "group". */
  kind: z.string().optional(),
  /** The node (or instance, group) it names. */
  item: z.string().optional(),
  text: z.string(),
});
export type HealthFinding = z.infer<typeof healthFindingSchema>;

/** The last cluster check: when it ran, the command, and what it found (none: healthy). */
export const clusterHealthSchema = z.object({
  checkedAt: z.number(),
  command: z.string(),
  findings: z.array(healthFindingSchema),
});
export type ClusterHealth = z.infer<typeof clusterHealthSchema>;
