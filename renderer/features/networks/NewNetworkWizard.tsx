// New network: node, name and mode, then addresses (checked as you type
// against the contract's own schema, in its own sentences), then a summary of
// exactly what will run; Create starts one task with a step per command.
import { useState } from 'react';
import { hasCapability } from '../../../shared/model';
import {
  NETWORK_MODES,
  NETWORK_MODE_LABELS,
  networkSpecSchema,
  type NetworkMode,
} from '../../../shared/network';
import { api } from '../../api/backend';
import { useInventory } from '../../state/inventory';
import { selectedHostId, useUi } from '../../state/ui';
import { Checkbox, RadioGroup, Select, TextField } from '../../ui/forms';
import {
  PlanSummary,
  WizardFrame,
  planRunnable,
  useFinish,
  usePlan,
} from '../../ui/wizard/WizardFrame';

type Step = 'network' | 'addresses' | 'summary';
const STEPS: { id: Step; label: string; fields: string[] }[] = [
  { id: 'network', label: 'Network', fields: ['hostId', 'name', 'mode'] },
  {
    id: 'addresses',
    label: 'Addresses',
    fields: ['address', 'prefix', 'dhcpStart', 'dhcpEnd', 'bridge', 'forwardDev'],
  },
  { id: 'summary', label: 'Summary', fields: [] },
];

interface Form {
  hostId: string;
  name: string;
  mode: NetworkMode;
  address: string;
  prefix: string;
  dhcp: boolean;
  dhcpStart: string;
  dhcpEnd: string;
  bridge: string;
  forwardDev: string;
  start: boolean;
  autostart: boolean;
}

const optional = (s: string) => (s.trim() ? s.trim() : undefined);

function toSpec(f: Form) {
  return {
    name: f.name,
    mode: f.mode,
    address: optional(f.address),
    prefix: /^\d+$/.test(f.prefix.trim()) ? Number(f.prefix) : Number.NaN,
    dhcpStart: f.dhcp ? optional(f.dhcpStart) : undefined,
    dhcpEnd: f.dhcp ? optional(f.dhcpEnd) : undefined,
    bridge: optional(f.bridge),
    forwardDev: f.mode === 'isolated' ? undefined : optional(f.forwardDev),
    start: f.start,
    autostart: f.autostart,
  };
}

/** The schema's first sentence per field; a missing node too. */
function errorsOf(f: Form): Record<string, string> {
  const out: Record<string, string> = {};
  if (!f.hostId) out['hostId'] = 'Choose the node the network is on.';
  const r = networkSpecSchema.safeParse(toSpec(f));
  for (const issue of r.success ? [] : r.error.issues) out[String(issue.path[0])] ??= issue.message;
  if (f.dhcp && !out['dhcpStart'] && !out['dhcpEnd'] && (!f.dhcpStart || !f.dhcpEnd))
    out[f.dhcpStart ? 'dhcpEnd' : 'dhcpStart'] = 'Give both ends of the DHCP range.';
  return out;
}

