// What a backup's row offers beside Restore, the same in a guest's and the
// cluster's Backups tab: Delete (asked first, naming the archive and its
// storage; Proxmox refuses a protected archive, so the row disables it and
// says why) and Protect / Unprotect. Each is a task; the view reads again
// when it ends.
import type { BackupVolume } from '../../../shared/backups';
import { api } from '../../api/backend';
import { useUi } from '../../state/ui';

export const archiveFile = (b: BackupVolume): string => b.volid.split('/').pop() ?? b.volid;

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
  };
}
