// "High availability" on a cluster's General tab, from the `ha` facet the
// backend reads off the nodes' HA engine (shared/ha.ts: Pacemaker, Proxmox
// VE's HA manager): quorum, each member's state, each HA VM's resource
// state, where it runs and the nodes it prefers, failed
// actions with their reason and Clean up (its command shown before it runs),
// and a warning that stays while fencing is off.
import type { Cluster } from '../../../shared/cluster';
import {
  describeHaResource,
  type HaFailedAction,
  type HaNodeState,
  type HaState,
} from '../../../shared/ha';
import { errorMessage } from '../../api/bridge';
import { useInventory } from '../../state/inventory';
import { api } from '../../api/backend';
import { useNotices } from '../../state/notices';
import { useUi } from '../../state/ui';
import { buttonClass } from '../../ui/Dialog';
import { Facts, Table } from '../../ui/Facts';
import { PlanSummary } from '../../ui/wizard/WizardFrame';

export const HA_NODE_STATE_WORDS: Record<HaNodeState, string> = {
  online: 'Online',
  standby: 'Standby',
  maintenance: 'Maintenance',
  pending: 'Joining',
  offline: 'Offline',
  unclean: 'Unclean (lost, not fenced yet)',
};

function failureLine(f: HaFailedAction): string {
  const reason = f.reason ? `: ${f.reason}` : '';
  return `${f.op} on ${f.node} failed (${f.status}, exit code ${f.exitCode})${reason}`;
}

export function StonithWarning({ ha }: { ha: HaState }) {
  if (ha.stonithEnabled) return null;
  return (
    <p
      role="alert"
      className="rounded border border-amber-400 bg-amber-50 px-3 py-2 text-amber-900 dark:border-amber-600 dark:bg-amber-950 dark:text-amber-200"
    >
      Fencing is off (stonith-enabled=false). When a node stops answering, Pacemaker cannot make
      sure it is off before starting its VMs elsewhere: in a split brain both halves may run the
      same VM at once on the shared disks, and corrupt them. Configure a fence device for every node
      and turn fencing on.
    </p>
  );
}

export function HaSection({ cluster }: { cluster: Cluster }) {
  const notify = useNotices((s) => s.push);
  const guests = useInventory((s) => s.inv.vms);
  const ha = cluster.ha;
  if (!ha) return null;
  // The resources that keep a VM or container (not fence devices, addresses…).
  const vms = ha.resources.filter((r) => r.domain || r.vmUuid);
  const guestName = (uuid: string | undefined) =>
    uuid ? Object.values(guests).find((v) => v.uuid === uuid)?.name : undefined;
  const cleanUp = async (resourceId: string) => {
    try {
      const plan = await api.planHaCleanup({ clusterId: cluster.id, resourceId });
      if (plan.problems.length) return notify(plan.problems.join(' '));
      useUi.getState().askConfirm({
        title: `Clean up ${resourceId}?`,
        body: (
          <>
            <p className="mb-2">
              Pacemaker forgets the failures of {resourceId} and its fail counts, then decides again
              where it runs (it may start it, or move it back).
            </p>
            <PlanSummary plan={plan} />
          </>
        ),
        confirmLabel: 'Clean up',
        width: 'w-[40rem]',
        onConfirm: () => {
          api
            .haCleanup({ clusterId: cluster.id, resourceId })
            .catch((e: unknown) => notify(errorMessage(e)));
        },
      });
    } catch (e) {
      notify(errorMessage(e));
    }
  };
  const failedResources = [...new Set(ha.failedActions.map((f) => f.resource))];
  return (
    <section aria-label="High availability" className="space-y-2">
      <h3 className="font-medium">High availability</h3>
      <StonithWarning ha={ha} />
      {ha.problem && (
        <p role="status" className="text-red-700 dark:text-red-400">
          {ha.problem} Showing what was read last.
        </p>
      )}
      <Facts
        rows={[
          ['Engine', `${ha.engine} (cluster ${ha.clusterName})`],
          [
            'Quorum',
            ha.quorate
              ? 'Yes: this partition has quorum'
              : `No: ${ha.manager} recovers nothing from this partition`,
          ],
          ['Fencing', ha.stonithEnabled ? 'On' : 'Off'],
          ['Controller', ha.dc ?? 'None'],
          ...(ha.maintenanceMode
            ? [
                [
                  'Maintenance mode',
                  `On: ${ha.manager} does not start, stop or move anything`,
                ] as const,
              ]
            : []),
          ['Read from', ha.readFrom],
        ].map(([k, v]) => [k, v] as [string, string])}
      />
      <Table
        caption="HA nodes"
        head={['Node', 'HA state', 'Resources running']}
        rows={ha.nodes.map((n) => [
          n.name + (n.dc ? ' (controller)' : ''),
          HA_NODE_STATE_WORDS[n.state],
          String(n.resourcesRunning),
        ])}
      />
      <Table
        caption="HA VMs"
        head={['Resource', 'VM', 'State', 'Runs on', 'Preferred nodes']}
        rows={vms.map((r) => [
          r.id,
          r.domain?.name ?? guestName(r.vmUuid) ?? r.domain?.config ?? '—',
          describeHaResource(r),
          r.nodes.join(', ') || '—',
          r.preferred?.map((p) => `${p.node} (${p.priority})`).join(', ') || 'Any',
        ])}
      />
      {vms.length === 0 && <p className="text-sm text-slate-500">No VM is protected by HA yet.</p>}
      {failedResources.length > 0 && (
        <Table
          caption="Failed actions"
          head={['Resource', 'What failed', '']}
          rows={failedResources.map((id) => [
            id,
            ha.failedActions
              .filter((f) => f.resource === id)
              .map(failureLine)
              .join('; '),
            <button
              key="cleanup"
              className={buttonClass}
              aria-label={`Clean up ${id}`}
              onClick={() => void cleanUp(id)}
            >
              Clean up…
            </button>,
          ])}
        />
      )}
    </section>
  );
}
