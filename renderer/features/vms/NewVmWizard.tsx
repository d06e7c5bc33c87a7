// New VM: name, node and OS; CPU and memory; disk; install media; network
// and console; then the exact commands. Create runs them as one task and,
// when asked, opens the new VM's console once it runs.
import { useCallback, useEffect, useId, useState } from 'react';
import { volumeFormatsFor } from '../../../shared/storage';
import { hasCapability, type StoragePool, type Volume } from '../../../shared/model';
import { isoProblem, namesOfUsers, volumeUsers } from '../../../shared/volume-use';
import { firmwareProblems } from '../../../shared/osinfo';
import { describeCpu } from '../../../shared/cluster';
import { api } from '../../api/backend';
import { StartNetworkOffer } from '../networks/StartNetworkOffer';
import { useInventory } from '../../state/inventory';
import { selectedHostId, useUi } from '../../state/ui';
import { formatBytes, formatKiB } from '../../ui/format';
import {
  PlanSummary,
  WizardFrame,
  usePlan,
  useFinish,
  planRunnable,
} from '../../ui/wizard/WizardFrame';
import { Checkbox, Radio, Select, TextField } from '../../ui/forms';
import {
  STEPS,
  STEP_FIELDS,
  errorsOf,
  initialForm,
  toSpec,
  type ChoiceKey,
  type Form,
  type TextKey,
} from './newVmForm';
import { MinimumWarnings, OsStep } from './OsStep';
import { useOsCatalog } from './osVariants';
import { InstanceWizard } from './InstanceWizard';
import { GuestWizard } from './GuestWizard';
import { landingStep } from '../../ui/wizard/steps';

/**
 * New VM on the selected node's stack: a cluster that places VMs itself
 * (Ganeti: its cluster, one of its nodes or VMs selected), or one whose API
 * offers the choices per node ('guest-create'), gets its own steps.
 */
export function NewVmWizard() {
  const selection = useUi((s) => s.selection);
  const inv = useInventory((s) => s.inv);
  const placed = Object.values(inv.hosts).filter(
    (h) => hasCapability(h, 'instance-create') && h.state === 'connected',
  );
  const picked =
    selection.kind === 'cluster'
      ? inv.clusters[selection.id]?.hostIds.find((id) => placed.some((h) => h.id === id))
      : selectedHostId(selection, inv);
  const onNode = Object.values(inv.hosts).some((h) => hasCapability(h, 'vm-create'));
  // A cluster whose API offers the choices per node (Proxmox VE): its own steps too.
  const fromApi = Object.values(inv.hosts).filter(
    (h) => hasCapability(h, 'guest-create') && h.state === 'connected',
  );
  const pickedApi =
    selection.kind === 'cluster'
      ? inv.clusters[selection.id]?.hostIds.find((id) => fromApi.some((h) => h.id === id))
      : selectedHostId(selection, inv);
  const host = placed.find((h) => h.id === picked);
  if (host) return <InstanceWizard hostId={host.id} />;
  const apiHost = fromApi.find((h) => h.id === pickedApi);
  if (apiHost) return <GuestWizard hostId={apiHost.id} />;
  // Nothing of those selected: a node's New VM where there are such nodes, else the first cluster.
  if (onNode) return <NodeNewVmWizard />;
  if (placed[0]) return <InstanceWizard hostId={placed[0].id} />;
  if (fromApi[0]) return <GuestWizard hostId={fromApi[0].id} />;
  return <NodeNewVmWizard />;
}

