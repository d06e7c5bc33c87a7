// High availability of a cluster as its own HA engine reports it: Pacemaker
// on Corosync for libvirt nodes, or Proxmox VE's HA manager (its CRM and a
// LRM per node). Membership, quorum, fencing, each resource and the failed
// actions, in one shape where the meaning is the same; what applies to one
// engine only is optional and said so. Written by the backend from what a
// member node says (the `ha` facet of a cluster entity), never kept in
// settings: a second Clusterdeck pointed at the same nodes reads the same state.
import { z } from 'zod';

/**
 * A member's state, worst first when several hold: `unclean` (lost, not yet
 * fenced), `offline`, `pending` (joining), `maintenance`, `standby` (runs no
 * resources), `online`.
 */
export const HA_NODE_STATES = [
  'unclean',
  'offline',
  'pending',
  'maintenance',
  'standby',
  'online',
] as const;
export type HaNodeState = (typeof HA_NODE_STATES)[number];

export const haNodeSchema = z.object({
  /** The node's name in the Corosync nodelist (its host name). */
  name: z.string(),
  state: z.enum(HA_NODE_STATES),
  /** The node whose engine decides: Pacemaker's Designated Controller, Proxmox's CRM master. */
  dc: z.boolean(),
  resourcesRunning: z.number(),
  /** The Clusterdeck host this member is (by host name or address), when it is added. */
  hostId: z.string().optional(),
});
export type HaNode = z.infer<typeof haNodeSchema>;

export const haResourceSchema = z.object({
  /** Pacemaker's resource id; Proxmox's service id (`vm:100`, `ct:200`). */
  id: z.string(),
  /** "ocf:heartbeat:VirtualDomain", "stonith:fence_ipmilan"; Proxmox: "vm" or "ct". */
  agent: z.string(),
  /** The engine's word for its state: Pacemaker's role (Started, Stopped, Migrating, …), Proxmox's CRM state (started, request_stop, fence, error, …). */
  role: z.string(),
  /** Where it runs (a resource running twice is listed on both). */
  nodes: z.array(z.string()),
  managed: z.boolean(),
  failed: z.boolean(),
  blocked: z.boolean(),
  /** Its target-role is Stopped: Pacemaker keeps it stopped on purpose. */
  targetStopped: z.boolean(),
  /** A VirtualDomain resource's domain: its definition file and the domain it defines. */
  domain: z
    .object({ config: z.string(), name: z.string().optional(), uuid: z.string().optional() })
    .optional(),
  /** The app's uuid of the guest it keeps, where the engine names guests itself (Proxmox: its vmid). */
  vmUuid: z.string().optional(),
  /** The nodes it prefers, highest priority first (a Pacemaker location score, a Proxmox group or node-affinity rule). */
  preferred: z.array(z.object({ node: z.string(), priority: z.number() })).optional(),
});
export type HaResource = z.infer<typeof haResourceSchema>;

/** A failed operation Pacemaker remembers until a cleanup. */
export const haFailedActionSchema = z.object({
  resource: z.string(),
  /** start, stop, monitor, migrate_to… */
  op: z.string(),
  node: z.string(),
  /** The agent's status in words ("not running", "not installed"). */
  status: z.string(),
  /** The agent's own explanation, when it gave one. */
  reason: z.string(),
  exitCode: z.number(),
  /** When it happened, as Pacemaker wrote it. */
  at: z.string(),
});
export type HaFailedAction = z.infer<typeof haFailedActionSchema>;

/** The HA engines Clusterdeck reads (the backend's; the renderer shows the state, never branches on it). */
export const HA_ENGINES = ['pacemaker', 'proxmox'] as const;

export const haStateSchema = z.object({
  stack: z.enum(HA_ENGINES),
  /** The engine's name as the user knows it ("Pacemaker", "Proxmox VE HA"), for sentences. */
  manager: z.string(),
  /** What the engine is made of, in a few words ("Pacemaker on Corosync"). */
  engine: z.string(),
  /** Corosync's totem.cluster_name (Proxmox's cluster name is the same). */
  clusterName: z.string(),
  /** The reporting node's partition has quorum. */
  quorate: z.boolean(),
  /** The Designated Controller's name, when there is one. */
  dc: z.string().optional(),
  stonithEnabled: z.boolean(),
  maintenanceMode: z.boolean(),
  nodes: z.array(haNodeSchema),
  resources: z.array(haResourceSchema),
  failedActions: z.array(haFailedActionSchema),
  /**
   * The cluster entity itself was recognised from the nodes: no cluster of
   * this Clusterdeck's settings holds them (its SSH-trust actions do not apply).
   */
  fromNodes: z.boolean(),
  /** The Clusterdeck host the state was read on. */
  readFrom: z.string(),
  /** Set when no member could be read: why (the last state stays beside it). */
  problem: z.string().optional(),
});
export type HaState = z.infer<typeof haStateSchema>;

/** The resource that keeps a VM highly available: by the guest it names, else the domain's UUID, else its name. */
export function haResourceOfVm(
  ha: HaState | undefined,
  vm: { uuid: string; name: string },
): HaResource | undefined {
  const named = ha?.resources.find((r) => r.vmUuid && r.vmUuid === vm.uuid);
  if (named) return named;
  const vds = ha?.resources.filter((r) => r.domain) ?? [];
  return (
    vds.find((r) => r.domain?.uuid && r.domain.uuid === vm.uuid) ??
    vds.find((r) => !r.domain?.uuid && r.domain?.name === vm.name)
  );
}

/** One short phrase for a resource's state: "Started on hanode2", "Stopped (disabled)". */
export function describeHaResource(r: HaResource): string {
  const where = r.nodes.length ? ` on ${r.nodes.join(', ')}` : '';
  const notes = [
    r.targetStopped ? 'disabled' : '',
    r.managed ? '' : 'unmanaged',
    r.failed ? 'failed' : '',
    r.blocked ? 'blocked' : '',
  ].filter(Boolean);
  return `${r.role}${where}${notes.length ? ` (${notes.join(', ')})` : ''}`;
}
