// A list of backup archives (the cluster's Backups tab and a guest's),
// newest first, each with Restore, Protect / Unprotect, Edit notes and
// Delete (disabled, with the reason, while it is protected), and a Protected mark.
import type { BackupVolume } from '../../../shared/backups';
import { formatBytes } from '../../../shared/units';
import { buttonClass } from '../../ui/Dialog';
import { Table } from '../../ui/Facts';
import { deleteRefusal } from './backupActions';
import { archiveFile, dateTime } from './backupTask';

export function BackupsTable({
  caption,
  backups,
  guestName,
  onRestore,
  onProtect,
  onDelete,
  onNotes,
}: {
  caption: string;
  backups: BackupVolume[];
  guestName: (b: BackupVolume) => string;
  onRestore: (b: BackupVolume) => void;
  onProtect: (b: BackupVolume) => void;
  onDelete: (b: BackupVolume) => void;
  onNotes: (b: BackupVolume) => void;
}) {
  return (
    <Table
      caption={caption}
      head={['Guest', 'Taken', 'Storage', 'Size', 'Notes', 'Protected', '']}
      rows={backups.map((b) => {
        const file = archiveFile(b);
        const refusal = deleteRefusal(b);
        return [
          guestName(b),
          dateTime(b.ctime),
          b.shared ? b.storage : `${b.storage} on ${b.node}`,
          formatBytes(b.size),
          b.notes ?? '',
          b.protected ? (
            <span key="p" className="font-medium" title="Proxmox keeps it: not deleted, not pruned">
              Protected
            </span>
          ) : (
            ''
          ),
          <span key="a" className="flex gap-1">
            <button
              className={buttonClass}
              aria-label={`Restore ${file}`}
              onClick={() => onRestore(b)}
            >
              Restore…
            </button>
            <button
              className={buttonClass}
              aria-label={`${b.protected ? 'Unprotect' : 'Protect'} ${file}`}
              onClick={() => onProtect(b)}
            >
              {b.protected ? 'Unprotect' : 'Protect'}
            </button>
            <button
              className={buttonClass}
              aria-label={`Edit notes of ${file}`}
              onClick={() => onNotes(b)}
            >
              Notes…
            </button>
            <button
              className={buttonClass}
              aria-label={`Delete ${file}`}
              disabled={!!refusal}
              title={refusal}
              onClick={() => onDelete(b)}
            >
              Delete…
            </button>
          </span>,
        ];
      })}
    />
  );
}
