// New VM where the cluster places VMs (Ganeti): name, OS definition and
// hypervisor; disk template (each unavailable one with the reason naming the
// nodes) and the primary/secondary node or the cluster's allocator; memory,
// vCPUs and disk; NICs on the cluster's links; then the exact command, run
// as a Ganeti job followed in the Tasks pane.
import { useEffect, useState } from 'react';
import { hasCapability } from '../../../shared/model';
import {
  instanceSpecSchema,
  type InstanceOptions,
  type InstanceSpecInput,
} from '../../../shared/instance';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useInventory } from '../../state/inventory';
import { useUi } from '../../state/ui';
import { buttonClass } from '../../ui/Dialog';
import { Checkbox, RadioGroup, Select, TextField } from '../../ui/forms';
import {
  PlanSummary,
  WizardFrame,
  planRunnable,
  useFinish,
  usePlan,
} from '../../ui/wizard/WizardFrame';
import { landingStep } from '../../ui/wizard/steps';

const STEPS = ['Name and OS', 'Disks and placement', 'CPU and memory', 'Network', 'Summary'];

interface Form {
  hostId: string;
  name: string;
  os: string;
  hypervisor: string;
  template: string;
  placement: 'nodes' | 'allocator';
  primary: string;
  secondary: string;
  vcpus: string;
  memoryMiB: string;
  diskGiB: string;
  links: string[];
  start: boolean;
  nameCheck: boolean;
}

/** The fields each step checks before the wizard moves past it. */
const STEP_FIELDS: string[][] = [
  ['hostId', 'name', 'os', 'hypervisor'],
  ['diskTemplate', 'placement'],
  ['vcpus', 'memoryMiB', 'disksMiB'],
  ['nics'],
];

function toSpec(f: Form, o: InstanceOptions | undefined): InstanceSpecInput {
  const mirrored = o?.templates.find((t) => t.name === f.template)?.mirrored;
  return {
    name: f.name.trim(),
    os: f.os,
    diskTemplate: f.template,
    placement:
      f.placement === 'allocator'
        ? { kind: 'allocator', allocator: o?.defaultAllocator ?? o?.allocators[0] ?? '' }
        : {
            kind: 'nodes',
            primary: f.primary,
            ...(mirrored && f.secondary ? { secondary: f.secondary } : {}),
          },
    hypervisor: f.hypervisor,
    memoryMiB: Number(f.memoryMiB),
    vcpus: Number(f.vcpus),
    disksMiB: f.template === 'diskless' ? [] : [Math.round(Number(f.diskGiB) * 1024)],
    nics: f.links.map((link) => ({ link })),
    start: f.start,
    nameCheck: f.nameCheck,
  };
}

