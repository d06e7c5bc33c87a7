// Clone VM: asks for the copy's name; the main process copies the disks
// through their pools and defines the copy, as one task. Where the stack
// copies guests itself ('guest-clone', Proxmox VE) it also asks where the
// copy goes, its id (the cluster's proposal first) and whether it shares
// the source's disks (a linked clone, offered for templates only).
import { useEffect, useState } from 'react';
import { hasCapability } from '../../../shared/model';
import { objectNameSchema } from '../../../shared/storage';
import type { CloneChoices } from '../../../shared/vm-clone';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useInventory } from '../../state/inventory';
import { useNotices } from '../../state/notices';
import { useUi } from '../../state/ui';
import { Dialog, buttonClass, primaryButtonClass } from '../../ui/Dialog';
import { Checkbox, Select, TextField } from '../../ui/forms';

export function CloneVmDialog({ vmId }: { vmId: string }) {
  const vm = useInventory((s) => s.inv.vms[vmId]);
  const host = useInventory((s) => (vm ? s.inv.hosts[vm.hostId] : undefined));
  const notify = useNotices((s) => s.push);
  const [name, setName] = useState(vm ? `${vm.name}-clone` : '');
  const [busy, setBusy] = useState(false);
  const [choices, setChoices] = useState<CloneChoices | { error: string } | undefined>();
  const [node, setNode] = useState('');
  const [newId, setNewId] = useState('');
  const [linked, setLinked] = useState(false);
  const close = () => useUi.getState().setVmDialog(undefined);
  const own = !!host && hasCapability(host, 'guest-clone');
  useEffect(() => {
    if (!own) return;
    let live = true;
    api.cloneChoices({ vmId }).then(
      (c) => {
        if (!live) return;
        setChoices(c);
        setNode(c.nodes[0] ?? '');
        setNewId(String(c.nextId));
        setLinked(c.template && !c.linkedRefusal);
      },
      (e: unknown) => live && setChoices({ error: errorMessage(e) }),
    );
    return () => {
      live = false;
    };
  }, [vmId, own]);
  if (!vm) return null;
  const check = objectNameSchema.safeParse(name);
  const read = choices && 'nodes' in choices ? choices : undefined;
  const idOk = !own || /^\d{3,9}$/.test(newId);
  const ready = check.success && idOk && (!own || !!read);
  const go = async () => {
    if (!check.success || !ready) return;
    setBusy(true);
    try {
      await api.cloneVm({
        vmId: vm.id,
        name: check.data,
        ...(own ? { extras: { targetNode: node, newId: Number(newId), linked } } : {}),
      });
      close();
    } catch (e) {
      notify(errorMessage(e));
      setBusy(false);
    }
  };
  return (
    <Dialog title={`Clone ${vm.name}`} onClose={close}>
      <form
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          void go();
        }}
      >
        <p>
          {own
            ? 'A full clone copies each disk; a linked clone shares the template’s disks and keeps only its own changes. The copy gets new MAC addresses.'
            : 'Each disk is copied in its own pool; the copy gets new UUID and MAC addresses.'}
        </p>
        <TextField
          label="Name of the copy"
          value={name}
          onChange={setName}
          error={!check.success && check.error.issues[0]?.message}
        />
        {own && !choices && <p className="text-slate-500">Reading the cluster’s choices…</p>}
        {choices && 'error' in choices && (
          <p role="alert" className="text-red-700 dark:text-red-400">
            {choices.error}
          </p>
        )}
        {read && (
          <>
            <div className="grid grid-cols-2 gap-3">
              <Select
                label="Target node"
                value={node}
                onChange={setNode}
                options={read.nodes.map((n) => ({ value: n, label: n }))}
              />
              <TextField
                label="New ID"
                type="number"
                value={newId}
                onChange={setNewId}
                error={!idOk && 'A guest id: 100 or more.'}
              />
            </div>
            <Checkbox checked={linked} onChange={setLinked} disabled={!!read.linkedRefusal}>
              Linked clone (shares the template’s disks)
            </Checkbox>
            {read.linkedRefusal && <p className="text-sm text-slate-500">{read.linkedRefusal}</p>}
          </>
        )}
        <div className="mt-4 flex justify-end gap-2">
          <button type="button" className={buttonClass} onClick={close}>
            Cancel
          </button>
          <button type="submit" className={primaryButtonClass} disabled={busy || !ready}>
            Clone
          </button>
        </div>
      </form>
    </Dialog>
  );
}
