// Clone VM: asks for the copy's name; the main process copies the disks
// through their pools and defines the copy, as one task.
import { useState } from 'react';
import { objectNameSchema } from '../../../shared/storage';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useInventory } from '../../state/inventory';
import { useNotices } from '../../state/notices';
import { useUi } from '../../state/ui';
import { Dialog, buttonClass, primaryButtonClass } from '../../ui/Dialog';
import { TextField } from '../../ui/forms';

export function CloneVmDialog({ vmId }: { vmId: string }) {
  const vm = useInventory((s) => s.inv.vms[vmId]);
  const notify = useNotices((s) => s.push);
  const [name, setName] = useState(vm ? `${vm.name}-clone` : '');
  const [busy, setBusy] = useState(false);
  const close = () => useUi.getState().setVmDialog(undefined);
  if (!vm) return null;
  const check = objectNameSchema.safeParse(name);
  const go = async () => {
    if (!check.success) return;
    setBusy(true);
    try {
      await api.cloneVm({ vmId: vm.id, name: check.data });
      close();
    } catch (e) {
      notify(errorMessage(e));
      setBusy(false);
    }
  };
  return (
    <Dialog title={`Clone ${vm.name}`} onClose={close}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void go();
        }}
      >
        <p className="mb-3">
          Each disk is copied in its own pool; the copy gets new UUID and MAC addresses.
        </p>
        <TextField
          label="Name of the copy"
          value={name}
          onChange={setName}
          error={!check.success && check.error.issues[0]?.message}
        />
        <div className="mt-4 flex justify-end gap-2">
          <button type="button" className={buttonClass} onClick={close}>
            Cancel
          </button>
          <button type="submit" className={primaryButtonClass} disabled={busy || !check.success}>
            Clone
          </button>
        </div>
      </form>
    </Dialog>
  );
}
