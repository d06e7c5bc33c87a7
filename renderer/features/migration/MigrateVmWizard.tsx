// Migrate VM: the VMs (the chosen one, and others on its node if wanted),
// the target node (one of the node's cluster peers) and how to move, the preflight checklist for that target, then the exact command;
// Migrate runs it as a task with progress, speed and expected downtime, and
// Cancel in the Tasks pane aborts the job with the VM left where it was.
// A VM protected with HA is Pacemaker's to move: the wizard asks only for
// the target (an online member) and the plan is Pacemaker's move.
import { useEffect, useId, useState } from 'react';
import type { Finding } from '../../../shared/cluster';
import {
  DEFAULT_TRANSPORT,
  type MigrationTransport,
  type TlsReadiness,
} from '../../../shared/migration';
import { haResourceOfVm } from '../../../shared/ha';
import type { PlanStepView } from '../../../shared/storage';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useInventory } from '../../state/inventory';
import { useUi } from '../../state/ui';
import { PlanSummary, WizardFrame, planRunnable, useFinish } from '../../ui/wizard/WizardFrame';
import { PreflightStep, planFindings } from '../../ui/wizard/PreflightStep';
import { withToggled } from '../../ui/checked';
import { Checkbox, Radio, Select, TextField } from '../../ui/forms';
import { landingStep, stopsAtPreflight } from '../../ui/wizard/steps';

const STEPS = ['Target', 'Preflight', 'Summary'];

type Plan = { findings: Finding[]; steps: PlanStepView[]; problems: string[] } | { error: string };

