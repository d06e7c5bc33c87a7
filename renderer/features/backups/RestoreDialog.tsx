// Restore a backup as a new VM or container: what the archive holds (read
// from its config), the new guest id (the cluster's next free one proposed),
// where its disks go and whether it starts. The dialog is the confirmation:
// it says what will be made, and Restore starts the task.
import { useEffect, useState } from 'react';
import type { BackupVolume, RestorePlan, RestoreSpec } from '../../../shared/backups';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { Dialog, buttonClass, primaryButtonClass } from '../../ui/Dialog';
import { Facts } from '../../ui/Facts';
import { Checkbox, Select, TextField } from '../../ui/forms';
import { dateTime } from './backupTask';

export function RestoreDialog({
  hostId,
  backup,
  onRestore,
  onClose,
}: {
  /** The node the cluster is read through. */
  hostId: string;
  backup: BackupVolume;
  onRestore: (spec: RestoreSpec) => void;
  onClose: () => void;
}) {
  const [plan, setPlan] = useState<RestorePlan | { error: string }>();
  const [vmid, setVmid] = useState('');
  const [storage, setStorage] = useState('');
  const [start, setStart] = useState(false);
  useEffect(() => {
    api.planRestore({ hostId, volid: backup.volid, node: backup.node }).then(
      (p) => {
        setPlan(p);
        setVmid(String(p.nextVmid));
      },
      (e: unknown) => setPlan({ error: errorMessage(e) }),
    );
  }, [hostId, backup.volid, backup.node]);
  const what = backup.kind === 'vm' ? 'VM' : 'container';
  const id = Number(vmid);
  const idOk = Number.isInteger(id) && id >= 100 && id <= 999_999_999;
  return (
    <Dialog title={`Restore as a new ${what}`} onClose={onClose} width="w-[36rem]">
      <div className="space-y-3">
        <Facts
          rows={[
            ['Backup', backup.volid],
            ['Taken', `${dateTime(backup.ctime)} of guest ${backup.vmid}`],
            ['Restored on', backup.node],
          ]}
        />
        {!plan && <p className="text-slate-500">Reading the backup…</p>}
        {plan && 'error' in plan && (
          <p role="alert" className="text-red-700 dark:text-red-400">
            {plan.error}
          </p>
        )}
        {plan && !('error' in plan) && (
          <form
            className="space-y-3"
            onSubmit={(e) => {
              e.preventDefault();
              if (!idOk) return;
              onRestore({
                hostId,
                volid: backup.volid,
                node: backup.node,
                vmid: id,
                ...(storage ? { storage } : {}),
                start,
              });
            }}
          >
            <section aria-label="What the backup holds">
              <h3 className="mb-1 font-medium">What the backup holds</h3>
              <Facts rows={plan.summary} />
            </section>
            <div className="grid grid-cols-2 gap-3">
              <TextField
                label={`New ${what} ID`}
                type="number"
                value={vmid}
                onChange={setVmid}
                error={vmid && !idOk ? 'A guest id from 100 to 999999999' : undefined}
              />
              <Select
                label="Disks to"
                value={storage}
                onChange={setStorage}
                options={[
                  { value: '', label: 'Where they were backed up from' },
                  ...plan.storages.map((s) => ({ value: s, label: s })),
                ]}
              />
            </div>
            <Checkbox checked={start} onChange={setStart}>
              Start after the restore
            </Checkbox>
            <p className="text-[12px] text-slate-500">
              A new {what} {idOk ? id : ''} is made from this backup on {backup.node}, with new MAC
              addresses; guest {backup.vmid} is left as it is.
            </p>
            <div className="flex justify-end gap-2">
              <button type="button" className={buttonClass} onClick={onClose}>
                Cancel
              </button>
              <button type="submit" className={primaryButtonClass} disabled={!idOk}>
                Restore
              </button>
            </div>
          </form>
        )}
        {(!plan || 'error' in plan) && (
          <div className="flex justify-end">
            <button className={buttonClass} onClick={onClose}>
              Close
            </button>
          </div>
        )}
      </div>
    </Dialog>
  );
}
