// New Cluster when the stack is Ganeti: the cluster's name and its nodes
// (Ganeti installed, no cluster yet; the first one chosen is the master),
// the values of `gnt-cluster init` with defaults read from the nodes (only
// the hypervisors and disk templates every node supports can be chosen; the
// others say which node lacks what), the preflight checklist, then the
// summary of every command; Create runs them as one task with Undo.
import { useEffect, useState } from 'react';
import type { Finding } from '../../../shared/cluster';
import {
  ganetiClusterSpecSchema,
  type GanetiClusterDefaults,
  type GanetiClusterSpec,
} from '../../../shared/ganeti-cluster';
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
import { Checkbox, Select, TextField } from '../../ui/forms';
import { FoundingNodeSelect, NodesFieldset } from './NodesFieldset';
import { isLoneGanetiNode, StackChoice, type ClusterStack } from './StackChoice';
import { landingStep, stopsAtPreflight } from '../../ui/wizard/steps';

const STEPS = ['Name and nodes', 'Cluster settings', 'Preflight', 'Summary'];

export { isLoneGanetiNode };

type Settings = Omit<GanetiClusterSpec, 'name' | 'hostIds'>;

export function GanetiClusterWizard({ onStack }: { onStack: (s: ClusterStack) => void }) {
  const close = () => useUi.getState().setWizard(undefined);
  const inv = useInventory((s) => s.inv);
  const hosts = Object.values(inv.hosts)
    .filter(isLoneGanetiNode)
    .sort((a, b) => a.name.localeCompare(b.name));
  const [index, setIndex] = useState(0);
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<Set<string>>(
    new Set(hosts.filter((h) => h.state === 'connected').map((h) => h.id)),
  );
  const [master, setMaster] = useState(hosts[0]?.id ?? '');
  const [tried, setTried] = useState(false);
  const [defaults, setDefaults] = useState<GanetiClusterDefaults | { error: string }>();
  const [settings, setSettings] = useState<Settings>();
  const [findings, setFindings] = useState<Finding[] | { error: string }>();

  const ordered = [...chosen].sort((a, b) => (a === master ? -1 : b === master ? 1 : 0));
  const first = chosen.has(master) ? master : ordered[0];
  const hostIds = first ? [first, ...ordered.filter((id) => id !== first)] : [];
  const spec = { name: name.trim(), hostIds, ...settings } as GanetiClusterSpec;
  const check = ganetiClusterSpecSchema.safeParse(spec);
  const issue = (k: string) =>
    check.success ? undefined : check.error.issues.find((i) => i.path[0] === k)?.message;
  const set = <K extends keyof Settings>(k: K, v: Settings[K]) =>
    setSettings((s) => (s ? { ...s, [k]: v } : s));

  // Defaults from the nodes when the settings step is reached with other
  // nodes (the user's values stay while the nodes do).
  const nodesKey = hostIds.join(',');
  const [loadedFor, setLoadedFor] = useState('');
  useEffect(() => {
    if (index !== 1 || loadedFor === nodesKey) return;
    setLoadedFor(nodesKey);
    setDefaults(undefined);
    api.ganetiClusterDefaults({ hostIds }).then(
      (d) => {
        setDefaults(d);
        setSettings({
          masterNetdev: d.masterNetdev,
          masterNetmask: d.masterNetmask,
          nicLink: d.nicLink,
          hypervisors: d.hypervisors.filter((h) => !h.missing).map((h) => h.name),
          diskTemplates: d.diskTemplates.filter((t) => !t.missing).map((t) => t.name),
          fileStorageDir: d.fileStorageDir,
          sharedFileStorageDir: d.sharedFileStorageDir,
          kvmPath: d.kvmPath,
          kvmAccel: d.kvmAccel,
          manageEtcHosts: false,
          ...(d.vgs[0] ? { vgName: d.vgs[0] } : {}),
        });
      },
      (e: unknown) => setDefaults({ error: errorMessage(e) }),
    );
  }, [index, nodesKey]);

  const runPreflight = () => {
    setFindings(undefined);
    api.ganetiClusterPreflight(spec).then(
      (r) => setFindings(r.findings),
      (e: unknown) => setFindings({ error: errorMessage(e) }),
    );
  };
  useEffect(() => {
    if (index === 2) runPreflight();
  }, [index]);
  const problems = Array.isArray(findings) ? findings.filter((f) => f.level === 'problem') : [];
  const plan = usePlan(index === 3, () => api.planGanetiCluster(spec));

  const blocked = (at: number): boolean => {
    if (at === 0 && (issue('name') || issue('hostIds'))) {
      setTried(true);
      return true;
    }
    if (at === 1 && !check.success) {
      setTried(true);
      return true;
    }
    return at === 2 && (!Array.isArray(findings) || problems.length > 0);
  };
  const goTo = (target: number) => {
    const at = landingStep(index, target, stopsAtPreflight(index, 2, blocked));
    if (at === target) setTried(false);
    setIndex(at);
  };
  const { busy, finish } = useFinish(() => api.createGanetiCluster(spec), close);
  const d = defaults && !('error' in defaults) ? defaults : undefined;

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
      finishDisabled={busy || !planRunnable(plan)}
      onFinish={() => void finish()}
    >
      {index === 0 && (
        <div className="space-y-3">
          <StackChoice value="ganeti" onChange={onStack} />
          <TextField
            label="Cluster name"
            value={name}
            placeholder="cluster.example.org"
            spellCheck={false}
            onChange={setName}
            error={tried && issue('name')}
          />
          <NodesFieldset
            empty={
              hosts.length === 0 ? 'No node with Ganeti and no cluster is added yet.' : undefined
            }
            error={tried && issue('hostIds')}
          >
            {hosts.map((h) => (
              <Checkbox
                key={h.id}
                className="flex items-center gap-2 py-0.5"
                checked={chosen.has(h.id)}
                disabled={h.state !== 'connected'}
                onChange={(on) => setChosen((old) => withToggled(old, h.id, on))}
              >
                {h.name}
                <span className="text-slate-500">
                  {h.state !== 'connected' ? '(not connected)' : h.address}
                </span>
              </Checkbox>
            ))}
          </NodesFieldset>
          <FoundingNodeSelect
            label="Master (gnt-cluster init runs here)"
            hosts={hosts}
            chosen={chosen}
            value={first}
            onChange={setMaster}
          />
        </div>
      )}
      {index === 1 && (
        <section aria-label="Cluster settings" className="space-y-3">
          {!defaults && <p>Reading the nodes…</p>}
          {defaults && 'error' in defaults && (
            <p role="alert" className="text-red-700 dark:text-red-400">
              {defaults.error}
            </p>
          )}
          {d && settings && (
            <>
              <div className="grid grid-cols-2 gap-3">
                <TextField
                  label="Master network device"
                  value={settings.masterNetdev}
                  list="gnt-devices"
                  onChange={(v) => set('masterNetdev', v)}
                  error={tried && issue('masterNetdev')}
                />
                <datalist id="gnt-devices">
                  {d.devices.map((x) => (
                    <option key={x} value={x} />
                  ))}
                </datalist>
                <TextField
                  label="Master netmask (prefix length)"
                  type="number"
                  value={settings.masterNetmask}
                  onChange={(v) => set('masterNetmask', Number(v))}
                  error={tried && issue('masterNetmask')}
                />
                <TextField
                  label="Instance bridge"
                  value={settings.nicLink}
                  onChange={(v) => set('nicLink', v)}
                  error={tried && issue('nicLink')}
                />
                <TextField
                  label="KVM binary"
                  value={settings.kvmPath}
                  onChange={(v) => set('kvmPath', v)}
                  error={tried && issue('kvmPath')}
                />
              </div>
              <fieldset>
                <legend className="mb-1 font-medium">Hypervisors</legend>
                {d.hypervisors.map((h) => (
                  <Checkbox
                    key={h.name}
                    checked={settings.hypervisors.includes(h.name)}
                    disabled={!!h.missing}
                    onChange={(on) =>
                      set('hypervisors', [
                        ...withToggled(new Set(settings.hypervisors), h.name, on),
                      ])
                    }
                  >
                    {h.name}
                    {h.missing && (
                      <span className="text-slate-500">(not offered: {h.missing})</span>
                    )}
                  </Checkbox>
                ))}
                <Checkbox checked={settings.kvmAccel} onChange={(v) => set('kvmAccel', v)}>
                  Use KVM acceleration (kvm_flag; off runs guests under TCG)
                </Checkbox>
              </fieldset>
              <fieldset>
                <legend className="mb-1 font-medium">Disk templates</legend>
                {d.diskTemplates.map((t) => (
                  <Checkbox
                    key={t.name}
                    checked={settings.diskTemplates.includes(t.name)}
                    disabled={!!t.missing}
                    onChange={(on) =>
                      set('diskTemplates', [
                        ...withToggled(new Set(settings.diskTemplates), t.name, on),
                      ])
                    }
                  >
                    {t.name}
                    {t.missing && (
                      <span className="text-slate-500">(not offered: {t.missing})</span>
                    )}
                  </Checkbox>
                ))}
              </fieldset>
              <div className="grid grid-cols-2 gap-3">
                <TextField
                  label="File storage directory"
                  value={settings.fileStorageDir}
                  onChange={(v) => set('fileStorageDir', v)}
                  error={tried && issue('fileStorageDir')}
                />
                <TextField
                  label="Shared file storage directory"
                  value={settings.sharedFileStorageDir}
                  onChange={(v) => set('sharedFileStorageDir', v)}
                  error={tried && issue('sharedFileStorageDir')}
                />
              </div>
              {settings.diskTemplates.some((t) => t === 'plain' || t === 'drbd') && (
                <Select
                  label="LVM volume group (plain and DRBD disks)"
                  value={settings.vgName ?? ''}
                  onChange={(v) => set('vgName', v || undefined)}
                  options={
                    defaults && 'vgs' in defaults
                      ? defaults.vgs.map((v) => ({ value: v, label: v }))
                      : []
                  }
                  emptyLabel="No volume group on every node"
                  error={tried && issue('vgName')}
                />
              )}
              <Checkbox
                checked={settings.manageEtcHosts}
                onChange={(v) => set('manageEtcHosts', v)}
              >
                Let Ganeti manage /etc/hosts on the nodes
              </Checkbox>
            </>
          )}
        </section>
      )}
      {index === 2 && (
        <PreflightStep
          result={findings}
          blocked={problems.length > 0}
          checking="Checking the nodes…"
          clear="Nothing stands in the way; warnings are worth a look."
          onCheck={runPreflight}
        />
      )}
      {index === 3 && (
        <>
          <p className="mb-2 text-sm text-slate-600 dark:text-slate-400">
            gnt-cluster init makes a new root SSH key on the master; the other nodes are told to
            trust it before gnt-node add. Undo (in Tasks) removes the added nodes and destroys the
            cluster.
          </p>
          <PlanSummary plan={plan} />
        </>
      )}
    </WizardFrame>
  );
}