export function MigrateVmWizard({
  vmId,
  targetHostId,
}: {
  vmId: string;
  targetHostId?: string | undefined;
}) {
  const close = () => useUi.getState().setVmDialog(undefined);
  const inv = useInventory((s) => s.inv);
  const ids = useId();
  const vm = inv.vms[vmId];
  const cluster = Object.values(inv.clusters).find((c) => vm && c.hostIds.includes(vm.hostId));
  const peers = (cluster?.hostIds ?? [])
    .filter((id) => id !== vm?.hostId)
    .map((id) => inv.hosts[id])
    .filter((h) => !!h);
  const haResource = vm && cluster?.ha ? haResourceOfVm(cluster.ha, vm) : undefined;
  // An HA VM goes only where Pacemaker may run it: a connected member it calls online.
  const haStateOf = (hostId: string) => cluster?.ha?.nodes.find((n) => n.hostId === hostId)?.state;
  const unavailable = (h: { id: string; state: string }): string | undefined =>
    h.state !== 'connected'
      ? 'not connected'
      : haResource && haStateOf(h.id) !== 'online'
        ? `HA ${haStateOf(h.id) ?? 'not a member'}`
        : undefined;
  const [index, setIndex] = useState(0);
  const [target, setTarget] = useState(
    targetHostId ?? peers.find((h) => !unavailable(h))?.id ?? '',
  );
  const [copy, setCopy] = useState<'auto' | 'yes' | 'no'>('auto');
  const [persist, setPersist] = useState(true);
  const [limit, setLimit] = useState('');
  // Encrypted by default: guest memory holds whatever the guest holds (keys, passwords).
  const [transport, setTransport] = useState<MigrationTransport>(DEFAULT_TRANSPORT);
  const [tls, setTls] = useState<TlsReadiness>();
  const [plan, setPlan] = useState<Plan>();
  const [chosen, setChosen] = useState<Set<string>>(() => new Set([vmId]));
  // Others on the same node can go along; each is checked by the preflight.
  const neighbours = Object.values(inv.vms)
    .filter((v) => vm && v.hostId === vm.hostId)
    .sort((a, b) => a.name.localeCompare(b.name));
  const vmIds = neighbours.filter((v) => chosen.has(v.id)).map((v) => v.id);

  const bandwidth = Number(limit);
  const limitOk = limit.trim() === '' || (Number.isInteger(bandwidth) && bandwidth >= 1);
  const spec = {
    vmIds,
    targetHostId: target,
    persist,
    transport,
    ...(copy !== 'auto' ? { copyStorage: copy === 'yes' } : {}),
    ...(limit.trim() && limitOk ? { bandwidthMiBs: bandwidth } : {}),
  };
  const check = () => {
    setPlan(undefined);
    api.planMigration(spec).then(setPlan, (e: unknown) => setPlan({ error: errorMessage(e) }));
  };
  useEffect(() => {
    if (index >= 1) check();
  }, [index]);
  // TLS is offered only where both nodes hold QEMU's certificates; otherwise the wizard says what lacks.
  const sourceHostId = vm?.hostId;
  useEffect(() => {
    setTls(undefined);
    if (!sourceHostId || !target) return;
    let live = true;
    api.migrationTls({ sourceHostId, targetHostId: target }).then(
      (r) => live && setTls(r),
      (e: unknown) => live && setTls({ ready: false, reason: errorMessage(e) }),
    );
    return () => {
      live = false;
    };
  }, [sourceHostId, target]);
  useEffect(() => {
    if (transport === 'tls' && tls && !tls.ready) setTransport('tunnelled');
  }, [tls, transport]);

  const { busy, finish: migrate } = useFinish(async () => {
    await api.migrateVms(spec);
  }, close);

  // Whether a step stops the wizard; Next and the step labels both ask.
  const blocked = (at: number): boolean =>
    (at === 0 && (!target || !limitOk || vmIds.length === 0)) || (at === 1 && !planRunnable(plan));
  // Back is always allowed; forward only through steps that pass their checks.
  // The preflight's plan holds only while its step is shown (it is fetched
  // again on arrival), so a jump from before it stops there.
  const goTo = (target: number) =>
    setIndex(landingStep(index, target, stopsAtPreflight(index, 1, blocked)));

  if (!vm) return null;
  const source = inv.hosts[vm.hostId]?.name ?? 'its node';
  const problems = plan && 'findings' in plan ? plan.problems : [];

  return (
    <WizardFrame
      title={vmIds.length > 1 ? `Migrate ${vmIds.length} VMs` : `Migrate ${vm.name}`}
      steps={STEPS}
      index={index}
      onCancel={close}
      onBack={() => setIndex(index - 1)}
      onNext={() => goTo(index + 1)}
      onStep={goTo}
      finishLabel="Migrate"
      finishDisabled={busy || !planRunnable(plan)}
      onFinish={() => migrate()}
    >
      {index === 0 && (
        <div className="space-y-3">
          <p>
            {vm.name} is {vm.state === 'shutoff' ? 'shut off' : vm.state} on {source}
            {cluster ? ` (cluster ${cluster.name})` : ''}.
          </p>
          {!cluster ? (
            <p role="alert" className="text-red-700 dark:text-red-400">
              {source} is in no cluster. Make a cluster with New Cluster first: it sets up the trust
              the nodes need to migrate between them.
            </p>
          ) : haResource ? (
            <>
              <p>
                {vm.name} is protected with HA ({haResource.id}): Pacemaker moves it live to the
                node you choose (crm_resource --move), then drops the move&rsquo;s constraint
                (--clear) so no lasting preference stays. How its memory travels is the
                resource&rsquo;s own setting.
              </p>
              <TargetSelect value={target} onChange={setTarget} peers={peers} why={unavailable} />
            </>
          ) : (
            <>
              <fieldset>
                <legend className="mb-1 font-medium">VMs to migrate from {source}</legend>
                <div className="max-h-32 overflow-auto">
                  {neighbours.map((v) => (
                    <Checkbox
                      key={v.id}
                      className="flex items-center gap-2 py-0.5"
                      checked={chosen.has(v.id)}
                      onChange={(on) => setChosen((old) => withToggled(old, v.id, on))}
                    >
                      {v.name}
                      <span className="text-slate-500">
                        ({v.state === 'shutoff' ? 'shut off' : v.state})
                      </span>
                    </Checkbox>
                  ))}
                </div>
                {vmIds.length === 0 && (
                  <p role="alert" className="mt-1 text-sm text-red-600 dark:text-red-400">
                    Choose at least one VM.
                  </p>
                )}
              </fieldset>
              <TargetSelect value={target} onChange={setTarget} peers={peers} why={unavailable} />
              <Select
                label="Disks"
                value={copy}
                onChange={(v) => setCopy(v as 'auto' | 'yes' | 'no')}
                options={DISK_COPY_OPTIONS}
              />
              <fieldset>
                <legend className="mb-1 font-medium">How the memory travels (live moves)</legend>
                <TransportOption
                  name={`${ids}-transport`}
                  value="tunnelled"
                  current={transport}
                  onPick={setTransport}
                  label="Encrypted through SSH (--p2p --tunnelled)"
                  note="Through the trust New Cluster set up between the nodes. Slower than plain; cannot copy disks (libvirt 9 with QEMU 7 refuses), so disks must be on shared storage."
                />
                <TransportOption
                  name={`${ids}-transport`}
                  value="tls"
                  current={transport}
                  onPick={setTransport}
                  disabled={!tls?.ready}
                  label="Encrypted with TLS (--tls)"
                  note={
                    !tls
                      ? 'Checking the nodes’ certificates…'
                      : tls.ready
                        ? 'QEMU to QEMU with the nodes’ certificates: encrypted, copies disks too.'
                        : `Not offered: ${tls.reason}.`
                  }
                />
                <TransportOption
                  name={`${ids}-transport`}
                  value="plain"
                  current={transport}
                  onPick={setTransport}
                  label="Plain (tcp://)"
                  note="The fastest, and it copies disks; anyone on the network between the nodes can read the guest’s memory and disks. For a network you trust."
                />
              </fieldset>
              <Checkbox checked={persist} onChange={setPersist}>
                Keep it defined on the target and remove it from {source}
              </Checkbox>
              <TextField
                label="Bandwidth limit, MiB/s (optional)"
                inputMode="numeric"
                value={limit}
                placeholder="no limit"
                onChange={setLimit}
                error={!limitOk && 'A whole number of MiB/s, 1 or more.'}
              />
            </>
          )}
        </div>
      )}
      {index === 1 && (
        <PreflightStep
          result={planFindings(plan)}
          blocked={problems.length > 0}
          checking="Checking…"
          onCheck={check}
        />
      )}
      {index === 2 && <PlanSummary plan={plan} />}
    </WizardFrame>
  );
}

