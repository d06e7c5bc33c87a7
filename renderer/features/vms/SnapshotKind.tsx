// What a snapshot of a running VM keeps: its running state (disks and
// memory, internal to the qcow2 images; a revert brings it back running) or
// its disks only, in overlay files, with the guest's file systems frozen
// through its agent meanwhile (offered only while the agent answers). A
// shut-off VM has no memory to keep: its snapshot is of the disks.
import { useEffect, useState } from 'react';
import type { GuestInfo } from '../../../shared/guest';
import type { Vm } from '../../../shared/model';
import type { SnapshotKind, SnapshotRefusals } from '../../../shared/vm';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { RadioGroup } from '../../ui/forms';

export function SnapshotKindChoice({
  vm,
  kind,
  onChange,
  cannotCreate,
}: {
  vm: Vm;
  kind: SnapshotKind;
  onChange: (kind: SnapshotKind) => void;
  /** The node's reasons why a kind cannot be taken now. */
  cannotCreate: SnapshotRefusals;
}) {
  const running = vm.state === 'running';
  const [agent, setAgent] = useState<GuestInfo | undefined>();
  const [error, setError] = useState('');
  useEffect(() => {
    if (!running) return;
    api.guestInfo({ vmId: vm.id }).then(setAgent, (e: unknown) => setError(errorMessage(e)));
  }, [vm.id, running]);
  const agentRuns = agent?.agent === 'running';
  // A node that keeps neither memory nor overlay files for this guest (a
  // Proxmox VE container) takes its own snapshot of the disks: nothing to choose.
  const disksOnly =
    running &&
    !!cannotCreate.memory &&
    !!cannotCreate['disk-only-quiesce'] &&
    !cannotCreate.default;
  // The choice follows the VM: libvirt's default when it is off; while it
  // runs, memory unless the node refuses it and disks only can be had.
  useEffect(() => {
    if (!running || disksOnly) {
      if (kind !== 'default') onChange('default');
      return;
    }
    if (kind !== 'default' && !cannotCreate[kind]) return;
    const next =
      cannotCreate.memory && agentRuns && !cannotCreate['disk-only-quiesce']
        ? 'disk-only-quiesce'
        : 'memory';
    if (next !== kind) onChange(next);
  }, [running, disksOnly, kind, onChange, cannotCreate, agentRuns]);

  if (disksOnly)
    return (
      <p className="text-slate-500">
        A snapshot of {vm.name} keeps its disks: {cannotCreate.memory}
      </p>
    );
  if (!running)
    return (
      <p className="text-slate-500">
        {cannotCreate.default ?? `${vm.name} is shut off: a snapshot keeps its disks.`}
      </p>
    );
  const diskOnly = cannotCreate['disk-only-quiesce'];
  const why = diskOnly
    ? `Disks only: ${diskOnly}`
    : !agent
      ? error || 'Asking the guest agent…'
      : agentRuns
        ? 'Disks only: the disks go on in overlay files next to them, the guest’s file systems frozen meanwhile; see each snapshot for whether this node can revert to it.'
        : `Disks only needs the guest agent to freeze the guest’s file systems, and it is not running: ${agent.reason}`;
  return (
    <RadioGroup
      legend="Snapshot of the running VM"
      value={kind}
      onChange={onChange}
      className="space-y-1"
      options={[
        {
          value: 'memory',
          label: 'Disks and memory (the running state)',
          disabled: !!cannotCreate.memory,
        },
        {
          value: 'disk-only-quiesce',
          label: 'Disks only, quiesced by the guest agent',
          disabled: !agentRuns || !!diskOnly,
        },
      ]}
    >
      {cannotCreate.memory && (
        <p className="text-[12px] text-slate-500">Disks and memory: {cannotCreate.memory}</p>
      )}
      <p className="text-[12px] text-slate-500">{why}</p>
    </RadioGroup>
  );
}
