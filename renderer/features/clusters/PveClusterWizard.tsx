// New Cluster when the stack is Proxmox VE: the cluster's name, its nodes
// (Proxmox VE nodes in no cluster; the first chosen is where `pvecm create`
// runs), each node's corosync link address, the first node's root password
// (each join logs in with it: sent once with Create, never shown or logged),
// the preflight checklist, then the summary of every API call as its pvesh
// command (the password as <hidden>); Create runs them as one task. Undo
// removes the nodes that joined (pvecm delnode from the first node).
import { useEffect, useState } from 'react';
import type { Finding } from '../../../shared/cluster';
import { pveClusterCreateSchema } from '../../../shared/pve-cluster';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useInventory } from '../../state/inventory';
import { useUi } from '../../state/ui';
import { PreflightStep } from '../../ui/wizard/PreflightStep';
import {
  PlanSummary,
  planRunnable,
  usePlan,
  useFinish,
  WizardFrame,
} from '../../ui/wizard/WizardFrame';
import { withToggled } from '../../ui/checked';
import { Checkbox, TextField } from '../../ui/forms';
import { FoundingNodeSelect, NodesFieldset } from './NodesFieldset';
import { isLonePveNode, StackChoice, type ClusterStack } from './StackChoice';
import { landingStep, stopsAtPreflight } from '../../ui/wizard/steps';

const STEPS = ['Name and nodes', 'Preflight', 'Summary'];
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

export function PveClusterWizard({ onStack }: { onStack: (s: ClusterStack) => void }) {
  const close = () => useUi.getState().setWizard(undefined);
  const inv = useInventory((s) => s.inv);
  const hosts = Object.values(inv.hosts)
    .filter(isLonePveNode)
    .sort((a, b) => a.name.localeCompare(b.name));
  const [index, setIndex] = useState(0);
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<Set<string>>(
    new Set(hosts.filter((h) => h.state === 'connected').map((h) => h.id)),
  );
  const [firstId, setFirstId] = useState(hosts[0]?.id ?? '');
  // A node's link address starts as the address it was added by, when that is an IP.
  const [links, setLinks] = useState<Record<string, string>>(
    Object.fromEntries(hosts.map((h) => [h.id, IPV4.test(h.address) ? h.address : ''])),
  );
  const [password, setPassword] = useState('');
  const [tried, setTried] = useState(false);
  const [findings, setFindings] = useState<Finding[] | { error: string }>();

  const ordered = hosts.filter((h) => chosen.has(h.id)).map((h) => h.id);
  const first = chosen.has(firstId) ? firstId : ordered[0];
  const hostIds = first ? [first, ...ordered.filter((id) => id !== first)] : [];
  const spec = {
    name: name.trim(),
    hostIds,
    links: Object.fromEntries(hostIds.map((id) => [id, (links[id] ?? '').trim()])),
  };
  const check = pveClusterCreateSchema.safeParse({ ...spec, password });
  const issue = (k: string, sub?: string) =>
    check.success
      ? undefined
      : check.error.issues.find((i) => i.path[0] === k && (sub === undefined || i.path[1] === sub))
          ?.message;

  const runPreflight = () => {
    setFindings(undefined);
    api.pveClusterPreflight(spec).then(
      (r) => setFindings(r.findings),
      (e: unknown) => setFindings({ error: errorMessage(e) }),
    );
  };
  useEffect(() => {
    if (index === 1) runPreflight();
  }, [index]);
  const problems = Array.isArray(findings) ? findings.filter((f) => f.level === 'problem') : [];
  const plan = usePlan(index === 2, () => api.planPveCluster(spec));

  const blocked = (at: number): boolean => {
    if (at === 0 && !check.success) {
      setTried(true);
      return true;
    }
    return at === 1 && (!Array.isArray(findings) || problems.length > 0);
  };
  const goTo = (target: number) => {
    const at = landingStep(index, target, stopsAtPreflight(index, 1, blocked));
    if (at === target) setTried(false);
    setIndex(at);
  };
  const { busy, finish } = useFinish(() => api.createPveCluster({ ...spec, password }), close);
  const firstName = hosts.find((h) => h.id === first)?.name ?? 'the first node';

  return (
    <WizardFrame
      title="New Cluster"
      steps={STEPS}
      index={index}
      onCancel={close}
      onBack={() => setIndex(index - 1)}
      onNext={() => goTo(index + 1)}
      onStep={goTo}
      finishLabel="Create"
      finishDisabled={busy || !planRunnable(plan) || !check.success}
      onFinish={() => void finish()}
    >
      {index === 0 && (
        <div className="space-y-3">
          <StackChoice value="proxmox" onChange={onStack} />
          <TextField
            label="Cluster name"
            value={name}
            placeholder="pve-prod"
            spellCheck={false}
            onChange={setName}
            error={tried && issue('name')}
          />
          <NodesFieldset
            empty={
              hosts.length === 0 ? 'No Proxmox VE node in no cluster is added yet.' : undefined
            }
            error={tried && issue('hostIds')}
          >
            {hosts.map((h) => (
              <div key={h.id} className="flex items-center gap-3 py-0.5">
                <Checkbox
                  className="flex w-40 items-center gap-2"
                  checked={chosen.has(h.id)}
                  disabled={h.state !== 'connected'}
                  onChange={(on) => setChosen((old) => withToggled(old, h.id, on))}
                >
                  {h.name}
                  {h.state !== 'connected' && (
                    <span className="text-slate-500">(not connected)</span>
                  )}
                </Checkbox>
                {chosen.has(h.id) && (
                  <TextField
                    label={`Link address of ${h.name}`}
                    layout="inline"
                    value={links[h.id] ?? ''}
                    placeholder="10.0.0.11"
                    spellCheck={false}
                    onChange={(v) => setLinks((old) => ({ ...old, [h.id]: v }))}
                    error={tried && issue('links', h.id)}
                  />
                )}
              </div>
            ))}
          </NodesFieldset>
          <FoundingNodeSelect
            label="First node (pvecm create runs here; the others join it)"
            hosts={hosts}
            chosen={chosen}
            value={first}
            onChange={setFirstId}
          />
          {hostIds.length > 1 && (
            <TextField
              label={`Root password of ${firstName}`}
              type="password"
              autoComplete="off"
              value={password}
              onChange={setPassword}
              error={tried && issue('password')}
            />
          )}
        </div>
      )}
      {index === 1 && (
        <PreflightStep
          result={findings}
          blocked={problems.length > 0}
          checking="Checking the nodes…"
          clear="Nothing stands in the way; warnings are worth a look."
          onCheck={runPreflight}
        />
      )}
      {index === 2 && (
        <>
          <p className="mb-2 text-sm text-slate-600 dark:text-slate-400">
            The cluster is made on {firstName}; each other node joins it, pinning {firstName}’s
            certificate and logging in as root with the password (sent once, shown as
            &lt;hidden&gt;). Undo (in Tasks) removes the nodes that joined with pvecm delnode; the
            cluster on {firstName} stays (Proxmox VE has no call that takes it back).
          </p>
          <PlanSummary plan={plan} />
        </>
      )}
    </WizardFrame>
  );
}
