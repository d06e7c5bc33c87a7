// New VM or New Container where the cluster's API offers the choices per
// node (capability 'guest-create'): the node and the id the cluster
// proposes; for a VM its name, OS type and ISO image, for a container its
// template and root's password or key; the disk's storage (only those that
// can hold it, with their free space), memory and cores; the bridge (and a
// container's address); then the exact command, secrets masked, and what
// stands in the way, run as one task.
import { useEffect, useState } from 'react';
import type { GuestOptions } from '../../../shared/guest-create';
import { hasCapability } from '../../../shared/model';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useInventory } from '../../state/inventory';
import { useUi } from '../../state/ui';
import { formatBytes } from '../../ui/format';
import { Checkbox, RadioGroup, Select, TextArea, TextField } from '../../ui/forms';
import {
  PlanSummary,
  WizardFrame,
  planRunnable,
  useFinish,
  usePlan,
} from '../../ui/wizard/WizardFrame';
import {
  GUEST_STEPS,
  GUEST_STEP_FIELDS,
  diskStorages,
  guestErrors,
  initialGuestForm,
  pickOnNode,
  storageLabel,
  toGuestSpec,
  withKind,
  type GuestForm,
} from './guestForm';
import { landingStep } from '../../ui/wizard/steps';

export function GuestWizard({ hostId }: { hostId: string }) {
  const close = () => useUi.getState().setWizard(undefined);
  const inv = useInventory((s) => s.inv);
  const hosts = Object.values(inv.hosts).filter(
    (h) => hasCapability(h, 'guest-create') && h.state === 'connected',
  );
  const clusterOf = (id: string) =>
    Object.values(inv.clusters).find((c) => c.hostIds.includes(id))?.name;
  const [f, setF] = useState<GuestForm>(() => initialGuestForm(hostId));
  const set = <K extends keyof GuestForm>(k: K, v: GuestForm[K]) =>
    setF((old) => ({ ...old, [k]: v }));
  const [index, setIndex] = useState(0);
  const [tried, setTried] = useState(false);
  const [options, setOptions] = useState<GuestOptions | { error: string } | undefined>();
  const o = options && 'nodes' in options ? options : undefined;

  // The cluster's choices, read through the chosen host when it changes.
  useEffect(() => {
    let live = true;
    setOptions(undefined);
    api.getGuestOptions({ hostId: f.hostId }).then(
      (read) => {
        if (!live) return;
        setOptions(read);
        setF((old) => pickOnNode({ ...old, vmid: '' }, read));
      },
      (e: unknown) => live && setOptions({ error: errorMessage(e) }),
    );
    return () => {
      live = false;
    };
  }, [f.hostId]);

  const vm = f.kind === 'vm';
  const what = vm ? 'VM' : 'container';
  const node = o?.nodes.find((n) => n.name === f.node);
  const errors = guestErrors(f, o);
  const shown = (k: string) => (tried ? errors[k] : undefined);
  const goTo = (target: number) => {
    const at = landingStep(index, target, (i) => GUEST_STEP_FIELDS[i]!.some((k) => errors[k]));
    setTried(at !== target);
    setIndex(at);
  };
  const plan = usePlan(index === GUEST_STEPS.length - 1, () =>
    api.planGuest({ hostId: f.hostId, spec: toGuestSpec(f) }),
  );
  const { busy, finish } = useFinish(
    () => api.createGuest({ hostId: f.hostId, spec: toGuestSpec(f) }),
    close,
  );
  const storages = diskStorages(node, f.kind);
  const cannotHold = (node?.storages ?? []).filter((s) => !storages.includes(s));

  return (
    <WizardFrame
      title={vm ? 'New VM' : 'New Container'}
      steps={GUEST_STEPS}
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
          <RadioGroup
            legend="Guest type"
            value={f.kind}
            onChange={(k) => setF((old) => withKind(old, k, o))}
            options={[
              { value: 'vm', label: 'Virtual machine (QEMU/KVM)' },
              { value: 'container', label: 'Container (LXC)' },
            ]}
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
            label="Node"
            value={f.node}
            onChange={(v) => o && setF((old) => pickOnNode({ ...old, node: v }, o))}
            options={(o?.nodes ?? []).map((n) => ({
              value: n.name,
              disabled: !n.online || !!n.error,
              label: !n.online
                ? `${n.name} (offline)`
                : n.error
                  ? `${n.name} (not read: ${n.error})`
                  : n.name,
            }))}
            error={shown('node')}
          />
          <TextField
            label={vm ? 'VM ID' : 'CT ID'}
            type="number"
            value={f.vmid}
            onChange={(v) => set('vmid', v)}
            error={shown('vmid')}
          />
          <TextField
            label={vm ? 'Name' : 'Hostname'}
            value={f.name}
            placeholder={vm ? 'web02' : 'cache01'}
            spellCheck={false}
            onChange={(v) => set('name', v)}
            error={shown(vm ? 'name' : 'hostname')}
          />
          {vm && (
            <>
              <Select
                label="OS type"
                value={f.ostype}
                onChange={(v) => set('ostype', v)}
                options={o?.osTypes ?? []}
                error={shown('ostype')}
              />
              <Select
                label="ISO image"
                value={f.iso}
                onChange={(v) => set('iso', v)}
                options={[
                  { value: '', label: 'None (empty CD drive)' },
                  ...(node?.isos ?? []).map((i) => ({
                    value: i.volid,
                    label: `${i.volid} (${formatBytes(i.sizeBytes)})`,
                  })),
                ]}
                error={shown('iso')}
              />
            </>
          )}
          {!vm && (
            <>
              <Select
                label="Template"
                value={f.template}
                onChange={(v) => set('template', v)}
                options={(node?.templates ?? []).map((t) => ({ value: t.volid, label: t.volid }))}
                emptyLabel="None on this node"
                error={shown('template')}
              />
              <TextField
                label="Root password"
                type="password"
                autoComplete="new-password"
                value={f.password}
                onChange={(v) => set('password', v)}
                error={shown('password')}
              />
              <TextArea
                label="SSH public keys"
                rows={2}
                spellCheck={false}
                placeholder="ssh-ed25519 AAAA… you@desk"
                value={f.sshKeys}
                onChange={(v) => set('sshKeys', v)}
                error={shown('sshKeys')}
              />
            </>
          )}
        </div>
      )}
      {index === 1 && (
        <div className="space-y-3">
          <Select
            label={vm ? 'Disk storage' : 'Root disk storage'}
            value={f.storage}
            onChange={(v) => set('storage', v)}
            options={storages.map((s) => ({ value: s.id, label: storageLabel(s) }))}
            emptyLabel="None on this node"
            error={shown('storage')}
          />
          {cannotHold.length > 0 && (
            <p className="text-sm text-slate-500">
              Not offered (they hold no {vm ? 'VM disks' : 'container volumes'}):{' '}
              {cannotHold.map((s) => s.id).join(', ')}.
            </p>
          )}
          <TextField
            label="Disk size (GiB)"
            type="number"
            value={f.diskGiB}
            onChange={(v) => set('diskGiB', v)}
            error={shown('diskGiB')}
          />
          <TextField
            label="Memory (MiB)"
            type="number"
            value={f.memoryMiB}
            onChange={(v) => set('memoryMiB', v)}
            error={shown('memoryMiB')}
          />
          <TextField
            label="Cores"
            type="number"
            value={f.cores}
            onChange={(v) => set('cores', v)}
            error={shown('cores')}
          />
          {node && (
            <p className="text-sm text-slate-500">
              {node.name} has {node.cpus} CPUs and {node.memoryMiB} MiB of memory.
            </p>
          )}
        </div>
      )}
      {index === 2 && (
        <div className="space-y-3">
          <Select
            label="Bridge"
            value={f.bridge}
            onChange={(v) => set('bridge', v)}
            options={(node?.bridges ?? []).map((b) => ({ value: b, label: b }))}
            emptyLabel="None on this node"
            error={shown('bridge')}
          />
          {!vm && (
            <RadioGroup
              legend="IPv4"
              value={f.addressing}
              onChange={(v) => set('addressing', v)}
              options={[
                { value: 'dhcp', label: 'DHCP' },
                { value: 'static', label: 'Static address' },
              ]}
            />
          )}
          {!vm && f.addressing === 'static' && (
            <>
              <TextField
                label="IPv4 address/prefix"
                value={f.cidr}
                placeholder="192.0.2.50/24"
                onChange={(v) => set('cidr', v)}
                error={shown('address')}
              />
              <TextField
                label="Gateway"
                value={f.gateway}
                placeholder="192.0.2.1"
                onChange={(v) => set('gateway', v)}
              />
            </>
          )}
          <Checkbox checked={f.start} onChange={(on) => set('start', on)}>
            Start the {what} after it is created
          </Checkbox>
        </div>
      )}
      {index === 3 && <PlanSummary plan={plan} />}
    </WizardFrame>
  );
}
