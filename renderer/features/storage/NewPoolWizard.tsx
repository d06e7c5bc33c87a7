// New Storage Pool: type, settings (checked as you type against the
// contract's own schema), nodes, then a summary of exactly what will run
// where; Create starts one task with a step per command.
import { useState } from 'react';
import { api } from '../../api/backend';
import { hasCapability } from '../../../shared/model';
import { useInventory } from '../../state/inventory';
import { selectedHostId, useUi } from '../../state/ui';
import { usePoolForm } from './PoolFields';
import {
  PlanSummary,
  usePlan,
  WizardFrame,
  useFinish,
  planRunnable,
} from '../../ui/wizard/WizardFrame';
import { withToggled } from '../../ui/checked';
import { Checkbox } from '../../ui/forms';
import { StorageApiWizard } from './StorageApiWizard';

type Step = 'type' | 'settings' | 'nodes' | 'summary';
const STEPS: { id: Step; label: string }[] = [
  { id: 'type', label: 'Type' },
  { id: 'settings', label: 'Settings' },
  { id: 'nodes', label: 'Nodes' },
  { id: 'summary', label: 'Summary' },
];

/**
 * New Storage Pool on the selected node's stack: where the cluster's API
 * defines storage ('storage-api', Proxmox VE) its own types and steps.
 */
export function NewPoolWizard() {
  const selection = useUi((s) => s.selection);
  const inv = useInventory((s) => s.inv);
  const fromApi = Object.values(inv.hosts).filter(
    (h) => hasCapability(h, 'storage-api') && h.state === 'connected',
  );
  const picked =
    selection.kind === 'cluster'
      ? inv.clusters[selection.id]?.hostIds.find((id) => fromApi.some((h) => h.id === id))
      : selectedHostId(selection, inv);
  const apiHost = fromApi.find((h) => h.id === picked);
  if (apiHost) return <StorageApiWizard hostId={apiHost.id} />;
  const onNode = Object.values(inv.hosts).some((h) => hasCapability(h, 'storage'));
  if (!onNode && fromApi[0]) return <StorageApiWizard hostId={fromApi[0].id} />;
  return <NodePoolWizard />;
}

function NodePoolWizard() {
  const close = () => useUi.getState().setWizard(undefined);
  const selection = useUi((s) => s.selection);
  const inv = useInventory((s) => s.inv);
  const hosts = Object.values(inv.hosts).filter((h) => hasCapability(h, 'storage'));
  const preselected = selectedHostId(selection, inv);

  const [step, setStep] = useState<Step>('type');
  const form = usePoolForm(hosts, preselected);
  const [tried, setTried] = useState(false);
  const [nodes, setNodes] = useState<Set<string>>(
    new Set(preselected ? [preselected] : hosts.length === 1 ? [hosts[0]!.id] : []),
  );
  const spec = form.spec;
  const hostIds = [...nodes];
  const plan = usePlan(step === 'summary', () => api.planStoragePool({ spec: spec, hostIds }));

  const index = STEPS.findIndex((s) => s.id === step);
  // Whether a step stops the wizard, showing why; Next and the step labels both ask.
  const blocked = (at: Step): boolean => {
    if (at === 'settings' && !form.settingsOk) {
      form.showErrors(true);
      return true;
    }
    if (at === 'nodes' && nodes.size === 0) {
      setTried(true);
      return true;
    }
    return false;
  };
  // Back is always allowed; forward only through steps that pass their checks.
  const goTo = (target: number) => {
    for (let i = index; i < target; i++) {
      if (blocked(STEPS[i]!.id)) {
        setStep(STEPS[i]!.id);
        return;
      }
    }
    setTried(false);
    setStep(STEPS[target]!.id);
  };
  const next = () => goTo(index + 1);

  const { busy, finish: create } = useFinish(async () => {
    await api.createStoragePool({ spec: spec, hostIds });
  }, close);

  return (
    <WizardFrame
      title="New Storage Pool"
      steps={STEPS.map((s) => s.label)}
      index={index}
      onCancel={close}
      onBack={() => setStep(STEPS[index - 1]!.id)}
      onNext={next}
      onStep={goTo}
      finishLabel="Create"
      finishDisabled={busy || !planRunnable(plan)}
      onFinish={() => create()}
    >
      {step === 'type' && form.typePicker}
      {step === 'settings' && form.settingsFields}

      {step === 'nodes' && (
        <fieldset>
          <legend className="mb-2 font-medium">
            Define it on these nodes (the same name and settings on each)
          </legend>
          {hosts.length === 0 && (
            <p className="text-slate-500">No node with storage pools is added yet.</p>
          )}
          {hosts.map((h) => (
            <Checkbox
              key={h.id}
              className="flex items-center gap-2 py-0.5"
              checked={nodes.has(h.id)}
              disabled={h.state !== 'connected'}
              onChange={(on) => setNodes((old) => withToggled(old, h.id, on))}
            >
              {h.name}
              {h.state !== 'connected' && <span className="text-slate-500">(not connected)</span>}
            </Checkbox>
          ))}
          {tried && nodes.size === 0 && (
            <p role="alert" className="mt-1 text-sm text-red-600 dark:text-red-400">
              Choose at least one node.
            </p>
          )}
          {nodes.size > 1 && (
            <p className="mt-2 text-sm text-slate-500">
              On several nodes this is one shared pool only if each node reaches the same storage at
              that place (a network mount, a SAN, or a folder every node shares).
            </p>
          )}
        </fieldset>
      )}

      {step === 'summary' && <PlanSummary plan={plan} />}
    </WizardFrame>
  );
}
