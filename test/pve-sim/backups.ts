// Backups as pve-manager and vzdump keep them: the cluster's backup jobs
// (/etc/pve/jobs.cfg behind /cluster/backup), the backup archives on the
// storages that hold `backup` content (listed by the storage's content call,
// their config read by vzdump/extractconfig). vzdump itself (the worker that
// writes archives and prunes) is backup-run.ts; restore is backup-restore.ts;
// backup-routes.ts puts them into the route table.
import { flag, paramError, PveError, requireNode, type Ctx, type Handler } from './context';
import { storageOn } from './content';
import { splitList } from './formats';
import { configText, type ClusterState, type ConfigValue, type GuestKind } from './state';

/** One archive on a storage: `<storage>:backup/vzdump-<kind>-<vmid>-<date>.<ext>`. */
export interface SimBackup {
  volid: string;
  storage: string;
  /** The node whose local storage holds it; on every node of a shared storage when undefined. */
  node?: string;
  vmid: number;
  kind: GuestKind;
  ctime: number;
  size: number;
  format: string;
  notes?: string;
  protected?: boolean;
  /** The guest's config as it was backed up (the archive's qemu-server.conf / pct.conf). */
  config: Record<string, ConfigValue>;
}

export interface BackupState {
  /** Job id -> its options as jobs.cfg keeps them (strings and numbers, as sent). */
  jobs: Map<string, Record<string, ConfigValue>>;
  archives: SimBackup[];
}

/**
 * The cluster's backups, seeded on first use where the seed's NFS storage is
 * (a cluster, not a fresh node): one nightly job and two archives of VM 100.
 */
export function backupsOf(state: ClusterState): BackupState {
  if (state.backups) return state.backups;
  const now = Math.floor(Date.now() / 1000);
  const seeded = state.storages.some((s) => s.storage === 'nfs-shared');
  const web = seeded ? state.guests.get(100) : undefined;
  const archives: SimBackup[] = [];
  if (web)
    for (const daysAgo of [2, 1]) {
      const ctime = now - daysAgo * 86_400;
      archives.push({
        volid: `nfs-shared:backup/${archiveName('qemu', 100, ctime, 'zstd')}`,
        storage: 'nfs-shared',
        vmid: 100,
        kind: 'qemu',
        ctime,
        size: 1_873_215_488 + daysAgo * 1_048_576,
        format: 'vma.zst',
        notes: String(web.config.name ?? ''),
        config: { ...web.config },
      });
    }
  state.backups = {
    jobs: new Map(
      seeded
        ? [
            [
              'backup-7c1a2f3e-9b41',
              {
                schedule: '02:30',
                storage: 'nfs-shared',
                all: 1,
                mode: 'snapshot',
                compress: 'zstd',
                enabled: 1,
                'prune-backups': 'keep-daily=7,keep-weekly=4',
                comment: 'Nightly, every guest',
                'notes-template': '{{guestname}}',
              },
            ],
          ]
        : [],
    ),
    archives,
  };
  return state.backups;
}

const pad = (n: number): string => String(n).padStart(2, '0');

const EXT: Record<string, string> = {
  zstd: '.zst',
  gzip: '.gz',
  '1': '.lzo',
  lzo: '.lzo',
  '0': '',
};

/** vzdump's file name: `vzdump-qemu-100-2026_12_01-02_30_00.vma.zst` (the node's local time; UTC here). */
export function archiveName(
  kind: GuestKind,
  vmid: number,
  ctime: number,
  compress: string,
): string {
  const d = new Date(ctime * 1000);
  const date = `${d.getUTCFullYear()}_${pad(d.getUTCMonth() + 1)}_${pad(d.getUTCDate())}-${pad(d.getUTCHours())}_${pad(d.getUTCMinutes())}_${pad(d.getUTCSeconds())}`;
  return `vzdump-${kind}-${vmid}-${date}.${kind === 'qemu' ? 'vma' : 'tar'}${EXT[compress] ?? ''}`;
}

/** The archives a node sees on a storage (its own local ones, all of a shared one). */
export function archivesOn(ctx: Ctx, node: string, storage: string): SimBackup[] {
  return backupsOf(ctx.sim.state).archives.filter(
    (a) => a.storage === storage && (!a.node || a.node === node),
  );
}