export function InstanceWizard({ hostId }: { hostId: string }) {
  const close = () => useUi.getState().setWizard(undefined);
  const inv = useInventory((s) => s.inv);
  const hosts = Object.values(inv.hosts).filter(
    (h) => hasCapability(h, 'instance-create') && h.state === 'connected',
  );
  const clusterOf = (id: string) =>
    Object.values(inv.clusters).find((c) => c.hostIds.includes(id))?.name;
  const [f, setF] = useState<Form>({
    hostId,
    name: '',
    os: '',
    hypervisor: '',
    template: '',
    placement: 'nodes',
    primary: '',
    secondary: '',
    vcpus: '1',
    memoryMiB: '128',
    diskGiB: '1',
    links: [],
    start: true,
    nameCheck: false,
  });
  const set = <K extends keyof Form>(k: K, v: Form[K]) => setF((old) => ({ ...old, [k]: v }));
  const [index, setIndex] = useState(0);
  const [tried, setTried] = useState(false);
  const [options, setOptions] = useState<InstanceOptions | { error: string } | undefined>();
  const o = options && 'cluster' in options ? options : undefined;

  // The cluster's choices, read from its master when the cluster changes; sensible first picks.
  useEffect(() => {
    let live = true;
    setOptions(undefined);
    api.getInstanceOptions({ hostId: f.hostId }).then(
      (read) => {
        if (!live) return;
        setOptions(read);
        setF((old) => ({
          ...old,
          os: read.oses[0] ?? '',
          hypervisor: read.defaultHypervisor,
          template: read.templates.find((t) => t.available)?.name ?? '',
          placement: 'nodes',
          primary: read.nodes[0] ?? '',
          secondary: read.nodes[1] ?? '',
          memoryMiB: String(Math.max(128, read.policy.minMemoryMiB)),
          diskGiB: String(Math.max(1, Math.ceil(read.policy.minDiskMiB / 1024))),
          links: read.links.slice(0, 1),
        }));
      },
      (e: unknown) => live && setOptions({ error: errorMessage(e) }),
    );
    return () => {
      live = false;
    };
  }, [f.hostId]);

  const template = o?.templates.find((t) => t.name === f.template);
  const errors: Record<string, string> = {};
  const parsed = instanceSpecSchema.safeParse(toSpec(f, o));
  if (!parsed.success)
    for (const issue of parsed.error.issues) {
      const k = String(issue.path[0] ?? '');
      errors[k] ??= issue.message;
    }
  if (!o) errors['hostId'] = 'Wait until the cluster’s choices are read.';
  if (!f.name.trim()) errors['name'] = 'Name the VM (a host name).';
  if (!f.os) errors['os'] = 'The cluster has no OS definition.';
  if (template && !template.available) errors['diskTemplate'] = template.reason ?? 'Unavailable.';
  if (template?.mirrored && f.placement === 'nodes' && (!f.secondary || f.secondary === f.primary))
    errors['placement'] = 'Choose a secondary node other than the primary.';
  if (!f.links.length) errors['nics'] = 'Give the VM a NIC (the instance policy wants one).';
  const shown = (k: string) => (tried ? errors[k] : undefined);

  const goTo = (target: number) => {
    const at = landingStep(index, target, (i) => STEP_FIELDS[i]!.some((k) => errors[k]));
    setTried(at !== target);
    setIndex(at);
  };
  const plan = usePlan(index === STEPS.length - 1, () =>
    api.planInstance({ hostId: f.hostId, spec: toSpec(f, o) }),
  );
  const { busy, finish } = useFinish(
    () => api.createInstance({ hostId: f.hostId, spec: toSpec(f, o) }),
    close,
  );
  const nodes = (o?.nodes ?? []).map((n) => ({ value: n, label: n }));
  const links = (o?.links ?? []).map((l) => ({ value: l, label: l }));

  return (
    <WizardFrame
      title="New VM"
      steps={STEPS}
      index={index}
      onCancel={close}
      onBack={() => setIndex(index - 1)}
      onNext={() => goTo(index + 1)}
      onStep={goTo}
      finishLabel="Create"
      finishDisabled={busy || !planRunnable(plan)}
      onFinish={finish}
    >
      {!options && <p className="mb-2 text-slate-500">Reading the cluster’s choices…</p>}
      {options && 'error' in options && (
        <p role="alert" className="mb-2 text-red-700 dark:text-red-400">
          {options.error}
        </p>
      )}
      {index === 0 && (
        <div className="space-y-3">
          <TextField
            label="VM name"
            value={f.name}
            placeholder="web1.example.org"
            spellCheck={false}
            onChange={(v) => set('name', v)}
            error={shown('name')}
          />
          <Select
            label="Cluster"
            value={f.hostId}
            onChange={(v) => set('hostId', v)}
            options={hosts.map((h) => ({
              value: h.id,
              label: `${clusterOf(h.id) ?? h.name} (through ${h.name})`,
            }))}
            error={shown('hostId')}
          />
          <Select
            label="OS definition"
            value={f.os}
            onChange={(v) => set('os', v)}
            options={(o?.oses ?? []).map((v) => ({ value: v, label: v }))}
            emptyLabel="None available"
            error={shown('os')}
          />
          <Select
            label="Hypervisor"
            value={f.hypervisor}
            onChange={(v) => set('hypervisor', v)}
            options={(o?.hypervisors ?? []).map((v) => ({ value: v, label: v }))}
            error={shown('hypervisor')}
          />
          <Checkbox checked={f.nameCheck} onChange={(on) => set('nameCheck', on)}>
            Check the name in DNS (Ganeti’s name and IP checks)
          </Checkbox>
        </div>
      )}
      {index === 1 && o && (
        <div className="space-y-3">
          <RadioGroup
            legend="Disk template"
            value={f.template}
            onChange={(v) => set('template', v)}
            options={o.templates.map((t) => ({
              value: t.name,
              disabled: !t.available,
              label: t.available ? t.name : `${t.name} (unavailable)`,
            }))}
          />
          <ul
            aria-label="Unavailable disk templates"
            className="list-disc pl-5 text-sm text-slate-600 dark:text-slate-400"
          >
            {o.templates
              .filter((t) => !t.available)
              .map((t) => (
                <li key={t.name}>
                  {t.name}: {t.reason}
                </li>
              ))}
          </ul>
          {shown('diskTemplate') && (
            <p role="alert" className="text-sm text-red-700 dark:text-red-400">
              {shown('diskTemplate')}
            </p>
          )}
          <RadioGroup
            legend="Placement"
            value={f.placement}
            onChange={(v) => set('placement', v)}
            options={[
              { value: 'nodes', label: 'Choose the nodes' },
              {
                value: 'allocator',
                disabled: !o.allocators.length,
                label: o.allocators.length
                  ? `Let the cluster’s allocator choose (${o.defaultAllocator ?? o.allocators[0]})`
                  : 'Let the cluster’s allocator choose (none installed on the master)',
              },
            ]}
          />
          {f.placement === 'nodes' && (
            <Select
              label="Primary node"
              value={f.primary}
              onChange={(v) => set('primary', v)}
              options={nodes}
            />
          )}
          {f.placement === 'nodes' && template?.mirrored && (
            <Select
              label="Secondary node"
              value={f.secondary}
              onChange={(v) => set('secondary', v)}
              options={nodes}
              error={shown('placement')}
            />
          )}
        </div>
      )}
      {index === 2 && (
        <div className="space-y-3">
          <TextField
            label="vCPUs"
            type="number"
            value={f.vcpus}
            onChange={(v) => set('vcpus', v)}
            error={shown('vcpus')}
          />
          <TextField
            label="Memory (MiB)"
            type="number"
            value={f.memoryMiB}
            onChange={(v) => set('memoryMiB', v)}
            error={shown('memoryMiB')}
          />
          {f.template !== 'diskless' && (
            <TextField
              label="Disk size (GiB)"
              type="number"
              value={f.diskGiB}
              onChange={(v) => set('diskGiB', v)}
              error={shown('disksMiB')}
            />
          )}
          {o && (
            <p className="text-sm text-slate-500">
              {o.cluster}’s instance policy: {o.policy.minVcpus}–{o.policy.maxVcpus} vCPUs,{' '}
              {o.policy.minMemoryMiB}–{o.policy.maxMemoryMiB} MiB of memory, disks of at least{' '}
              {o.policy.minDiskMiB} MiB.
            </p>
          )}
        </div>
      )}
      {index === 3 && (
        <div className="space-y-3">
          {f.links.map((l, i) => (
            <div key={i} className="flex items-end gap-2">
              <Select
                label={`NIC ${i + 1} link`}
                value={l}
                onChange={(v) =>
                  set(
                    'links',
                    f.links.map((x, j) => (j === i ? v : x)),
                  )
                }
                options={links}
              />
              <button
                type="button"
                className={buttonClass}
                onClick={() =>
                  set(
                    'links',
                    f.links.filter((_, j) => j !== i),
                  )
                }
              >
                Remove NIC {i + 1}
              </button>
            </div>
          ))}
          <button
            type="button"
            className={buttonClass}
            disabled={!links.length || f.links.length >= 8}
            onClick={() => set('links', [...f.links, links[0]!.value])}
          >
            Add a NIC
          </button>
          {shown('nics') && (
            <p role="alert" className="text-sm text-red-700 dark:text-red-400">
              {shown('nics')}
            </p>
          )}
          <Checkbox checked={f.start} onChange={(on) => set('start', on)}>
            Start the VM when it is created
          </Checkbox>
        </div>
      )}
      {index === 4 && <PlanSummary plan={plan} />}
    </WizardFrame>
  );
}
