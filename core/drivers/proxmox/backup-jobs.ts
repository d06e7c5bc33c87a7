// A backup job as the app shows it and as /cluster/backup keeps it: the
// job's options read back (prune-backups as an object, or as PVE 8's
// property string in older answers; the old starttime/dow pair as a
// schedule), and the parameters of create and update (an update deletes
// what the form left empty, and switches between `all` and a vmid list).
import type { BackupJob, BackupJobSpec, Retention } from '../../../shared/backups';
import { BACKUP_COMPRESSIONS, BACKUP_MODES } from '../../../shared/backups';
import { splitList } from './parse';
import type { PveParams } from './pvesh';

type Row = Record<string, unknown>;

const RETENTION_KEYS: [keyof Retention, string][] = [
  ['keepLast', 'keep-last'],
  ['keepDaily', 'keep-daily'],
  ['keepWeekly', 'keep-weekly'],
  ['keepMonthly', 'keep-monthly'],
];

/** prune-backups from its object or property-string form. */
export function parseRetention(value: unknown): Retention {
  let pairs: Row = {};
  if (value && typeof value === 'object') pairs = value as Row;
  else if (typeof value === 'string')
    pairs = Object.fromEntries(value.split(',').map((p) => p.split('=') as [string, string]));
  const out: Retention = {};
  for (const [key, pve] of RETENTION_KEYS) {
    const n = Number(pairs[pve]);
    if (pairs[pve] !== undefined && Number.isInteger(n) && n >= 0) out[key] = n;
  }
  return out;
}

/** The property string PVE takes; keep-all=1 when nothing is limited. */
export function retentionText(r: Retention): string {
  const parts = RETENTION_KEYS.filter(([k]) => r[k] !== undefined && r[k] > 0).map(
    ([k, pve]) => `${pve}=${r[k]}`,
  );
  return parts.length ? parts.join(',') : 'keep-all=1';
}

const flag = (v: unknown, dflt: boolean): boolean =>
  v === undefined ? dflt : v === 1 || v === true || v === '1';

export function parseJob(row: Row): BackupJob | undefined {
  if (typeof row.id !== 'string') return undefined;
  // PVE 6's starttime/dow became a calendar event ("sat 21:00").
  const schedule =
    typeof row.schedule === 'string'
      ? row.schedule
      : typeof row.starttime === 'string'
        ? `${typeof row.dow === 'string' ? `${row.dow} ` : ''}${row.starttime}`
        : '';
  const compress = String(row.compress ?? '0');
  const mode = String(row.mode ?? 'snapshot');
  return {
    id: row.id,
    spec: {
      schedule,
      storage: typeof row.storage === 'string' ? row.storage : 'local',
      all: flag(row.all, false),
      vmids: splitList(String(row.vmid ?? ''))
        .map(Number)
        .filter((n) => Number.isInteger(n)),
      mode: (BACKUP_MODES as readonly string[]).includes(mode)
        ? (mode as BackupJobSpec['mode'])
        : 'snapshot',
      compress:
        compress === '0'
          ? 'none'
          : compress === '1'
            ? 'lzo'
            : (BACKUP_COMPRESSIONS as readonly string[]).includes(compress)
              ? (compress as BackupJobSpec['compress'])
              : 'zstd',
      retention: parseRetention(row['prune-backups']),
      enabled: flag(row.enabled, true),
      comment: typeof row.comment === 'string' ? row.comment : '',
      notesTemplate: typeof row['notes-template'] === 'string' ? row['notes-template'] : '',
    },
    ...(typeof row['next-run'] === 'number' ? { nextRun: row['next-run'] } : {}),
    ...(typeof row.node === 'string' && row.node ? { node: row.node } : {}),
  };
}

/** The vzdump options a job and a one-off backup share. */
export function vzdumpOptions(spec: {
  storage: string;
  mode: BackupJobSpec['mode'];
  compress: BackupJobSpec['compress'];
}): Record<string, string> {
  return {
    storage: spec.storage,
    mode: spec.mode,
    compress: spec.compress === 'none' ? '0' : spec.compress,
  };
}

/** POST /cluster/backup (create: `id` absent, PVE names it) or PUT /cluster/backup/{id}. */
export function jobParams(spec: BackupJobSpec, update: boolean): PveParams {
  const cleared: string[] = [];
  const text = (key: string, value: string) => {
    if (value) return value;
    if (update) cleared.push(key);
    return undefined;
  };
  const params: Record<string, string | number | undefined> = {
    schedule: spec.schedule,
    ...vzdumpOptions(spec),
    enabled: spec.enabled ? 1 : 0,
    'prune-backups': retentionText(spec.retention),
    comment: text('comment', spec.comment),
    'notes-template': text('notes-template', spec.notesTemplate),
  };
  if (spec.all) {
    params.all = 1;
    if (update) cleared.push('vmid');
  } else {
    params.vmid = spec.vmids.join(',');
    if (update) params.all = 0;
  }
  if (cleared.length) params.delete = cleared.join(',');
  return params;
}
