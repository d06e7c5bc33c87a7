// The libvirt stack's cluster membership: SSH trust between the nodes
// (trust.ts), an alias per peer in each node's ssh config (sshConfig.ts),
// a libvirt connection between every pair and the CPU baseline (plan.ts),
// and New Cluster's checklist (preflight.ts).
import type { ClusterMembership } from '../../membership';
import { clusterPlan, memberClashes, untrustPlan } from './plan';
import { preflight } from './preflight';

export const libvirtMembership: ClusterMembership = {
  memberClashes,
  formSteps: clusterPlan,
  leaveSteps: untrustPlan,
  preflight,
};
