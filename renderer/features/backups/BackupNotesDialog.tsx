// Edit notes of a backup archive: its whole notes read from the storage
// (the list shows their first line only), changed here, saved as a task.
import { useEffect, useState } from 'react';
import { backupNotesSchema, type BackupVolume } from '../../../shared/backups';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { Dialog, buttonClass, primaryButtonClass } from '../../ui/Dialog';
import { TextArea } from '../../ui/forms';
import { archiveFile } from './backupTask';

export function BackupNotesDialog({
  hostId,
  backup,
  onSave,
  onClose,
}: {
  hostId: string;
  backup: BackupVolume;
  onSave: (notes: string) => void;
  onClose: () => void;
}) {
  const [read, setRead] = useState<{ notes: string } | { error: string }>();
  const [text, setText] = useState('');
  useEffect(() => {
    api.backupNotes({ hostId, volid: backup.volid, node: backup.node }).then(
      (r) => {
        setRead(r);
        setText(r.notes);
      },
      (e: unknown) => setRead({ error: errorMessage(e) }),
    );
  }, [hostId, backup.volid, backup.node]);
  const check = backupNotesSchema.safeParse(text);
  const changed = !!read && 'notes' in read && text !== read.notes;
  return (
    <Dialog title={`Notes of ${archiveFile(backup)}`} onClose={onClose} width="w-[36rem]">
      {!read && <p className="text-slate-500">Reading the notes…</p>}
      {read && 'error' in read && (
        <p role="alert" className="text-red-700 dark:text-red-400">
          {read.error}
        </p>
      )}
      {read && 'notes' in read && (
        <form
          className="space-y-3"
          onSubmit={(e) => {
            e.preventDefault();
            if (check.success && changed) onSave(text);
          }}
        >
          <TextArea
            label="Notes"
            value={text}
            onChange={setText}
            rows={6}
            error={check.success ? undefined : check.error.issues[0]?.message}
          />
          <div className="flex justify-end gap-2">
            <button type="button" className={buttonClass} onClick={onClose}>
              Cancel
            </button>
            <button
              type="submit"
              className={primaryButtonClass}
              disabled={!check.success || !changed}
            >
              Save notes
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
