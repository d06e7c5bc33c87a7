// A list of backup archives with a Restore button each (the cluster's
// Backups tab and a guest's), newest first.
import type { BackupVolume } from '../../../shared/backups';
import { formatBytes } from '../../../shared/units';
import { buttonClass } from '../../ui/Dialog';
import { Table } from '../../ui/Facts';
import { dateTime } from './backupTask';

export function BackupsTable({
  caption,
  backups,
  guestName,
  onRestore,
}: {
  caption: string;
  backups: BackupVolume[];
  guestName: (b: BackupVolume) => string;
  onRestore: (b: BackupVolume) => void;
}) {
  return (
    <Table
      caption={caption}
      head={['Guest', 'Taken', 'Storage', 'Size', 'Notes', '']}
      rows={backups.map((b) => [
        guestName(b),
        dateTime(b.ctime),
        b.shared ? b.storage : `${b.storage} on ${b.node}`,
        formatBytes(b.size),
        b.notes ?? '',
        <button
          key="r"
          className={buttonClass}
          aria-label={`Restore ${b.volid.split('/').pop()}`}
          onClick={() => onRestore(b)}
        >
          Restore…
        </button>,
      ])}
    />
  );
}
