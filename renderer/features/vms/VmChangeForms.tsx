// The forms of the changes that act at once, each in a VmChangeDialog: put an
// ISO into a CD/DVD drive or eject it, grow a disk, set a link up or down,
// write the notes.
import { useEffect, useState } from 'react';
import type { Vm, VmDisk, VmNic } from '../../../shared/model';
import { formatBytes, parseSize } from '../../../shared/units';
import { DESCRIPTION_MAX, descriptionSchema } from '../../../shared/vm-change';
import { isoProblem } from '../../../shared/volume-use';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useInventory } from '../../state/inventory';
import { Select, TextArea, TextField } from '../../ui/forms';
import { VmChangeDialog } from './VmChangeDialog';

/** Which change dialog is open, from the General tab's rows. */
export type ChangeDialog =
  | { kind: 'media'; target: string }
  | { kind: 'eject'; target: string }
  | { kind: 'resize'; target: string }
  | { kind: 'link'; mac: string; state: 'up' | 'down' }
  | { kind: 'notes' };

export function ChangeDialogFor({
  vm,
  dialog,
  onClose,
}: {
  vm: Vm;
  dialog: ChangeDialog;
  onClose: () => void;
}) {
  switch (dialog.kind) {
    case 'media':
      return <MediaDialog vm={vm} target={dialog.target} onClose={onClose} />;
    case 'eject': {
      const drive = vm.disks.find((d) => d.target === dialog.target);
      return (
        <VmChangeDialog
          vm={vm}
          title={`Eject ${dialog.target} of ${vm.name}`}
          change={{ op: 'media', target: dialog.target }}
          applyLabel="Eject"
          onClose={onClose}
        >
          <p>
            Takes {drive?.source || 'the medium'} out of the drive; the image stays in its pool.
          </p>
        </VmChangeDialog>
      );
    }
    case 'resize': {
      const disk = vm.disks.find((d) => d.target === dialog.target);
      return disk ? <ResizeDialog vm={vm} disk={disk} onClose={onClose} /> : null;
    }
    case 'link':
      return (
        <VmChangeDialog
          vm={vm}
          title={`Link ${dialog.state} on ${dialog.mac}`}
          change={{ op: 'link', mac: dialog.mac, state: dialog.state }}
          applyLabel={`Set link ${dialog.state}`}
          onClose={onClose}
        >
          <p>
            {dialog.state === 'down'
              ? 'The guest sees the cable of this interface pulled out; it keeps its address.'
              : 'The guest sees the cable of this interface plugged in again.'}
          </p>
        </VmChangeDialog>
      );
    case 'notes':
      return <NotesDialog vm={vm} onClose={onClose} />;
  }
}

/** The node's ISO images a drive can take: files in running pools, not another VM's writable disk. */
function useIsoOptions(vm: Vm) {
  const inv = useInventory((s) => s.inv);
  const vms = Object.values(inv.vms);
  const options: { value: string; label: string }[] = [];
  for (const p of Object.values(inv.pools)) {
    if (p.hostId !== vm.hostId || p.state !== 'running') continue;
    for (const v of p.volumes) {
      if (!v.path.startsWith('/') || isoProblem(p, v, vms)) continue;
      options.push({ value: `${p.id}|${v.name}`, label: `${v.name} (${p.name})` });
    }
  }
  return options.sort((a, b) => a.label.localeCompare(b.label));
}

function MediaDialog({ vm, target, onClose }: { vm: Vm; target: string; onClose: () => void }) {
  const options = useIsoOptions(vm);
  const [choice, setChoice] = useState('');
  const cut = choice.indexOf('|');
  const source =
    cut > 0 ? { poolId: choice.slice(0, cut), volume: choice.slice(cut + 1) } : undefined;
  const drive = vm.disks.find((d) => d.target === target);
  return (
    <VmChangeDialog
      vm={vm}
      title={`CD/DVD ${target} of ${vm.name}`}
      change={source ? { op: 'media', target, source } : undefined}
      problem={
        options.length === 0
          ? 'No ISO image on this node: upload one into a storage pool first.'
          : undefined
      }
      applyLabel="Insert"
      onClose={onClose}
    >
      <p>In the drive now: {drive?.source || 'nothing'}.</p>
      <Select
        label="ISO image"
        value={choice}
        onChange={setChoice}
        options={[{ value: '', label: 'Choose an image…' }, ...options]}
      />
    </VmChangeDialog>
  );
}

function ResizeDialog({ vm, disk, onClose }: { vm: Vm; disk: VmDisk; onClose: () => void }) {
  const [size, setSize] = useState('');
  const [current, setCurrent] = useState<number | undefined>();
  const [readError, setReadError] = useState<string | undefined>();
  useEffect(() => {
    api
      .vmDiskCapacity({ vmId: vm.id, target: disk.target })
      .then((r) => setCurrent(r.bytes))
      .catch((e: unknown) => setReadError(errorMessage(e)));
  }, [vm.id, disk.target]);
  const bytes = parseSize(size);
  const problem =
    readError ??
    (size.trim() === ''
      ? undefined
      : bytes === undefined
        ? 'Enter a size such as 20G or 512M.'
        : current !== undefined && bytes < current
          ? `A disk only grows: ${disk.target} is ${formatBytes(current)}; enter more than that.`
          : current !== undefined && bytes === current
            ? `${disk.target} is already ${formatBytes(current)}.`
            : undefined);
  return (
    <VmChangeDialog
      vm={vm}
      title={`Resize ${disk.target} of ${vm.name}`}
      change={
        bytes && current !== undefined ? { op: 'resize', target: disk.target, bytes } : undefined
      }
      problem={problem}
      applyLabel="Resize"
      onClose={onClose}
    >
      <p>
        {disk.source || disk.target}: now{' '}
        <span aria-label="Current size">{current === undefined ? '…' : formatBytes(current)}</span>
        {bytes && current !== undefined && bytes > current
          ? `, ${formatBytes(bytes)} after the change`
          : ''}
        .
      </p>
      <TextField
        label="New size"
        value={size}
        onChange={setSize}
        placeholder={current ? `more than ${formatBytes(current)}, e.g. 20G` : '20G'}
      />
    </VmChangeDialog>
  );
}

function NotesDialog({ vm, onClose }: { vm: Vm; onClose: () => void }) {
  const [text, setText] = useState(vm.description ?? '');
  const check = descriptionSchema.safeParse(text);
  // Nothing to plan until the text differs from the notes the VM has.
  const trim = (t: string) => t.replace(/\s+$/, '');
  const changed = trim(text) !== trim(vm.description ?? '');
  return (
    <VmChangeDialog
      vm={vm}
      title={`Notes of ${vm.name}`}
      change={check.success && changed ? { op: 'description', text } : undefined}
      problem={check.success ? undefined : check.error.issues[0]?.message}
      applyLabel="Save notes"
      onClose={onClose}
    >
      <TextArea
        label="Notes"
        value={text}
        onChange={setText}
        rows={6}
        maxLength={DESCRIPTION_MAX}
      />
    </VmChangeDialog>
  );
}

/** The NIC row's link action: what clicking it would do. */
export const linkAction = (n: VmNic): 'up' | 'down' => (n.link === 'down' ? 'up' : 'down');
