// New Cluster: a name and the nodes (connected nodes whose stack can form clusters; Add Host adds
// more), the preflight checklist with a reason and a fix for each finding,
// optionally a storage pool shared by every node (New Storage Pool's fields),
// then the summary of every command; Create runs them as one task and the
// cluster appears in the tree with its nodes under it.
import { useEffect, useState } from 'react';
import type { Finding } from '../../../shared/cluster';
import { clusterSpecSchema } from '../../../shared/cluster';
import { hasCapability } from '../../../shared/model';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useInventory } from '../../state/inventory';
import { useUi } from '../../state/ui';
import { PreflightStep } from '../../ui/wizard/PreflightStep';
import { usePoolForm } from '../storage/PoolFields';
import {
  PlanSummary,
  usePlan,
  WizardFrame,
  useFinish,
  planRunnable,
} from '../../ui/wizard/WizardFrame';
import { withToggled } from '../../ui/checked';
import { Checkbox, TextField } from '../../ui/forms';
import { GanetiClusterWizard } from './GanetiClusterWizard';
import { PveClusterWizard } from './PveClusterWizard';
import {
  isLibvirtClusterNode,
  StackChoice,
  useOfferedStacks,
  type ClusterStack,
} from './StackChoice';
import { NodesFieldset } from './NodesFieldset';
import { HaPreflight, haCheckPasses, type HaCheck } from './HaPreflight';
import { HaFencingStep, useHaFencing } from './HaFencing';
import { landingStep, stopsAtPreflight } from '../../ui/wizard/steps';

const STEPS = ['Name and nodes', 'Preflight', 'Shared storage', 'Summary'];
/** With high availability, the fencing of each node comes after the preflight. */
const HA_STEPS = ['Name and nodes', 'Preflight', 'Fencing', 'Shared storage', 'Summary'];

/** The stack choice, offered when a node of Ganeti or Proxmox VE is in no cluster; each stack its own steps. */
export function NewClusterWizard() {
  const hosts = Object.values(useInventory((s) => s.inv).hosts);
  const offered = useOfferedStacks();
  const libvirt = hosts.some((h) => hasCapability(h, 'cluster') && isLibvirtClusterNode(h));
  const [stack, setStack] = useState<ClusterStack>(
    !libvirt && offered.length > 1 ? offered[1]! : 'libvirt',
  );
  if (stack === 'ganeti') return <GanetiClusterWizard onStack={setStack} />;
  if (stack === 'proxmox') return <PveClusterWizard onStack={setStack} />;
  return <LibvirtClusterWizard onStack={offered.length > 1 ? setStack : undefined} />;
}