/** The archive a volid names, as the node sees it, or PVE's refusal. */
export function archiveOf(ctx: Ctx, node: string, volid: string): SimBackup {
  const storage = volid.split(':')[0] ?? '';
  storageOn(ctx, node, storage);
  const a = archivesOn(ctx, node, storage).find((x) => x.volid === volid);
  if (!a) throw new PveError(500, `volume '${volid}' does not exist\n`);
  return a;
}

/** prune-backups as an object (PVE's answers parse the property string). */
export function pruneObject(value: ConfigValue | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of String(value ?? '').split(',')) {
    const [k, v] = part.split('=');
    if (k && v !== undefined && /^keep-(all|last|hourly|daily|weekly|monthly|yearly)$/.test(k))
      out[k] = Number(v);
  }
  return out;
}

/** What PVE's verify_vzdump_parameters refuses: both or neither of all and vmid; a bad prune-backups. */
export function checkSelection(params: Record<string, unknown>, creating: boolean): void {
  const all = flag(params.all);
  if (all && params.vmid !== undefined && params.vmid !== '')
    throw paramError({ all: "option conflicts with option 'vmid'" });
  if (creating && !all && !params.vmid && !params.pool)
    throw paramError({ vmid: 'property is missing and it is not optional' });
  if (params['prune-backups'] !== undefined) {
    const text = String(params['prune-backups']);
    const keys = text.split(',').filter(Boolean);
    const parsed = pruneObject(text);
    if (keys.length !== Object.keys(parsed).length || Object.values(parsed).some((n) => !(n >= 0)))
      throw paramError({ 'prune-backups': `value '${text}' does not look like valid options` });
    if (parsed['keep-all'] === 1 && keys.length > 1)
      throw paramError({
        'prune-backups': 'keep-all cannot be set together with other options.',
      });
  }
}

/** The next start of a `HH:MM` (daily) schedule; other calendar events get tomorrow's same time. */
function nextRun(schedule: string): number {
  const m = /(\d{1,2}):(\d{2})$/.exec(schedule);
  const now = new Date();
  const next = new Date(now);
  next.setUTCSeconds(0, 0);
  next.setUTCHours(Number(m?.[1] ?? 0), Number(m?.[2] ?? 0));
  if (next <= now) next.setUTCDate(next.getUTCDate() + 1);
  return Math.floor(next.getTime() / 1000);
}

/** A job as GET /cluster/backup answers it: typed values, prune-backups as an object. */
function jobView(id: string, job: Record<string, ConfigValue>): Record<string, unknown> {
  const out: Record<string, unknown> = { id, type: 'vzdump' };
  for (const [k, v] of Object.entries(job)) {
    if (k === 'prune-backups') out[k] = pruneObject(v);
    else if (['all', 'enabled', 'protected', 'remove', 'repeat-missed'].includes(k))
      out[k] = Number(v) ? 1 : 0;
    else if (['bwlimit', 'ionice', 'lockwait', 'pigz', 'stopwait', 'zstd'].includes(k))
      out[k] = Number(v);
    else out[k] = String(v);
  }
  if (Number(job.enabled ?? 1) && job.schedule) out['next-run'] = nextRun(String(job.schedule));
  return out;
}

function jobOf(ctx: Ctx): Record<string, ConfigValue> {
  const job = backupsOf(ctx.sim.state).jobs.get(String(ctx.params.id));
  if (!job) throw new PveError(500, `job '${String(ctx.params.id)}' does not exist\n`);
  return job;
}

/** A job's options from a create/update call (everything but id, delete, digest). */
function jobValues(params: Record<string, unknown>): Record<string, ConfigValue> {
  const out: Record<string, ConfigValue> = {};
  for (const [k, v] of Object.entries(params)) {
    if (k === 'id' || k === 'delete' || k === 'digest' || v === undefined) continue;
    out[k] = typeof v === 'boolean' ? (v ? 1 : 0) : (v as ConfigValue);
  }
  // PVE converts the old starttime/dow pair into a calendar event.
  if (out.starttime !== undefined) {
    const dow = out.dow ? `${String(out.dow)} ` : '';
    out.schedule = `${dow}${String(out.starttime)}`;
    delete out.starttime;
    delete out.dow;
  }
  return out;
}

