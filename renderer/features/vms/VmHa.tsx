// A VM's "High availability" on its General tab, when its node is in a
// cluster with an HA engine (Pacemaker, Proxmox VE's HA manager): the
// resource that protects it (state, where it runs), with Remove HA, or
// Protect with HA: optional preferred nodes with a priority each
// (Pacemaker location scores, Proxmox HA groups or node-affinity rules), then the plan's commands
// (or what stands in the way, such as a disk a member does not see) before
// it runs as a task.
import { useState } from 'react';
import { describeHaResource, haResourceOfVm } from '../../../shared/ha';
import type { Vm } from '../../../shared/model';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useInventory } from '../../state/inventory';
import { useNotices } from '../../state/notices';
import { useUi } from '../../state/ui';
import { buttonClass } from '../../ui/Dialog';
import { TextField } from '../../ui/forms';
import { PlanSummary, wizardInput } from '../../ui/wizard/WizardFrame';

export function VmHa({ vm, busy }: { vm: Vm; busy: boolean }) {
  const notify = useNotices((s) => s.push);
  const cluster = useInventory((s) =>
    Object.values(s.inv.clusters).find((c) => c.ha && c.hostIds.includes(vm.hostId)),
  );
  // A priority per member, as typed: blank is no preference; higher wins.
  const [priorities, setPriorities] = useState<Record<string, string>>({});
  const ha = cluster?.ha;
  if (!ha) return null;
  const resource = haResourceOfVm(ha, vm);
  const typed = ha.nodes.map((n) => ({ node: n.name, text: (priorities[n.name] ?? '').trim() }));
  const badPriority = (text: string) =>
    text !== '' && !(/^\d+$/.test(text) && Number(text) >= 1 && Number(text) <= 1_000_000);
  const invalid = typed.some((t) => badPriority(t.text));
  const protect = async () => {
    const preferred = typed
      .filter((t) => t.text !== '')
      .map((t) => ({ node: t.node, score: Number(t.text) }));
    const spec = { vmId: vm.id, preferred };
    try {
      const plan = await api.planProtectHa(spec);
      if (plan.problems.length) return notify(plan.problems.join(' '));
      useUi.getState().askConfirm({
        title: `Protect ${vm.name} with HA?`,
        body: (
          <>
            <p className="mb-2">
              {ha.manager} takes over {vm.name}: it restarts it on another node when its node is
              lost, and Start and Shut down go through it from now on. The commands below say how.
            </p>
            <PlanSummary plan={plan} />
          </>
        ),
        confirmLabel: 'Protect with HA',
        width: 'w-[48rem]',
        onConfirm: () => {
          api.protectHa(spec).catch((e: unknown) => notify(errorMessage(e)));
        },
      });
    } catch (e) {
      notify(errorMessage(e));
    }
  };
  const remove = async () => {
    try {
      const plan = await api.planRemoveHa({ vmId: vm.id });
      if (plan.problems.length) return notify(plan.problems.join(' '));
      useUi.getState().askConfirm({
        title: `Remove HA from ${vm.name}?`,
        body: (
          <>
            <p className="mb-2">
              {ha.manager} forgets {vm.name}, which stays on the node it runs on (the commands below
              say how). Nothing restarts it elsewhere any more when its node is lost.
            </p>
            <PlanSummary plan={plan} />
          </>
        ),
        confirmLabel: 'Remove HA',
        width: 'w-[48rem]',
        onConfirm: () => {
          api.removeHa({ vmId: vm.id }).catch((e: unknown) => notify(errorMessage(e)));
        },
      });
    } catch (e) {
      notify(errorMessage(e));
    }
  };
  return (
    <section aria-label="High availability" className="space-y-2">
      <h3 className="font-medium">High availability</h3>
      {resource ? (
        <div className="flex items-center gap-2">
          <p>
            Protected by {ha.manager} as {resource.id}: {describeHaResource(resource)}
            {resource.preferred?.length
              ? `, preferring ${resource.preferred.map((p) => `${p.node} (${p.priority})`).join(', ')}`
              : ''}
            .
          </p>
          <button className={buttonClass} disabled={busy} onClick={() => void remove()}>
            Remove HA…
          </button>
        </div>
      ) : (
        <div className="space-y-2">
          <fieldset>
            <legend className="mb-1">
              Preferred nodes (optional): a priority from 1 to 1000000 on each node it should
              prefer; the highest that is online runs it.
            </legend>
            <div className="flex flex-wrap gap-3">
              {typed.map((t) => (
                <TextField
                  key={t.node}
                  layout="inline"
                  label={`Priority on ${t.node}`}
                  controlClass={`${wizardInput} w-24`}
                  inputMode="numeric"
                  placeholder="none"
                  value={t.text}
                  onChange={(v) => setPriorities((p) => ({ ...p, [t.node]: v }))}
                  error={badPriority(t.text) && 'A whole number from 1 to 1000000.'}
                />
              ))}
            </div>
          </fieldset>
          <button className={buttonClass} disabled={busy || invalid} onClick={() => void protect()}>
            Protect with HA…
          </button>
        </div>
      )}
    </section>
  );
}