function LibvirtClusterWizard({ onStack }: { onStack: ((s: ClusterStack) => void) | undefined }) {
  const close = () => useUi.getState().setWizard(undefined);
  const inv = useInventory((s) => s.inv);
  const inCluster = new Map(
    Object.values(inv.clusters).flatMap((c) => c.hostIds.map((h) => [h, c.name] as const)),
  );
  const hosts = Object.values(inv.hosts)
    .filter(isLibvirtClusterNode)
    .sort((a, b) => a.name.localeCompare(b.name));
  const [index, setIndex] = useState(0);
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<Set<string>>(
    new Set(hosts.filter((h) => h.state === 'connected' && !inCluster.has(h.id)).map((h) => h.id)),
  );
  const [tried, setTried] = useState(false);
  const [findings, setFindings] = useState<Finding[] | { error: string }>();

  const form = usePoolForm(
    hosts.filter((h) => chosen.has(h.id)),
    [...chosen][0],
  );
  const [sharedOn, setSharedOn] = useState(false);
  const [ha, setHa] = useState(false);
  const [haCheck, setHaCheck] = useState<HaCheck>();
  // Nodes that already run this cluster (New Cluster again, to add nodes) keep their fencing.
  const members = haCheck && 'members' in haCheck ? haCheck.members : [];
  const fenced = hosts.filter((h) => chosen.has(h.id) && !members.includes(h.id));
  const fencing = useHaFencing(fenced);
  const steps = ha ? HA_STEPS : STEPS;
  const step = steps[index];
  const spec = {
    name: name.trim(),
    hostIds: [...chosen],
    ...(sharedOn ? { sharedPool: form.spec } : {}),
    ...(ha && fencing.spec ? { ha: { fencing: fencing.spec } } : {}),
  };
  const check = clusterSpecSchema.safeParse(spec);
  const issues = check.success ? [] : check.error.issues;
  const nameError = issues.find((i) => i.path[0] === 'name')?.message;
  const nodesError = issues.find((i) => i.path[0] === 'hostIds')?.message;

  const runPreflight = () => {
    setFindings(undefined);
    api.clusterPreflight({ hostIds: spec.hostIds }).then(
      (r) => setFindings(r.findings),
      (e: unknown) => setFindings({ error: errorMessage(e) }),
    );
  };
  useEffect(() => {
    if (index === 1) runPreflight();
  }, [index]);

  const plan = usePlan(step === 'Summary', () => api.planCluster(spec));
  const problems = Array.isArray(findings) ? findings.filter((f) => f.level === 'problem') : [];

  // Whether a step stops the wizard, showing why; Next and the step labels both ask.
  const blocked = (at: number): boolean => {
    if (at === 0 && !check.success) {
      setTried(true);
      return true;
    }
    if (at === 1 && (!Array.isArray(findings) || problems.length > 0)) return true;
    if (at === 1 && ha && !haCheckPasses(haCheck)) return true;
    if (steps[at] === 'Fencing' && !fencing.ready) return true;
    if (steps[at] === 'Shared storage' && sharedOn && !form.settingsOk) {
      form.showErrors(true);
      return true;
    }
    return false;
  };
  // Back is always allowed; forward only through steps that pass their checks.
  // The preflight's findings hold only while its step is shown (they are
  // fetched again on arrival), so a jump from before it stops there.
  const goTo = (target: number) => {
    const at = landingStep(index, target, stopsAtPreflight(index, 1, blocked));
    if (at === target) setTried(false);
    setIndex(at);
  };
  const next = () => goTo(index + 1);

  const { busy, finish: create } = useFinish(async () => {
    await api.createCluster(spec);
  }, close);

  return (
    <WizardFrame
      title="New Cluster"
      steps={steps}
      index={index}
      onCancel={close}
      onBack={() => setIndex(index - 1)}
      onNext={next}
      onStep={goTo}
      finishLabel="Create"
      finishDisabled={busy || !planRunnable(plan)}
      onFinish={() => create()}
    >
      {index === 0 && (
        <div className="space-y-3">
          {onStack && <StackChoice value="libvirt" onChange={onStack} />}
          <TextField
            label="Cluster name"
            value={name}
            placeholder="prod"
            spellCheck={false}
            onChange={setName}
            error={tried && nameError}
          />
          <NodesFieldset
            empty={hosts.length === 0 ? 'No node that can form a cluster is added yet.' : undefined}
            error={tried && nodesError}
            after={
              <Checkbox className="mt-3 flex items-center gap-2" checked={ha} onChange={setHa}>
                High availability (Corosync + Pacemaker: a dead node’s HA VMs restart elsewhere)
              </Checkbox>
            }
          >
            {hosts.map((h) => {
              const other = inCluster.get(h.id);
              const why =
                h.state !== 'connected'
                  ? 'not connected'
                  : other && other !== name.trim()
                    ? `in ${other}`
                    : undefined;
              return (
                <Checkbox
                  key={h.id}
                  className="flex items-center gap-2 py-0.5"
                  checked={chosen.has(h.id)}
                  disabled={!!why}
                  onChange={(on) => setChosen((old) => withToggled(old, h.id, on))}
                >
                  {h.name}
                  <span className="text-slate-500">
                    {why ? `(${why})` : h.address !== h.name ? h.address : ''}
                  </span>
                </Checkbox>
              );
            })}
          </NodesFieldset>
        </div>
      )}
      {index === 1 && (
        <PreflightStep
          result={findings}
          blocked={problems.length > 0 || (!!ha && !!haCheck && !haCheckPasses(haCheck))}
          checking="Checking the nodes…"
          clear="Nothing stands in the way; warnings are worth a look."
          onCheck={runPreflight}
        >
          {ha && (
            <HaPreflight
              hostIds={spec.hostIds}
              clusterName={spec.name}
              check={haCheck}
              onCheck={setHaCheck}
            />
          )}
        </PreflightStep>
      )}
      {step === 'Fencing' && (
        <HaFencingStep hosts={fenced} clusterHostIds={spec.hostIds} fencing={fencing} />
      )}
      {step === 'Shared storage' && (
        <div className="space-y-3">
          <Checkbox checked={sharedOn} onChange={setSharedOn}>
            Define a storage pool shared by every node
          </Checkbox>
          <p className="text-sm text-slate-500">
            The same pool on each node, at storage every node reaches (NFS, GlusterFS, iSCSI, Ceph
            RBD…): guests on it migrate without copying their disks. It can also be added later with
            New Storage Pool.
          </p>
          {sharedOn && (
            <>
              {form.typePicker}
              {form.settingsFields}
            </>
          )}
        </div>
      )}
      {step === 'Summary' && (
        <>
          <p className="mb-2 text-sm text-slate-600 dark:text-slate-400">
            Every node gets a cluster SSH key of its own (~/.ssh/clusterdeck, not its default key),
            and each node trusts the others’ keys only from their addresses and restricted to what
            libvirt needs (from=…,restrict in its authorized_keys); their host keys, as Clusterdeck
            verified them, and an alias per peer in ~/.ssh/config tell it how to reach them. Running
            it again adds nothing twice; Remove takes it back.
          </p>
          {ha && (
            <p className="mb-2 text-sm text-slate-600 dark:text-slate-400">
              High availability: corosync.conf and one authkey (never shown) on every node, corosync
              and pacemaker started as the nodes’ init does, then the fence devices and the cluster
              properties in the cluster’s configuration. Undo (in Tasks) takes it all back.
            </p>
          )}
          <PlanSummary plan={plan} />
        </>
      )}
    </WizardFrame>
  );
}