let jobCounter = 0;

function newJobId(): string {
  const hex = (n: number, w: number) => n.toString(16).padStart(w, '0');
  jobCounter++;
  return `backup-${hex(Date.now() & 0xffffffff, 8)}-${hex(jobCounter & 0xffff, 4)}`;
}

export const backupJobRoutes: Record<string, Handler> = {
  'GET /cluster/backup': (ctx) =>
    [...backupsOf(ctx.sim.state).jobs].map(([id, job]) => jobView(id, job)),
  'GET /cluster/backup/{id}': (ctx) => jobView(String(ctx.params.id), jobOf(ctx)),
  'POST /cluster/backup': (ctx) => {
    const { jobs } = backupsOf(ctx.sim.state);
    checkSelection(ctx.params, true);
    if (ctx.params.schedule === undefined && ctx.params.starttime === undefined)
      throw paramError({ schedule: 'property is missing and it is not optional' });
    const id = ctx.params.id === undefined ? newJobId() : String(ctx.params.id);
    if (jobs.has(id)) throw new PveError(500, `Job '${id}' already exists\n`);
    if (ctx.params.node !== undefined) requireNode(ctx);
    if (ctx.params.storage !== undefined)
      storageOn(
        ctx,
        String(ctx.params.node ?? ctx.sim.state.nodes[0]!.name),
        String(ctx.params.storage),
      );
    jobs.set(id, jobValues(ctx.params));
    return null;
  },
  'PUT /cluster/backup/{id}': (ctx) => {
    const job = jobOf(ctx);
    const values = jobValues(ctx.params);
    const next = { ...job, ...values };
    for (const key of splitList(String(ctx.params.delete ?? ''))) {
      if (values[key] !== undefined)
        throw new PveError(500, `cannot set and delete '${key}' at the same time\n`);
      delete next[key];
    }
    // all=1 replaces a vmid list and the other way round, as the GUI's edit does it.
    if (values.vmid !== undefined) delete next.all;
    if (flag(values.all)) delete next.vmid;
    checkSelection(next, true);
    backupsOf(ctx.sim.state).jobs.set(String(ctx.params.id), next);
    return null;
  },
  'DELETE /cluster/backup/{id}': (ctx) => {
    jobOf(ctx);
    backupsOf(ctx.sim.state).jobs.delete(String(ctx.params.id));
    return null;
  },
  'GET /nodes/{node}/vzdump/extractconfig': (ctx) => {
    const node = requireNode(ctx);
    return configText(archiveOf(ctx, node.name, String(ctx.params.volume)).config);
  },
};

/**
 * The storage's content with its backup archives, as the storage plugin
 * lists them: applied to the route table (cluster.ts), so content.ts stays
 * about images and templates.
 */
export function withBackupContent(routes: Record<string, Handler>): void {
  const key = 'GET /nodes/{node}/storage/{storage}/content';
  const plain = routes[key];
  if (plain)
    routes[key] = (ctx) => {
      const listed = plain(ctx) as Record<string, unknown>[];
      const only = ctx.params.content ? String(ctx.params.content) : undefined;
      const vmid = ctx.params.vmid === undefined ? undefined : Number(ctx.params.vmid);
      const storage = storageOn(ctx, String(ctx.params.node), String(ctx.params.storage));
      if (!storage.content.split(',').includes('backup') || (only && only !== 'backup'))
        return listed;
      const backups = archivesOn(ctx, String(ctx.params.node), storage.storage)
        .filter((a) => vmid === undefined || a.vmid === vmid)
        .map((a) => ({
          volid: a.volid,
          content: 'backup',
          format: a.format,
          size: a.size,
          ctime: a.ctime,
          vmid: a.vmid,
          ...(a.notes ? { notes: a.notes.split('\n')[0] } : {}),
          ...(a.protected ? { protected: 1 } : {}),
        }));
      return [...listed, ...backups];
    };
}
