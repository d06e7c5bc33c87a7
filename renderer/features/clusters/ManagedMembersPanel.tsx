// The members of a cluster that keeps its own member list (capability
// 'cluster-members', Proxmox VE): each node as the cluster lists it, with
// Remove… (pvecm delnode from another member; the plan says why not while
// the node still has guests).
import type { Cluster } from '../../../shared/cluster';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useNotices } from '../../state/notices';
import { useUi } from '../../state/ui';
import { buttonClass } from '../../ui/Dialog';
import { Table } from '../../ui/Facts';
import { PlanSummary } from '../../ui/wizard/WizardFrame';

export function ManagedMembersPanel({ cluster }: { cluster: Cluster }) {
  const notify = useNotices((s) => s.push);
  const remove = async (node: string) => {
    try {
      const plan = await api.planPveRemoveNode({ clusterId: cluster.id, node });
      if (plan.problems.length) return notify(plan.problems.join(' '));
      useUi.getState().askConfirm({
        title: `Remove ${node} from ${cluster.name}?`,
        body: (
          <>
            <p className="mb-2">
              The cluster forgets {node} (pvecm delnode). Power {node} off first and do not start it
              again in this network as it is: reinstall it, or separate it, before it joins a
              cluster again.
            </p>
            <PlanSummary plan={plan} />
          </>
        ),
        confirmLabel: 'Remove node',
        width: 'w-[44rem]',
        onConfirm: () => {
          api
            .pveRemoveNode({ clusterId: cluster.id, node })
            .catch((e: unknown) => notify(errorMessage(e)));
        },
      });
    } catch (e) {
      notify(errorMessage(e));
    }
  };
  return (
    <Table
      caption="Cluster nodes"
      head={['Node', '']}
      rows={(cluster.managed?.nodes ?? []).map((n) => [
        n.name,
        <button
          key="remove"
          className={buttonClass}
          aria-label={`Remove ${n.name} from the cluster`}
          onClick={() => void remove(n.name)}
        >
          Remove…
        </button>,
      ])}
    />
  );
}