function NodeNewVmWizard() {
  const close = () => useUi.getState().setWizard(undefined);
  const selection = useUi((s) => s.selection);
  const inv = useInventory((s) => s.inv);
  const ids = useId();
  const hosts = Object.values(inv.hosts).filter(
    (h) => hasCapability(h, 'vm-create') && h.state === 'connected',
  );
  const preselected = selectedHostId(selection, inv);
  const firstHost = hosts.find((h) => h.id === preselected) ?? hosts[0];

  const [f, setF] = useState<Form>(() => initialForm(firstHost));
  const [index, setIndex] = useState(0);
  const [tried, setTried] = useState(false);

  const host = inv.hosts[f.hostId];
  const pools = Object.values(inv.pools).filter(
    (p) => p.hostId === f.hostId && p.state === 'running',
  );
  const nets = Object.values(inv.networks).filter((n) => n.hostId === f.hostId);
  // An inactive network cannot take a new NIC: offered only once it runs, and said why.
  const activeNets = nets.filter((n) => n.active);
  const inactiveNets = nets.filter((n) => !n.active);
  const cluster = Object.values(inv.clusters).find((c) => c.hostIds.includes(f.hostId));
  const sameCpus =
    new Set(cluster?.hostIds.map((id) => inv.hosts[id]?.info?.cpuModel ?? '?')).size <= 1;
  const set = <K extends keyof Form>(k: K, v: Form[K]) => setF((old) => ({ ...old, [k]: v }));

  // A network started in place is the one the user wanted: chosen at once.
  const pickNetwork = useCallback((name: string) => setF((old) => ({ ...old, netName: name })), []);

  // Sensible picks on the chosen node: its first pool and network.
  useEffect(() => {
    setF((old) => ({
      ...old,
      diskPool: pools.some((p) => p.id === old.diskPool) ? old.diskPool : (pools[0]?.id ?? ''),
      isoPool: pools.some((p) => p.id === old.isoPool) ? old.isoPool : (pools[0]?.id ?? ''),
      netName: activeNets.some((n) => n.name === old.netName)
        ? old.netName
        : (activeNets[0]?.name ?? ''),
      // The node's own CPU is fastest and moves between identical CPUs; where the
      // members' CPUs differ, the cluster's CPU lets the guest move to all of them.
      cpu: cluster?.cpu && !sameCpus ? 'cluster' : 'host-passthrough',
    }));
    // Re-picked when the node changes.
  }, [f.hostId]);

  // A new disk takes a format its pool can hold (Ceph, LVM and ZFS hold raw only).
  const diskFormats = volumeFormatsFor(inv.pools[f.diskPool]?.type ?? 'dir');
  useEffect(() => {
    if (diskFormats.length && !diskFormats.includes(f.diskFormat))
      set('diskFormat', diskFormats[0]!);
  }, [f.diskPool, diskFormats.join()]);

  // The node's libosinfo variants, read once per node; the chosen one sets devices and minimums.
  const catalog = useOsCatalog(f.hostId);
  const variant =
    catalog.state === 'ready'
      ? catalog.catalog.variants.find((v) => v.shortId === f.osVariant)
      : undefined;
  const errors = errorsOf(
    f,
    host?.info ? { name: host.name, memoryKiB: host.info.memoryKiB } : undefined,
    variant,
  );
  const hardware = toSpec(f, variant).hardware;
  if (catalog.state === 'ready' && hardware) {
    const missing = firmwareProblems(hardware, catalog.catalog.firmware, host?.name ?? 'The node');
    if (missing.length) errors['firmware'] = missing.join(' ');
  }
  if (!f.hostId) errors['hostId'] = 'Add and connect a node first.';
  const shown = (k: string) => (tried ? errors[k] : undefined);

  const plan = usePlan(index === STEPS.length - 1, () =>
    api.planVm({ hostId: f.hostId, spec: toSpec(f, variant) }),
  );

  // Each step is checked before the wizard moves past it, also by a step label.
  const goTo = (target: number) => {
    const at = landingStep(index, target, (i) => STEP_FIELDS[i]!.some((k) => errors[k]));
    setTried(at !== target);
    setIndex(at);
  };
  const next = () => goTo(index + 1);

  const { busy, finish: create } = useFinish(async () => {
    await api.createVm({
      hostId: f.hostId,
      spec: toSpec(f, variant),
    });
    if (f.start && f.openConsole && f.graphics !== 'none') {
      useUi.getState().openWhenReady({ hostId: f.hostId, name: f.name.trim(), tab: 'console' });
    }
  }, close);

  const text = (k: TextKey, label: string, hint?: string, type = 'text') => (
    <TextField
      label={label}
      type={type}
      value={String(f[k])}
      placeholder={hint}
      spellCheck={false}
      onChange={(v) => set(k, v)}
      error={shown(k)}
    />
  );
  const select = <K extends ChoiceKey>(
    k: K,
    label: string,
    options: readonly { value: Form[K]; label: string }[],
  ) => (
    <Select
      label={label}
      value={String(f[k])}
      onChange={(v) => {
        // The chosen option's own value, typed as the field is.
        const chosen = options.find((o) => o.value === v);
        if (chosen) set(k, chosen.value);
      }}
      options={options}
      emptyLabel="None available"
      error={shown(k)}
    />
  );
  const radio = <K extends 'disk' | 'boot' | 'net' | 'cpu'>(
    k: K,
    value: Form[K],
    label: string,
  ) => (
    <Radio name={`${ids}-${k}`} checked={f[k] === value} onChange={() => set(k, value)}>
      {label}
    </Radio>
  );
  const check = (k: 'kvm' | 'serial' | 'start' | 'openConsole', label: string) => (
    <Checkbox checked={f[k]} onChange={(on) => set(k, on)}>
      {label}
    </Checkbox>
  );
  const poolOptions = pools.map((p) => ({
    value: p.id,
    label: `${p.name} (${formatBytes(p.available)} free)`,
  }));
  // The volumes a list offers, and why each other one is not offered.
  const vms = Object.values(inv.vms);
  const choices = (poolId: string, problem: (v: Volume, p: StoragePool) => string | undefined) => {
    const pool = inv.pools[poolId];
    const offered: { value: string; label: string }[] = [];
    const missing: string[] = [];
    for (const v of pool?.volumes ?? []) {
      const why = problem(v, pool!);
      if (why) missing.push(why);
      else offered.push({ value: v.name, label: v.name });
    }
    return { offered, missing };
  };
  const isos = choices(f.isoPool, (v, p) => isoProblem(p, v, vms));
  const disks = choices(f.diskPool, (v, p) => {
    const users = volumeUsers(p, v, vms);
    return users.length ? `${v.name} is already a disk of ${namesOfUsers(users)}.` : undefined;
  });
  const notOffered = (label: string, missing: string[]) =>
    missing.length > 0 && (
      <details className="text-[12px] text-slate-600 dark:text-slate-400">
        <summary>
          {missing.length} {missing.length === 1 ? 'volume' : 'volumes'} not listed
        </summary>
        <ul aria-label={label} className="mt-1 list-disc pl-5">
          {missing.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      </details>
    );

  return (
    <WizardFrame
      title="New VM"
      steps={STEPS}
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
          {text('name', 'VM name', 'web1')}
          {select(
            'hostId',
            'Node',
            hosts.map((h) => ({ value: h.id, label: h.name })),
          )}
          <OsStep
            f={f}
            setF={setF}
            node={host?.name ?? 'the node'}
            catalog={catalog}
            variant={variant}
            firmwareError={errors['firmware']}
          />
          {check('kvm', 'Hardware acceleration (KVM)')}
          {host?.info?.virtualization !== 'kvm' && (
            <p className="text-sm text-slate-500">
              {host?.name ?? 'This node'} has no KVM: the guest runs emulated.
            </p>
          )}
        </div>
      )}
      {index === 1 && (
        <div className="space-y-3">
          {text('vcpus', 'vCPUs', '1', 'number')}
          {text('memoryMiB', 'Memory (MiB)', '1024', 'number')}
          {host?.info && (
            <p className="text-sm text-slate-500">
              {host.name} has {host.info.cpus} CPUs and {formatKiB(host.info.memoryKiB)} of memory.
            </p>
          )}
          <MinimumWarnings f={f} variant={variant} fields={['memoryMiB', 'vcpus']} />
          {f.kvm && (
            <fieldset className="space-y-1">
              <legend className="mb-1 font-medium">CPU model</legend>
              {radio(
                'cpu',
                'host-passthrough',
                `${host?.name ?? 'The node'}’s own CPU (fastest; moves only to identical CPUs${cluster && sameCpus ? `, as every node of ${cluster.name} has` : ''})`,
              )}
              {cluster?.cpu ? (
                radio(
                  'cpu',
                  'cluster',
                  `Cluster CPU: ${describeCpu(cluster.cpu)} (migrates to every node of ${cluster.name})`,
                )
              ) : (
                <p className="text-sm text-slate-500">
                  {cluster
                    ? `${cluster.name} has no common CPU model yet; run New Cluster again with its nodes to work it out.`
                    : `${host?.name ?? 'This node'} is in no cluster; a cluster offers a CPU model every member runs.`}
                </p>
              )}
            </fieldset>
          )}
        </div>
      )}
      {index === 2 && (
        <fieldset className="space-y-3">
          <legend className="mb-1 font-medium">Disk</legend>
          {radio('disk', 'new', 'A new disk')}
          {radio('disk', 'existing', 'An existing volume')}
          {radio('disk', 'none', 'No disk')}
          {f.disk !== 'none' && select('diskPool', 'Storage pool', poolOptions)}
          {f.disk === 'new' && text('diskSize', 'Disk size', '10G')}
          {f.disk === 'new' && <MinimumWarnings f={f} variant={variant} fields={['diskSize']} />}
          {f.disk === 'new' &&
            select(
              'diskFormat',
              'Disk format',
              diskFormats.map((v) => ({ value: v, label: v })),
            )}
          {f.disk === 'existing' &&
            select('diskVolume', 'Volume', [{ value: '', label: 'Choose…' }, ...disks.offered])}
          {f.disk === 'existing' && notOffered('Volumes not listed', disks.missing)}
        </fieldset>
      )}
      {index === 3 && (
        <fieldset className="space-y-3">
          <legend className="mb-1 font-medium">Install media</legend>
          {radio('boot', 'iso', 'An ISO image from a storage pool')}
          {radio('boot', 'network', 'Network boot (PXE)')}
          {radio('boot', 'kernel', 'Direct kernel boot')}
          {radio('boot', 'none', 'None (boot from the disk)')}
          {f.boot === 'iso' && select('isoPool', 'Pool with the ISO', poolOptions)}
          {f.boot === 'iso' &&
            select('isoVolume', 'ISO image', [{ value: '', label: 'Choose…' }, ...isos.offered])}
          {f.boot === 'iso' && notOffered('Volumes not listed as ISO images', isos.missing)}
          {f.boot === 'kernel' &&
            text('kernel', 'Kernel on the node', '/var/lib/libvirt/boot/vmlinuz')}
          {f.boot === 'kernel' &&
            text('initrd', 'Initrd on the node (optional)', '/var/lib/libvirt/boot/initrd.gz')}
          {f.boot === 'kernel' && text('cmdline', 'Kernel command line', 'console=ttyS0')}
        </fieldset>
      )}
      {index === 4 && (
        <div className="space-y-3">
          <fieldset className="space-y-2">
            <legend className="mb-1 font-medium">Network</legend>
            {radio('net', 'network', 'A libvirt network')}
            {radio('net', 'bridge', 'A bridge on the node')}
            {radio('net', 'none', 'No network')}
            {f.net === 'network' &&
              select(
                'netName',
                'Libvirt network',
                activeNets.map((n) => ({ value: n.name, label: n.name })),
              )}
            {f.net === 'network' && (
              <StartNetworkOffer
                nets={inactiveNets}
                node={host?.name ?? 'the node'}
                onStarted={pickNetwork}
              />
            )}
            {f.net === 'bridge' && text('bridge', 'Bridge', 'br0')}
          </fieldset>
          {select('graphics', 'Graphical console', [
            { value: 'vnc', label: 'VNC (on the node’s loopback, reached through SSH)' },
            { value: 'spice', label: 'SPICE' },
            { value: 'none', label: 'None' },
          ])}
          {check('serial', 'Serial console')}
          {check('start', 'Start the VM when it is created')}
          {f.start && f.graphics !== 'none' && check('openConsole', 'Then open its console')}
        </div>
      )}
      {index === 5 && <PlanSummary plan={plan} />}
    </WizardFrame>
  );
}
