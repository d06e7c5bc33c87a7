// What the Backups views share: the task a button started, watched until it
// ends (then the view reads again), and the words for a job's options.
import { useEffect, useState } from 'react';
import type { BackupJobSpec, BackupVolume, Retention } from '../../../shared/backups';
import { errorMessage } from '../../api/bridge';
import { useInventory } from '../../state/inventory';
import { useNotices } from '../../state/notices';

/** Starts tasks; `onEnd` runs when the last one started has ended (done, failed or cancelled). */
export function useTaskEnd(onEnd: () => void) {
  const notify = useNotices((s) => s.push);
  const [taskId, setTaskId] = useState<string>();
  const ended = useInventory((s) =>
    taskId ? (s.inv.tasks[taskId]?.state ?? 'running') !== 'running' : false,
  );
  useEffect(() => {
    if (!ended) return;
    setTaskId(undefined);
    onEnd();
  }, [ended, onEnd]);
  const start = (call: () => Promise<{ taskId: string }>) =>
    void call().then(
      (r) => setTaskId(r.taskId),
      (e: unknown) => notify(errorMessage(e)),
    );
  return { start, busy: !!taskId };
}

export function retentionWords(r: Retention): string {
  const parts = [
    r.keepLast ? `last ${r.keepLast}` : '',
    r.keepDaily ? `${r.keepDaily} daily` : '',
    r.keepWeekly ? `${r.keepWeekly} weekly` : '',
    r.keepMonthly ? `${r.keepMonthly} monthly` : '',
  ].filter(Boolean);
  return parts.length ? `Keep ${parts.join(', ')}` : 'Keep all';
}

export function guestsWords(spec: BackupJobSpec): string {
  return spec.all ? 'All guests' : spec.vmids.join(', ');
}

export const dateTime = (epochSeconds: number): string =>
  new Date(epochSeconds * 1000).toLocaleString();

/** An archive's file name, `vzdump-qemu-100-….vma.zst`. */
export const archiveFile = (b: BackupVolume): string => b.volid.split('/').pop() ?? b.volid;
