// Migrate VM on a cluster that places its VMs itself (Ganeti): the ways it
// can move (live or non-live migration, failover, move of its disks), each
// offered or refused with the reason, and the target node (each refused
// node with its reason); then the stack's own preflight (its dry run, its
// refusal in its own words) and the exact command; Migrate runs it as a
// task whose job log lines show in the Tasks pane.
import { useEffect, useId, useState } from 'react';
import type { Finding } from '../../../shared/cluster';
import type { ClusterMoveKind, ClusterMoveOption } from '../../../shared/cluster-moves';
import type { PlanStepView } from '../../../shared/storage';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useInventory } from '../../state/inventory';
import { useUi } from '../../state/ui';
import { PlanSummary, WizardFrame, planRunnable, useFinish } from '../../ui/wizard/WizardFrame';
import { PreflightStep, planFindings } from '../../ui/wizard/PreflightStep';
import { Radio, Select } from '../../ui/forms';
import { landingStep, stopsAtPreflight } from '../../ui/wizard/steps';

const STEPS = ['How', 'Preflight', 'Summary'];

type Plan = { findings: Finding[]; steps: PlanStepView[]; problems: string[] } | { error: string };
type Options = { options: ClusterMoveOption[] } | { error: string };

export function ClusterMoveWizard({ vmId, targetNode }: { vmId: string; targetNode?: string }) {
  const close = () => useUi.getState().setVmDialog(undefined);
  const vm = useInventory((s) => s.inv.vms[vmId]);
  const ids = useId();
  const [index, setIndex] = useState(0);
  const [options, setOptions] = useState<Options>();
  const [how, setHow] = useState<ClusterMoveKind>();
  const [target, setTarget] = useState(targetNode ?? '');
  const [plan, setPlan] = useState<Plan>();

  useEffect(() => {
    let live = true;
    api.clusterMoveOptions({ vmId }).then(
      (r) => {
        if (!live) return;
        setOptions(r);
        // The first way offered that can go to the dropped-on node (or anywhere).
        const fits = (o: ClusterMoveOption) =>
          !o.refused &&
          (o.fixedTarget ||
            o.targets.some((t) => !t.refused && (!targetNode || t.node === targetNode)));
        setHow((r.options.find(fits) ?? r.options.find((o) => !o.refused))?.how);
      },
      (e: unknown) => live && setOptions({ error: errorMessage(e) }),
    );
    return () => {
      live = false;
    };
  }, [vmId, targetNode]);

  const list = options && 'options' in options ? options.options : [];
  const chosen = list.find((o) => o.how === how);
  // Keep the node when the new way can take it; otherwise the first that can.
  useEffect(() => {
    if (!chosen || chosen.fixedTarget) return;
    const ok = chosen.targets.filter((t) => !t.refused).map((t) => t.node);
    if (!ok.includes(target)) setTarget(ok[0] ?? target);
  }, [how, options]);

  const spec = {
    vmId,
    how: how ?? 'live',
    ...(chosen && !chosen.fixedTarget && target ? { targetNode: target } : {}),
  };
  const check = () => {
    setPlan(undefined);
    api.planClusterMove(spec).then(setPlan, (e: unknown) => setPlan({ error: errorMessage(e) }));
  };
  useEffect(() => {
    if (index >= 1) check();
  }, [index]);

  const { busy, finish } = useFinish(async () => {
    await api.moveClusterVm(spec);
  }, close);

  const blocked = (at: number): boolean =>
    (at === 0 && (!chosen || !!chosen.refused || (!chosen.fixedTarget && !target))) ||
    (at === 1 && !planRunnable(plan));
  const goTo = (target: number) =>
    setIndex(landingStep(index, target, stopsAtPreflight(index, 1, blocked)));

  if (!vm) return null;
  const problems = plan && 'findings' in plan ? plan.problems : [];
  const primary = vm.placement?.primary ?? 'its node';

  return (
    <WizardFrame
      title={`Migrate ${vm.name}`}
      steps={STEPS}
      index={index}
      onCancel={close}
      onBack={() => setIndex(index - 1)}
      onNext={() => goTo(index + 1)}
      onStep={goTo}
      finishLabel="Migrate"
      finishDisabled={busy || !planRunnable(plan)}
      onFinish={() => finish()}
    >
      {index === 0 && (
        <div className="space-y-3">
          <p>
            {vm.name} is {vm.state === 'shutoff' ? 'shut off' : vm.state} on {primary}
            {/* A guest that has a kind (VM, container) has no disk template, as in the tree. */}
            {vm.placement && !vm.kind ? ` (disk template ${vm.placement.diskTemplate})` : ''}.
          </p>
          {!options && <p>Reading the cluster…</p>}
          {options && 'error' in options && (
            <p role="alert" className="text-red-700 dark:text-red-400">
              {options.error}
            </p>
          )}
          {list.length > 0 && (
            <fieldset>
              <legend className="mb-1 font-medium">How to move it</legend>
              {list.map((o) => (
                <Radio
                  key={o.how}
                  className="flex items-start gap-2 py-0.5"
                  name={`${ids}-how`}
                  checked={how === o.how}
                  disabled={!!o.refused}
                  onChange={() => setHow(o.how)}
                >
                  <span>
                    {o.label}
                    <span className="block text-xs text-slate-500">
                      {o.refused ? `Not offered: ${o.refused}` : o.note}
                    </span>
                  </span>
                </Radio>
              ))}
            </fieldset>
          )}
          {chosen && !chosen.refused && chosen.fixedTarget && (
            <p>It goes to its secondary node, {chosen.targets[0]?.node ?? 'as Ganeti picks'}.</p>
          )}
          {chosen && !chosen.refused && !chosen.fixedTarget && (
            <Select
              label="Target node"
              value={target}
              onChange={setTarget}
              options={chosen.targets.map((t) => ({
                value: t.node,
                label: t.refused ? `${t.node} (${t.refused})` : t.node,
                disabled: !!t.refused,
              }))}
            />
          )}
        </div>
      )}
      {index === 1 && (
        <PreflightStep
          result={planFindings(plan)}
          blocked={problems.length > 0}
          checking="Asking Ganeti (a dry run)…"
          onCheck={check}
        />
      )}
      {index === 2 && <PlanSummary plan={plan} />}
    </WizardFrame>
  );
}