export function NewNetworkWizard() {
  const close = () => useUi.getState().setWizard(undefined);
  const selection = useUi((s) => s.selection);
  const inv = useInventory((s) => s.inv);
  const hosts = Object.values(inv.hosts).filter((h) => hasCapability(h, 'networks'));
  const preselected = selectedHostId(selection, inv);
  const [form, setForm] = useState<Form>({
    hostId: preselected ?? (hosts.length === 1 ? hosts[0]!.id : ''),
    name: '',
    mode: 'nat',
    address: '192.168.100.1',
    prefix: '24',
    dhcp: true,
    dhcpStart: '192.168.100.100',
    dhcpEnd: '192.168.100.254',
    bridge: '',
    forwardDev: '',
    start: true,
    autostart: true,
  });
  const set = (patch: Partial<Form>) => setForm((f) => ({ ...f, ...patch }));
  const [step, setStep] = useState<Step>('network');
  const [shown, setShown] = useState(new Set<Step>());
  const index = STEPS.findIndex((s) => s.id === step);
  const errors = errorsOf(form);
  const err = (field: string) =>
    STEPS.some((s) => shown.has(s.id) && s.fields.includes(field)) ? errors[field] : undefined;

  const plan = usePlan(step === 'summary', () =>
    api.planNetwork({ hostId: form.hostId, spec: toSpec(form) }),
  );
  const goTo = (target: number) => {
    for (let i = index; i < target; i++) {
      const s = STEPS[i]!;
      if (s.fields.some((f) => errors[f])) {
        setShown((old) => new Set([...old, s.id]));
        setStep(s.id);
        return;
      }
    }
    setStep(STEPS[target]!.id);
  };
  const { busy, finish } = useFinish(
    () => api.createNetwork({ hostId: form.hostId, spec: toSpec(form) }),
    close,
  );

  return (
    <WizardFrame
      title="New Network"
      steps={STEPS.map((s) => s.label)}
      index={index}
      onCancel={close}
      onBack={() => setStep(STEPS[index - 1]!.id)}
      onNext={() => goTo(index + 1)}
      onStep={goTo}
      finishLabel="Create"
      finishDisabled={busy || !planRunnable(plan)}
      onFinish={finish}
    >
      {step === 'network' && (
        <div className="space-y-3">
          <Select
            label="Node"
            value={form.hostId}
            onChange={(hostId) => set({ hostId })}
            options={hosts.map((h) => ({
              value: h.id,
              label: h.name,
              disabled: h.state !== 'connected',
            }))}
            emptyLabel="No node is added yet"
            error={err('hostId')}
          />
          <TextField
            label="Name"
            value={form.name}
            placeholder="lan1"
            onChange={(name) => set({ name })}
            error={err('name')}
          />
          <RadioGroup
            legend="Mode"
            value={form.mode}
            onChange={(mode) => set({ mode })}
            options={NETWORK_MODES.map((m) => ({ value: m, label: NETWORK_MODE_LABELS[m] }))}
            className="space-y-1"
          />
        </div>
      )}
      {step === 'addresses' && (
        <div className="space-y-3">
          <div className="grid grid-cols-[1fr_8rem] gap-2">
            <TextField
              label="Node’s address on the network"
              value={form.address}
              onChange={(address) => set({ address })}
              error={err('address')}
            />
            <TextField
              label="Prefix length"
              value={form.prefix}
              inputMode="numeric"
              onChange={(prefix) => set({ prefix })}
              error={err('prefix')}
            />
          </div>
          {form.mode === 'isolated' && (
            <p className="text-sm text-slate-500">
              Leave the address empty for a plain switch between the guests, without DHCP.
            </p>
          )}
          <Checkbox checked={form.dhcp} onChange={(dhcp) => set({ dhcp })}>
            Hand out addresses with DHCP
          </Checkbox>
          {form.dhcp && (
            <div className="grid grid-cols-2 gap-2">
              <TextField
                label="First DHCP address"
                value={form.dhcpStart}
                onChange={(dhcpStart) => set({ dhcpStart })}
                error={err('dhcpStart')}
              />
              <TextField
                label="Last DHCP address"
                value={form.dhcpEnd}
                onChange={(dhcpEnd) => set({ dhcpEnd })}
                error={err('dhcpEnd')}
              />
            </div>
          )}
          <TextField
            label="Bridge name (empty: libvirt picks virbrN)"
            value={form.bridge}
            onChange={(bridge) => set({ bridge })}
            error={err('bridge')}
          />
          {form.mode !== 'isolated' && (
            <TextField
              label="Forward device (empty: any of the node’s interfaces)"
              value={form.forwardDev}
              placeholder="eth0"
              onChange={(forwardDev) => set({ forwardDev })}
              error={err('forwardDev')}
            />
          )}
          <Checkbox checked={form.start} onChange={(start) => set({ start })}>
            Start it now
          </Checkbox>
          <Checkbox checked={form.autostart} onChange={(autostart) => set({ autostart })}>
            Start it with the node
          </Checkbox>
        </div>
      )}
      {step === 'summary' && <PlanSummary plan={plan} />}
    </WizardFrame>
  );
}
