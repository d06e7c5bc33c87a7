// What a backup's row offers beside Restore, the same in a guest's and the
// cluster's Backups tab: Delete (asked first, naming the archive and its
// storage; Proxmox refuses a protected archive, so the row disables it and
// says why), Protect / Unprotect and Edit notes. Each is a task; the view
// reads again when it ends.
import { useState } from 'react';
import type { BackupVolume } from '../../../shared/backups';
import { api } from '../../api/backend';
import { useUi } from '../../state/ui';
import { BackupNotesDialog } from './BackupNotesDialog';
import { archiveFile } from './backupTask';

/** Why Delete is disabled for this archive, or undefined when it may be deleted. */
export const deleteRefusal = (b: BackupVolume): string | undefined =>
  b.protected
    ? 'This backup is protected: Proxmox refuses to delete it. Unprotect it first.'
    : undefined;

export function useBackupActions(
  hostId: string | undefined,
  start: (call: () => Promise<{ taskId: string }>) => void,
) {
  const ask = useUi((s) => s.askConfirm);
  const [noting, setNoting] = useState<BackupVolume>();
  const where = (b: BackupVolume) => (b.shared ? b.storage : `${b.storage} on ${b.node}`);
  return {
    onDelete: (b: BackupVolume) => {
      if (!hostId || b.protected) return;
      ask({
        title: `Delete the backup ${archiveFile(b)}?`,
        body: (
          <p>
            <span className="font-mono break-all">{b.volid}</span> is removed from the storage{' '}
            {where(b)} for good: it cannot be restored afterwards.
          </p>
        ),
        confirmLabel: 'Delete backup',
        onConfirm: () => start(() => api.deleteBackup({ hostId, volid: b.volid, node: b.node })),
      });
    },
    onProtect: (b: BackupVolume) => {
      if (!hostId) return;
      start(() =>
        api.protectBackup({ hostId, volid: b.volid, node: b.node, protected: !b.protected }),
      );
    },
    onNotes: setNoting,
    /** The Edit notes dialog, while one is open: rendered by the view. */
    notesDialog: hostId && noting && (
      <BackupNotesDialog
        hostId={hostId}
        backup={noting}
        onClose={() => setNoting(undefined)}
        onSave={(notes) => {
          setNoting(undefined);
          start(() =>
            api.setBackupNotes({ hostId, volid: noting.volid, node: noting.node, notes }),
          );
        }}
      />
    ),
  };
}
