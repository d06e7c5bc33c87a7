// A Ganeti cluster's node operations as plain functions, for the tree's
// menus and the cluster's toolbar: each shows the exact command and asks
// first (what stands in the way is said instead), then runs as a task.
import type { Cluster } from '../../../shared/cluster';
import {
  GANETI_NODE_OP_LABELS,
  type GanetiAddNodeSpec,
  type GanetiNodeOp,
} from '../../../shared/ganeti-cluster';
import type { PlanStepView } from '../../../shared/storage';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useUi } from '../../state/ui';
import { PlanSummary } from '../../ui/wizard/WizardFrame';

const WHY: Readonly<Record<GanetiNodeOp, string>> = {
  remove:
    'Ganeti takes the node out of the cluster and cleans it up (its daemons stop, its cluster keys go). Instances must not use it.',
  'master-failover':
    'The node becomes the master: the cluster IP and the job queue move to it (about half a minute).',
  drain: 'No new instances are placed on the node; those on it stay.',
  undrain: 'The node takes new instances again.',
  offline:
    'Ganeti stops talking to the node (it loses its master candidate role); its instances are not managed until it is online again.',
  online:
    'Ganeti talks to the node again. Only do this if its configuration has not changed meanwhile (Ganeti recommends gnt-node add --readd otherwise).',
};

async function confirmPlan(
  plan: Promise<{ steps: PlanStepView[]; problems: string[] }>,
  title: string,
  text: string,
  confirmLabel: string,
  start: () => Promise<unknown>,
  notify: (m: string) => void,
) {
  try {
    const p = await plan;
    if (p.problems.length) {
      notify(p.problems.join(' '));
      return;
    }
    useUi.getState().askConfirm({
      title,
      body: (
        <>
          <p className="mb-2">{text}</p>
          <PlanSummary plan={p} />
        </>
      ),
      confirmLabel,
      width: 'w-[44rem]',
      onConfirm: () => {
        start().catch((e: unknown) => notify(errorMessage(e)));
      },
    });
  } catch (e) {
    notify(errorMessage(e));
  }
}

export function ganetiNodeActions(cluster: Cluster, notify: (m: string) => void) {
  const op = (node: string, what: GanetiNodeOp) => {
    const spec = { clusterId: cluster.id, node, op: what };
    const label = GANETI_NODE_OP_LABELS[what];
    return confirmPlan(
      api.planGanetiNodeOp(spec),
      `${label}: ${node}?`,
      WHY[what],
      label,
      () => api.ganetiNodeOp(spec),
      notify,
    );
  };
  const add = (spec: Omit<GanetiAddNodeSpec, 'clusterId'>, name: string) => {
    const full = { clusterId: cluster.id, ...spec };
    return confirmPlan(
      api.planGanetiAddNode(full),
      `Add ${name} to ${cluster.name}?`,
      `${name} trusts the master's root key, then gnt-node add takes it into the cluster and its Ganeti daemons start.`,
      'Add node',
      () => api.ganetiAddNode(full),
      notify,
    );
  };
  return { op, add };
}
