// A VM's or container's Backups tab: Back up now (storage, mode,
// compression) and its backups on the cluster's storages, each with
// Restore as a new guest, Protect / Unprotect, Notes and Delete (backupActions.tsx).
// Read again after each task.
import { useCallback, useEffect, useState } from 'react';
import {
  BACKUP_COMPRESSIONS,
  BACKUP_MODES,
  BACKUP_MODE_LABELS,
  type BackupNow,
  type BackupVolume,
  type GuestBackups as Backups,
} from '../../../shared/backups';
import type { Vm } from '../../../shared/model';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { primaryButtonClass } from '../../ui/Dialog';
import { InlineForm, Select } from '../../ui/forms';
import { BackupsTable } from './BackupsTable';
import { useBackupActions } from './backupActions';
import { RestoreDialog } from './RestoreDialog';
import { useTaskEnd } from './backupTask';

export function GuestBackups({ vm }: { vm: Vm }) {
  const [backups, setBackups] = useState<Backups>();
  const [error, setError] = useState('');
  const [storage, setStorage] = useState('');
  const [mode, setMode] = useState<BackupNow['mode']>('snapshot');
  const [compress, setCompress] = useState<BackupNow['compress']>('zstd');
  const [restoring, setRestoring] = useState<BackupVolume>();
  const read = useCallback(() => {
    api.guestBackups({ vmId: vm.id }).then(
      (b) => {
        setBackups(b);
        setError('');
      },
      (e: unknown) => setError(errorMessage(e)),
    );
  }, [vm.id]);
  useEffect(read, [read]);
  const { start, busy } = useTaskEnd(read);
  const { onDelete, onProtect, onNotes, notesDialog } = useBackupActions(vm.hostId, start);
  const target = storage || backups?.storages[0] || '';
  const what = vm.kind === 'container' ? 'container' : 'VM';

  return (
    <div className="h-full space-y-4 overflow-auto">
      <InlineForm
        label="Back up now"
        onSubmit={() => {
          if (target)
            start(() => api.backupGuestNow({ vmId: vm.id, storage: target, mode, compress }));
        }}
      >
        <Select
          layout="inline"
          label="Backup storage"
          value={target}
          onChange={setStorage}
          options={(backups?.storages ?? []).map((s) => ({ value: s, label: s }))}
          emptyLabel="No storage holds backups"
        />
        <Select
          layout="inline"
          label="Mode"
          value={mode}
          onChange={(m) => setMode(m as BackupNow['mode'])}
          options={BACKUP_MODES.map((m) => ({ value: m, label: BACKUP_MODE_LABELS[m] }))}
        />
        <Select
          layout="inline"
          label="Compression"
          value={compress}
          onChange={(c) => setCompress(c as BackupNow['compress'])}
          options={BACKUP_COMPRESSIONS.map((c) => ({
            value: c,
            label: c === 'none' ? 'None' : c.toUpperCase(),
          }))}
        />
        <button type="submit" className={primaryButtonClass} disabled={!target || busy}>
          Back up now
        </button>
      </InlineForm>
      {busy && <p className="text-slate-500">Working… (see the Tasks pane)</p>}
      {error && (
        <p role="alert" className="text-red-700 dark:text-red-400">
          Reading the backups failed: {error}
        </p>
      )}
      {!backups && !error && <p className="text-slate-500">Reading…</p>}
      {backups && (
        <section aria-label={`Backups of ${vm.name}`}>
          <BackupsTable
            caption={`Backups of ${vm.name}`}
            backups={backups.backups}
            guestName={() => vm.name}
            onRestore={setRestoring}
            onProtect={onProtect}
            onDelete={onDelete}
            onNotes={onNotes}
          />
          <p className="mt-1 text-[12px] text-slate-500">
            Restore makes a new {what} from a backup; {vm.name} is left as it is.
          </p>
        </section>
      )}
      {restoring && (
        <RestoreDialog
          hostId={vm.hostId}
          backup={restoring}
          onClose={() => setRestoring(undefined)}
          onRestore={(spec) => {
            setRestoring(undefined);
            start(() => api.restoreBackup(spec));
          }}
        />
      )}
      {notesDialog}
    </div>
  );
}
