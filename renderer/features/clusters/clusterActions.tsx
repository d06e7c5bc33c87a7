// The cluster's actions as plain functions, shared by its General tab and its
// menu in the resource tree, so both show the same plan and ask the same
// question before anything runs.
import type { ReactNode } from 'react';
import type { Cluster } from '../../../shared/cluster';
import type { PlanStepView } from '../../../shared/storage';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useUi } from '../../state/ui';
import { PlanSummary } from '../../ui/wizard/WizardFrame';

export function clusterActions(cluster: Cluster, notify: (message: string) => void) {
  // Both show the exact commands that take the cluster's SSH trust back on
  // the nodes before anything runs, as one task with Undo if a step fails.
  const confirmPlan = async (
    plan: Promise<{ steps: PlanStepView[]; problems: string[] }>,
    ask: (summary: ReactNode) => void,
  ) => {
    try {
      const p = await plan;
      if (p.problems.length) notify(p.problems.join(' '));
      else ask(<PlanSummary plan={p} />);
    } catch (e) {
      notify(errorMessage(e));
    }
  };
  const removeNode = (hostId: string, name: string) =>
    confirmPlan(api.planRemoveClusterNode({ clusterId: cluster.id, hostId }), (summary) =>
      useUi.getState().askConfirm({
        title: `Remove ${name} from ${cluster.name}?`,
        body: (
          <>
            <p className="mb-2">
              Clusterdeck takes {name} out of the cluster: the other nodes stop trusting its cluster
              key, and {name} stops trusting theirs and loses its key. It stays added.
            </p>
            {summary}
          </>
        ),
        confirmLabel: 'Remove from cluster',
        width: 'w-[44rem]',
        onConfirm: () => {
          api
            .removeClusterNode({ clusterId: cluster.id, hostId })
            .catch((e: unknown) => notify(errorMessage(e)));
        },
      }),
    );

  const remove = () =>
    confirmPlan(api.planRemoveCluster({ clusterId: cluster.id }), (summary) =>
      useUi.getState().askConfirm({
        title: `Remove the cluster ${cluster.name}?`,
        body: (
          <>
            <p className="mb-2">
              Clusterdeck takes back the SSH trust between the nodes and their cluster keys, then
              forgets the cluster. Its nodes stay added and their VMs keep running.
            </p>
            {summary}
          </>
        ),
        confirmLabel: 'Remove cluster',
        width: 'w-[44rem]',
        onConfirm: () => {
          api
            .removeCluster({ clusterId: cluster.id })
            .then(() => useUi.getState().select({ kind: 'root' }))
            .catch((e: unknown) => notify(errorMessage(e)));
        },
      }),
    );

  return { removeNode, remove };
}
