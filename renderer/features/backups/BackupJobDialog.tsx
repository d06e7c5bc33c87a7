// New backup job and Edit: schedule, storage, which guests (all or the ones
// ticked), mode, compression, retention (keep last/daily/weekly/monthly),
// enabled, comment and the backups' notes. Checked with the contract's own
// schema before it is sent; Save starts the task that creates or changes it.
import { useState } from 'react';
import {
  BACKUP_COMPRESSIONS,
  BACKUP_MODES,
  BACKUP_MODE_LABELS,
  backupJobSpecSchema,
  type BackupJobSpec,
  type BackupOverview,
  type Retention,
} from '../../../shared/backups';
import { Dialog, buttonClass, primaryButtonClass } from '../../ui/Dialog';
import { Checkbox, RadioGroup, Select, TextField } from '../../ui/forms';

const RETENTION: [keyof Retention, string][] = [
  ['keepLast', 'Keep last'],
  ['keepDaily', 'Keep daily'],
  ['keepWeekly', 'Keep weekly'],
  ['keepMonthly', 'Keep monthly'],
];

export function newJobSpec(overview: BackupOverview): BackupJobSpec {
  return {
    schedule: '21:00',
    storage: overview.storages.find((s) => s.shared)?.id ?? overview.storages[0]?.id ?? 'local',
    all: true,
    vmids: [],
    mode: 'snapshot',
    compress: 'zstd',
    retention: { keepLast: 3 },
    enabled: true,
    comment: '',
    notesTemplate: '{{guestname}}',
  };
}

export function BackupJobDialog({
  overview,
  id,
  initial,
  onSave,
  onClose,
}: {
  overview: BackupOverview;
  /** The job edited; undefined for a new one. */
  id?: string;
  initial: BackupJobSpec;
  onSave: (job: BackupJobSpec) => void;
  onClose: () => void;
}) {
  const [spec, setSpec] = useState<BackupJobSpec>(initial);
  const [counts, setCounts] = useState<Record<keyof Retention, string>>(
    () =>
      Object.fromEntries(RETENTION.map(([k]) => [k, String(initial.retention[k] ?? '')])) as Record<
        keyof Retention,
        string
      >,
  );
  const set = (patch: Partial<BackupJobSpec>) => setSpec((s) => ({ ...s, ...patch }));
  const retention: Retention = Object.fromEntries(
    RETENTION.filter(([k]) => counts[k].trim() !== '').map(([k]) => [k, Number(counts[k])]),
  );
  const check = backupJobSpecSchema.safeParse({ ...spec, retention });
  const errorOf = (path: string) =>
    check.success ? undefined : check.error.issues.find((i) => i.path[0] === path)?.message;
  const toggle = (vmid: number, on: boolean) =>
    set({
      vmids: on
        ? [...spec.vmids, vmid].sort((a, b) => a - b)
        : spec.vmids.filter((v) => v !== vmid),
    });

  return (
    <Dialog
      title={id ? `Edit backup job ${id}` : 'New backup job'}
      onClose={onClose}
      width="w-[40rem]"
    >
      <form
        className="max-h-[70vh] space-y-3 overflow-auto pr-1"
        onSubmit={(e) => {
          e.preventDefault();
          if (check.success) onSave(check.data);
        }}
      >
        <div className="grid grid-cols-2 gap-3">
          <TextField
            label="Schedule"
            value={spec.schedule}
            placeholder="02:30, sat 21:00, mon..fri 22:00"
            onChange={(schedule) => set({ schedule })}
            error={spec.schedule && errorOf('schedule')}
          />
          <Select
            label="Storage"
            value={spec.storage}
            onChange={(storage) => set({ storage })}
            options={overview.storages.map((s) => ({
              value: s.id,
              label: `${s.id} (${s.shared ? 'shared' : `on ${s.nodes.join(', ')}`})`,
            }))}
            emptyLabel="No storage holds backups"
          />
        </div>
        <RadioGroup
          legend="Guests"
          value={spec.all ? 'all' : 'some'}
          onChange={(v) => set({ all: v === 'all' })}
          options={[
            { value: 'all', label: 'All guests of the cluster' },
            { value: 'some', label: 'The guests ticked below' },
          ]}
          className="space-y-1"
        >
          {!spec.all && (
            <div
              role="group"
              aria-label="Guests to back up"
              className="ml-6 grid grid-cols-2 gap-1"
            >
              {overview.guests.map((g) => (
                <Checkbox
                  key={g.vmid}
                  checked={spec.vmids.includes(g.vmid)}
                  onChange={(on) => toggle(g.vmid, on)}
                >
                  {g.vmid} {g.name} ({g.kind === 'vm' ? 'VM' : 'container'} on {g.node})
                </Checkbox>
              ))}
              {errorOf('vmids') && (
                <p className="col-span-2 text-red-700 dark:text-red-400">{errorOf('vmids')}</p>
              )}
            </div>
          )}
        </RadioGroup>
        <div className="grid grid-cols-2 gap-3">
          <Select
            label="Mode"
            value={spec.mode}
            onChange={(mode) => set({ mode: mode as BackupJobSpec['mode'] })}
            options={BACKUP_MODES.map((m) => ({ value: m, label: BACKUP_MODE_LABELS[m] }))}
          />
          <Select
            label="Compression"
            value={spec.compress}
            onChange={(compress) => set({ compress: compress as BackupJobSpec['compress'] })}
            options={BACKUP_COMPRESSIONS.map((c) => ({
              value: c,
              label:
                c === 'none' ? 'None' : c === 'zstd' ? 'ZSTD (fast and good)' : c.toUpperCase(),
            }))}
          />
        </div>
        <fieldset>
          <legend className="mb-1 font-medium">Retention (empty: keep all)</legend>
          <div className="grid grid-cols-4 gap-2">
            {RETENTION.map(([k, label]) => (
              <TextField
                key={k}
                label={label}
                type="number"
                min={0}
                value={counts[k]}
                onChange={(v) => setCounts((c) => ({ ...c, [k]: v }))}
                error={
                  counts[k] !== '' &&
                  !check.success &&
                  check.error.issues.some((i) => i.path[1] === k)
                    ? 'A whole number'
                    : undefined
                }
              />
            ))}
          </div>
        </fieldset>
        <TextField
          label="Comment"
          value={spec.comment}
          onChange={(comment) => set({ comment })}
          error={errorOf('comment')}
        />
        <TextField
          label="Notes of each backup"
          value={spec.notesTemplate}
          placeholder="{{guestname}} on {{node}}"
          onChange={(notesTemplate) => set({ notesTemplate })}
          error={errorOf('notesTemplate')}
        />
        <Checkbox checked={spec.enabled} onChange={(enabled) => set({ enabled })}>
          Enabled (runs on its schedule)
        </Checkbox>
        <div className="flex justify-end gap-2 pt-2">
          <button type="button" className={buttonClass} onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className={primaryButtonClass} disabled={!check.success}>
            {id ? 'Save' : 'Create'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
