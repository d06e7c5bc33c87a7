// A cluster's (or a lone node's) Backups tab: its backup jobs (schedule, storage, guests, mode,
// retention, enabled, next run) with Run now, Edit and Delete (confirmed),
// New backup job, and the backups on its storages with Restore, Protect /
// Unprotect, Notes and Delete (backupActions.tsx). Read through
// a connected member whose stack offers 'backups', again after each task.
import { useCallback, useEffect, useState } from 'react';
import type { BackupJob, BackupOverview, BackupVolume } from '../../../shared/backups';
import type { Cluster } from '../../../shared/cluster';
import { hasCapability } from '../../../shared/model';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useInventory } from '../../state/inventory';
import { useUi } from '../../state/ui';
import { buttonClass, primaryButtonClass } from '../../ui/Dialog';
import { Table } from '../../ui/Facts';
import { BackupJobDialog, newJobSpec } from './BackupJobDialog';
import { BackupsTable } from './BackupsTable';
import { useBackupActions } from './backupActions';
import { RestoreDialog } from './RestoreDialog';
import { dateTime, guestsWords, retentionWords, useTaskEnd } from './backupTask';

/** `scope`: the cluster, or a lone node (its own jobs, as PVE keeps them for a node in no cluster). */
export function ClusterBackups({ scope }: { scope: Pick<Cluster, 'name' | 'hostIds'> }) {
  const hostId = useInventory((s) =>
    scope.hostIds.find((id) => {
      const h = s.inv.hosts[id];
      return h?.state === 'connected' && hasCapability(h, 'backups');
    }),
  );
  const ask = useUi((s) => s.askConfirm);
  const [overview, setOverview] = useState<BackupOverview>();
  const [error, setError] = useState('');
  const [editing, setEditing] = useState<{ job?: BackupJob }>();
  const [restoring, setRestoring] = useState<BackupVolume>();
  const read = useCallback(() => {
    if (!hostId) return;
    api.backupOverview({ hostId }).then(
      (o) => {
        setOverview(o);
        setError('');
      },
      (e: unknown) => setError(errorMessage(e)),
    );
  }, [hostId]);
  useEffect(read, [read]);
  const { start, busy } = useTaskEnd(read);
  const { onDelete, onProtect, onNotes, notesDialog } = useBackupActions(hostId, start);

  if (!hostId) return <p className="text-slate-500">No node of {scope.name} is connected.</p>;
  const guestName = (vmid: number) =>
    overview?.guests.find((g) => g.vmid === vmid)?.name ?? `guest ${vmid}`;
  const jobName = (j: BackupJob) => j.spec.comment || j.id;

  return (
    <div className="h-full space-y-4 overflow-auto">
      <div className="flex items-center gap-2">
        <button className={primaryButtonClass} disabled={!overview} onClick={() => setEditing({})}>
          New backup job…
        </button>
        <button className={buttonClass} onClick={read}>
          Refresh
        </button>
        {busy && <span className="text-slate-500">Working… (see the Tasks pane)</span>}
      </div>
      {error && (
        <p role="alert" className="text-red-700 dark:text-red-400">
          Reading the backups failed: {error}
        </p>
      )}
      {!overview && !error && <p className="text-slate-500">Reading…</p>}
      {overview && (
        <>
          <section aria-label="Backup jobs">
            <Table
              caption="Backup jobs"
              head={[
                'Job',
                'Schedule',
                'Storage',
                'Guests',
                'Mode',
                'Retention',
                'Enabled',
                'Next run',
                '',
              ]}
              rows={overview.jobs.map((j) => [
                jobName(j),
                j.spec.schedule,
                j.spec.storage,
                j.node ? `${guestsWords(j.spec)} on ${j.node}` : guestsWords(j.spec),
                j.spec.mode,
                retentionWords(j.spec.retention),
                j.spec.enabled ? 'Yes' : 'No',
                j.nextRun ? dateTime(j.nextRun) : '—',
                <span key="a" className="flex gap-1">
                  <button
                    className={buttonClass}
                    aria-label={`Run ${jobName(j)} now`}
                    onClick={() => start(() => api.runBackupJob({ hostId, id: j.id }))}
                  >
                    Run now
                  </button>
                  <button
                    className={buttonClass}
                    aria-label={`Edit ${jobName(j)}`}
                    onClick={() => setEditing({ job: j })}
                  >
                    Edit…
                  </button>
                  <button
                    className={buttonClass}
                    aria-label={`Delete ${jobName(j)}`}
                    onClick={() =>
                      ask({
                        title: `Delete the backup job ${jobName(j)}?`,
                        body: `It no longer runs (${j.spec.schedule}). The backups it made stay on ${j.spec.storage}.`,
                        confirmLabel: 'Delete job',
                        onConfirm: () => start(() => api.deleteBackupJob({ hostId, id: j.id })),
                      })
                    }
                  >
                    Delete…
                  </button>
                </span>,
              ])}
            />
          </section>
          <section aria-label="Backups">
            <BackupsTable
              caption="Backups"
              backups={overview.backups}
              guestName={(b) => `${b.vmid} ${guestName(b.vmid)}`}
              onRestore={setRestoring}
              onProtect={onProtect}
              onDelete={onDelete}
              onNotes={onNotes}
            />
          </section>
        </>
      )}
      {overview && editing && (
        <BackupJobDialog
          overview={overview}
          id={editing.job?.id}
          initial={editing.job?.spec ?? newJobSpec(overview)}
          onClose={() => setEditing(undefined)}
          onSave={(job) => {
            setEditing(undefined);
            start(() =>
              api.saveBackupJob({ hostId, ...(editing.job ? { id: editing.job.id } : {}), job }),
            );
          }}
        />
      )}
      {restoring && (
        <RestoreDialog
          hostId={hostId}
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