/** The target node; a peer that cannot take the VM says why and cannot be chosen. */
function TargetSelect({
  value,
  onChange,
  peers,
  why,
}: {
  value: string;
  onChange: (id: string) => void;
  peers: { id: string; name: string; state: string }[];
  why: (h: { id: string; state: string }) => string | undefined;
}) {
  return (
    <Select
      label="Target node"
      value={value}
      onChange={onChange}
      options={peers.map((h) => ({
        value: h.id,
        label: `${h.name}${why(h) ? ` (${why(h)})` : ''}`,
        disabled: !!why(h),
      }))}
    />
  );
}

const DISK_COPY_OPTIONS = [
  { value: 'auto', label: 'Copy them if they are not on shared storage' },
  { value: 'yes', label: 'Always copy them (--copy-storage-all)' },
  { value: 'no', label: 'Never copy them (shared storage only)' },
];

/** One way a live move's data can travel, with its trade-off under it. */
function TransportOption({
  name,
  value,
  current,
  onPick,
  disabled = false,
  label,
  note,
}: {
  name: string;
  value: MigrationTransport;
  current: MigrationTransport;
  onPick: (t: MigrationTransport) => void;
  disabled?: boolean;
  label: string;
  note: string;
}) {
  return (
    <Radio
      className="flex items-start gap-2 py-0.5"
      name={name}
      checked={current === value}
      disabled={disabled}
      onChange={() => onPick(value)}
    >
      <span>
        {label}
        <span className="block text-xs text-slate-500">{note}</span>
      </span>
    </Radio>
  );
}
