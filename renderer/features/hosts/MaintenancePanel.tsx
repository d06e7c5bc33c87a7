// Maintenance mode on a node's General tab: entering shows where each of its
// running VMs will go (and what the checks found) before anything moves;
// leaving clears the mark and brings back the VMs it remembered, once the
// user has seen which VMs move back and from where.
import { useEffect, useState } from 'react';
import type { Cluster, Finding, ManagedNode } from '../../../shared/cluster';
import type { Host, Vm } from '../../../shared/model';
import type { PlanStepView } from '../../../shared/storage';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useInventory } from '../../state/inventory';
import { useNotices } from '../../state/notices';
import { useUi } from '../../state/ui';
import { Dialog, buttonClass, primaryButtonClass } from '../../ui/Dialog';
import { Checkbox } from '../../ui/forms';
import { Checklist } from '../../ui/wizard/Checklist';
import { PlanSummary, useFinish } from '../../ui/wizard/WizardFrame';
import { useMaintenanceRequest } from './hostPower';

type Plan = { findings: Finding[]; steps: PlanStepView[]; problems: string[] } | { error: string };

function EnterDialog({
  host,
  managed,
  onClose,
}: {
  host: Host;
  /** Its cluster places VMs itself (Ganeti, Proxmox VE): nothing to bring back, the cluster moves them. */
  managed: boolean;
  onClose: () => void;
}) {
  const [plan, setPlan] = useState<Plan>();
  const [bringBack, setBringBack] = useState(true);
  useEffect(() => {
    api
      .planMaintenance({ hostId: host.id })
      .then(setPlan, (e: unknown) => setPlan({ error: errorMessage(e) }));
  }, [host.id]);
  const { busy, finish: enter } = useFinish(async () => {
    await api.enterMaintenance({ hostId: host.id, bringBack });
  }, onClose);
  const ok = plan && 'steps' in plan && plan.problems.length === 0;
  return (
    <Dialog title={`Maintenance mode for ${host.name}`} onClose={onClose} width="w-[44rem]">
      <div className="max-h-[60vh] space-y-3 overflow-auto pr-1">
        {!plan && <p>Planning where its VMs go…</p>}
        {plan && 'steps' in plan && plan.steps.length === 0 && plan.problems.length === 0 && (
          <p>{host.name} runs no VMs: it is marked, and nothing moves to it until it leaves.</p>
        )}
        {plan && 'findings' in plan && plan.findings.length > 0 && (
          <Checklist findings={plan.findings} />
        )}
        {plan && 'steps' in plan && plan.steps.length > 0 && <PlanSummary plan={plan} />}
        {plan && 'error' in plan && (
          <p role="alert" className="text-red-700 dark:text-red-400">
            {plan.error}
          </p>
        )}
        {managed ? (
          <p className="text-sm text-slate-500">
            Its cluster&apos;s own maintenance mode: the cluster places nothing new on the node
            until it leaves maintenance mode.
          </p>
        ) : (
          <Checkbox checked={bringBack} onChange={setBringBack}>
            Bring these VMs back when {host.name} leaves maintenance mode
          </Checkbox>
        )}
      </div>
      <div className="mt-4 flex justify-end gap-2">
        <button className={buttonClass} onClick={onClose}>
          Cancel
        </button>
        <button className={primaryButtonClass} disabled={!ok || busy} onClick={enter}>
          Enter maintenance mode
        </button>
      </div>
    </Dialog>
  );
}

/** The host as a node of a cluster that lists its own nodes (by host name, short or full). */
function managedNodeOf(clusters: readonly Cluster[], host: Host): ManagedNode | undefined {
  const hn = host.info?.hostname;
  const c = clusters.find((x) => x.managed && x.hostIds.includes(host.id));
  return hn
    ? c?.managed?.nodes.find((n) => n.name === hn || n.name.startsWith(`${hn}.`))
    : undefined;
}

/** Asks before leaving maintenance mode, naming each VM that moves back and from where. */
function askExit(host: Host, back: Vm[], names: Record<string, string>, exit: () => void) {
  useUi.getState().askConfirm({
    title: `Exit maintenance mode on ${host.name}?`,
    body:
      back.length > 0 ? (
        <>
          <span className="mb-2 block">
            These VMs migrate back to {host.name} as soon as it leaves maintenance mode:
          </span>
          <ul aria-label="VMs that move back" className="list-disc pl-5">
            {back.map((vm) => (
              <li key={vm.id}>
                {vm.name} from {names[vm.hostId] ?? 'another node'} to {host.name}
              </li>
            ))}
          </ul>
        </>
      ) : (
        <>No VM moves: {host.name} only takes new VMs and migrations again.</>
      ),
    confirmLabel: 'Exit maintenance mode',
    onConfirm: exit,
  });
}

export function MaintenancePanel({ host }: { host: Host }) {
  const notify = useNotices((s) => s.push);
  const inCluster = useInventory((s) =>
    Object.values(s.inv.clusters).some((c) => c.hostIds.includes(host.id)),
  );
  // A cluster that places its VMs itself (Ganeti) keeps the state: the node is drained.
  const managedNode = useInventory((s) => managedNodeOf(Object.values(s.inv.clusters), host));
  const [entering, setEntering] = useState(false);
  // Asked by Reboot / Shut down on a node that runs VMs.
  const requested = useMaintenanceRequest((s) => s.hostId === host.id);
  useEffect(() => {
    if (requested) {
      setEntering(true);
      useMaintenanceRequest.getState().request(undefined);
    }
  }, [requested]);
  // The VMs it will bring back: those it remembered that still run elsewhere (as the backend picks them).
  const vms = useInventory((s) => s.inv.vms);
  const hosts = useInventory((s) => s.inv.hosts);
  if (!inCluster) return null;
  const m =
    host.maintenance ??
    (managedNode?.role === 'drained' || managedNode?.role === 'maintenance'
      ? { since: undefined, bringBack: [] }
      : undefined);
  const exit = () =>
    void api.exitMaintenance({ hostId: host.id }).catch((e: unknown) => notify(errorMessage(e)));
  const remembered = new Set(m?.bringBack ?? []);
  const back = Object.values(vms).filter((v) => remembered.has(v.uuid) && v.hostId !== host.id);
  const names = Object.fromEntries(Object.values(hosts).map((h) => [h.id, h.name]));
  return (
    <section aria-label="Maintenance mode" className="space-y-2">
      {m ? (
        <div
          role="status"
          className="rounded border border-amber-400 bg-amber-50 p-3 dark:bg-amber-950"
        >
          <p className="mb-2">
            {m.since !== undefined
              ? `In maintenance mode since ${new Date(m.since).toLocaleString()}: no VM moves to it.`
              : managedNode?.role === 'maintenance'
                ? 'In maintenance mode: its cluster moved the guests it manages away and places none on it.'
                : 'In maintenance mode: drained, so no instance is placed on it.'}
            {m.bringBack.length > 0 &&
              ` ${m.bringBack.length} VM(s) come back when it leaves maintenance mode.`}
          </p>
          <button className={buttonClass} onClick={() => askExit(host, back, names, exit)}>
            Exit maintenance mode
          </button>
        </div>
      ) : (
        <button className={buttonClass} onClick={() => setEntering(true)}>
          Enter maintenance mode…
        </button>
      )}
      {entering && (
        <EnterDialog host={host} managed={!!managedNode} onClose={() => setEntering(false)} />
      )}
    </section>
  );
}
