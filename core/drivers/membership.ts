// Cluster membership as a stack offers it: forming a cluster (or joining a
// node: the same plan over the new member list), leaving it, and the health
// checklist shown before forming one. It spans nodes, so it belongs to the
// stack (drivers/registry.ts), not to one node's driver. The libvirt stack
// does it with SSH trust between the nodes, an ssh config alias per peer and
// a CPU baseline; another stack may call its own cluster manager.
import type { CpuModel, Finding } from '../../shared/cluster';
import type { Host, Network } from '../../shared/model';
import type { HostConnection } from '../hosts/connection';
import type { PlannedStep } from '../wizards/plan';

export interface ClusterMember {
  host: Host;
  /** The host key lines Clusterdeck verified for this node (known_hosts format). */
  hostKeyLines: string[];
}

/** What the steps find out, for the cluster's record. */
export interface ClusterFindings {
  cpu?: CpuModel;
}

/** A node as New Cluster's checklist sees it. */
export interface PreflightNode {
  host: Host;
  conn: HostConnection;
  networks: Network[];
}

export interface ClusterMembership {
  /** Members the stack could not tell apart on the nodes: problems to show. */
  memberClashes(members: readonly ClusterMember[]): string[];
  /** The steps that make these nodes one cluster; `found` is filled as they run. */
  formSteps(members: readonly ClusterMember[], found: ClusterFindings): PlannedStep[];
  /** Remove node (one leaving) and Remove cluster (all leaving). */
  leaveSteps(
    leaving: readonly ClusterMember[],
    staying: readonly ClusterMember[],
    reachable: (m: ClusterMember) => boolean,
  ): PlannedStep[];
  /** Whether these nodes can form a healthy cluster, as a checklist; nothing is changed. */
  preflight(nodes: readonly PreflightNode[]): Promise<Finding[]>;
}
