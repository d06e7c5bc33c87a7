// vzdump as the API runs it (`POST /nodes/{node}/vzdump`): the guests the
// node holds of those asked for (none of them: PVE's "silent exit", the
// answer "OK" instead of a task), then one worker that backs them up one
// after another, a step per phase, writes each archive into the storage's
// content and applies the retention (prune-backups) to that guest's
// archives. A storage without `backup` content fails the worker as vzdump
// does; a guest that cannot be backed up fails the job ("job errors").
import { flag, PveError, requireNode, type Ctx, type Handler } from './context';
import { storageOn } from './content';
import { splitList } from './formats';
import { archiveName, backupsOf, checkSelection, pruneObject, type SimBackup } from './backups';
import { diskOf, type Guest } from './state';
import type { OpenTask } from './tasks';

const FORMAT_EXT: Record<string, string> = { zstd: '.zst', gzip: '.gz', lzo: '.lzo', '1': '.lzo' };

/** PVE's retention buckets: the ctime's hour, day, ISO week, month, year (UTC here). */
function bucketOf(option: string, ctime: number): string {
  const d = new Date(ctime * 1000);
  const y = d.getUTCFullYear();
  const ymd = `${y}/${d.getUTCMonth() + 1}/${d.getUTCDate()}`;
  switch (option) {
    case 'keep-last':
      return String(ctime);
    case 'keep-hourly':
      return `${ymd}/${d.getUTCHours()}`;
    case 'keep-daily':
      return ymd;
    case 'keep-weekly': {
      // ISO week: the Thursday of the ctime's week decides the year.
      const t = new Date(Date.UTC(y, d.getUTCMonth(), d.getUTCDate()));
      t.setUTCDate(t.getUTCDate() + 3 - ((t.getUTCDay() + 6) % 7));
      const week1 = new Date(Date.UTC(t.getUTCFullYear(), 0, 4));
      const week = 1 + Math.round((t.getTime() - week1.getTime()) / (7 * 86_400_000));
      return `${t.getUTCFullYear()}/${week}`;
    }
    case 'keep-monthly':
      return `${y}/${d.getUTCMonth() + 1}`;
    default:
      return String(y);
  }
}

const OPTIONS = [
  'keep-last',
  'keep-hourly',
  'keep-daily',
  'keep-weekly',
  'keep-monthly',
  'keep-yearly',
];

/**
 * PVE::Storage::prune_mark_backup_group: newest first, each option keeps
 * the newest archive of its next N buckets not yet kept; protected archives
 * are never removed nor counted; what no option keeps is removed. Returns
 * the archives removed (keep-all, or no option: none).
 */
export function pruneGroup(group: SimBackup[], retention: Record<string, number>): SimBackup[] {
  if (retention['keep-all'] || !OPTIONS.some((o) => retention[o])) return [];
  const list = [...group].sort((a, b) => b.ctime - a.ctime);
  const mark = new Map<SimBackup, 'keep' | 'remove' | 'protected'>();
  for (const a of list) if (a.protected) mark.set(a, 'protected');
  for (const option of OPTIONS) {
    const count = retention[option];
    if (!count) continue;
    const already = new Set(
      list.filter((a) => mark.get(a) === 'keep').map((a) => bucketOf(option, a.ctime)),
    );
    const fresh = new Set<string>();
    for (const a of list) {
      const id = bucketOf(option, a.ctime);
      if (mark.has(a) || already.has(id)) continue;
      if (!fresh.has(id)) {
        if (fresh.size >= count) break;
        fresh.add(id);
        mark.set(a, 'keep');
      } else mark.set(a, 'remove');
    }
  }
  return list.filter((a) => !mark.has(a) || mark.get(a) === 'remove');
}

/** Where a storage keeps its dumps on the node (dir: its path; network storages: /mnt/pve/<id>). */
export function dumpDir(storage: { storage: string; type: string }): string {
  return storage.storage === 'local' ? '/var/lib/vz/dump' : `/mnt/pve/${storage.storage}/dump`;
}

const stamp = (): string => new Date().toISOString().replace('T', ' ').slice(0, 19);

interface Run {
  ctx: Ctx;
  task: OpenTask;
  node: string;
  vmids: number[];
  /** The guest being backed up, whose lock a cancel releases. */
  current?: Guest;
}

function notesOf(ctx: Ctx, template: unknown, g: Guest, node: string): string | undefined {
  if (template === undefined) return undefined;
  const name = String(g.kind === 'qemu' ? (g.config.name ?? '') : (g.config.hostname ?? ''));
  return String(template)
    .replaceAll('{{guestname}}', name)
    .replaceAll('{{vmid}}', String(g.vmid))
    .replaceAll('{{node}}', node)
    .replaceAll('{{cluster}}', ctx.sim.state.name ?? '')
    .replaceAll('\\n', '\n');
}

/** One guest's backup: lock, archive written, retention applied. False when it failed. */
async function backUp(run: Run, vmid: number, step: () => Promise<boolean>): Promise<boolean> {
  const { ctx, task, node } = run;
  const p = ctx.params;
  const g = ctx.sim.state.guests.get(vmid);
  if (!g) {
    task.log(
      `ERROR: Backup of VM ${vmid} failed - unable to find configuration file for VM ${vmid} on node '${node}'`,
    );
    return false;
  }
  if (g.lock) {
    task.log(`ERROR: Backup of VM ${vmid} failed - VM is locked (${g.lock})`);
    return false;
  }
  const mode = String(p.mode ?? 'snapshot');
  const compress = String(p.compress ?? '0');
  const storage = storageOn(ctx, node, String(p.storage ?? 'local'));
  task.log(`INFO: Starting Backup of VM ${vmid} (${g.kind})`);
  task.log(`INFO: Backup started at ${stamp()}`);
  task.log(`INFO: status = ${g.status}`);
  task.log(`INFO: backup mode: ${mode}`);
  g.lock = 'backup';
  run.current = g;
  // stop mode shuts a running guest down for the copy and starts it again; suspend pauses it.
  const interrupts = g.status === 'running' && mode !== 'snapshot';
  if (interrupts)
    task.log(mode === 'stop' ? 'INFO: stopping virtual guest' : 'INFO: suspending guest');
  const { backups } = { backups: backupsOf(ctx.sim.state) };
  let ctime = Math.floor(Date.now() / 1000);
  // Two archives of one guest in one second would share a name: vzdump's names are per second.
  while (backups.archives.some((a) => a.vmid === vmid && a.ctime === ctime)) ctime++;
  const name = archiveName(g.kind, vmid, ctime, compress);
  task.log(`INFO: creating vzdump archive '${dumpDir(storage)}/${name}'`);
  if (!(await step())) return false;
  delete g.lock;
  run.current = undefined;
  if (interrupts) task.log(mode === 'stop' ? 'INFO: restarting vm' : 'INFO: resuming guest');
  const size = Math.max(1_048_576, Math.floor(diskOf(g) * 0.07));
  const notes = notesOf(ctx, p['notes-template'], g, node);
  const archive: SimBackup = {
    volid: `${storage.storage}:backup/${name}`,
    storage: storage.storage,
    ...(storage.shared ? {} : { node }),
    vmid,
    kind: g.kind,
    ctime,
    size,
    format: `${g.kind === 'qemu' ? 'vma' : 'tar'}${FORMAT_EXT[compress] ?? ''}`,
    ...(notes ? { notes } : {}),
    ...(flag(p.protected) ? { protected: true } : {}),
    config: { ...g.config },
  };
  backups.archives.push(archive);
  task.log(`INFO: archive file size: ${(size / 1024 ** 3).toFixed(2)}GB`);
  if (notes) task.log(`INFO: adding notes to backup`);
  task.log(`INFO: Finished Backup of VM ${vmid} (00:00:0${Math.min(9, 1 + (vmid % 5))})`);
  task.log(`INFO: Backup finished at ${stamp()}`);
  const retention = pruneObject(p['prune-backups'] as string | undefined);
  if (Number(p.remove ?? 1) && Object.keys(retention).length && !retention['keep-all']) {
    task.log(`INFO: prune older backups with retention: ${String(p['prune-backups'])}`);
    const group = backups.archives.filter(
      (a) =>
        a.storage === storage.storage &&
        a.vmid === vmid &&
        a.kind === g.kind &&
        (!a.node || a.node === node),
    );
    const removed = pruneGroup(group, retention);
    for (const a of removed) task.log(`INFO: removing backup '${a.volid}'`);
    backups.archives = backups.archives.filter((a) => !removed.includes(a));
    task.log(`INFO: pruned ${removed.length} backup(s)`);
  }
  return true;
}

async function runJob(run: Run): Promise<void> {
  const { ctx, task, node } = run;
  const sleep = () => new Promise((r) => setTimeout(r, ctx.sim.tasks.stepMs));
  const step = async () => {
    await sleep();
    return task.running();
  };
  const storageId = String(ctx.params.storage ?? 'local');
  task.log(
    `INFO: starting new backup job: vzdump ${run.vmids.join(' ')} --storage ${storageId} --mode ${String(ctx.params.mode ?? 'snapshot')} --node ${node}`,
  );
  if (!(await step())) return;
  const storage = storageOn(ctx, node, storageId);
  if (!storage.content.split(',').includes('backup')) {
    task.end(`storage '${storageId}' does not support backups`);
    return;
  }
  let failed = 0;
  for (const vmid of run.vmids) {
    if (!task.running()) return;
    if (!(await backUp(run, vmid, step))) {
      if (!task.running()) return;
      failed++;
    }
  }
  if (failed) {
    task.end('job errors');
    return;
  }
  task.log('INFO: Backup job finished successfully');
  task.end('OK');
}

function vzdump(ctx: Ctx): string {
  const node = requireNode(ctx);
  checkSelection(ctx.params, true);
  const { guests } = ctx.sim.state;
  const storageId = String(ctx.params.storage ?? 'local');
  if (!ctx.sim.state.storages.some((s) => s.storage === storageId))
    throw new PveError(500, `storage '${storageId}' does not exist\n`);
  let vmids: number[];
  if (flag(ctx.params.all)) {
    const exclude = new Set(splitList(String(ctx.params.exclude ?? '')).map(Number));
    vmids = [...guests.values()]
      .filter((g) => g.node === node.name && !exclude.has(g.vmid))
      .map((g) => g.vmid)
      .sort((a, b) => a - b);
  } else {
    // Guests on other nodes are skipped; ids that exist nowhere fail visibly here.
    vmids = splitList(String(ctx.params.vmid ?? ''))
      .map(Number)
      .filter((id) => (guests.get(id)?.node ?? node.name) === node.name);
    // PVE: "silent exit if specified VMs run on other nodes".
    if (!vmids.length) return 'OK';
  }
  const run: Run = { ctx, task: undefined as unknown as OpenTask, node: node.name, vmids };
  run.task = ctx.sim.tasks.begin(
    node.name,
    'vzdump',
    vmids.length === 1 ? String(vmids[0]) : '',
    ctx.user,
    () => {
      if (run.current) delete run.current.lock;
    },
  );
  void runJob(run).catch((err: Error) => run.task.end(err.message.trim()));
  return run.task.upid;
}

export const vzdumpRoutes: Record<string, Handler> = {
  'POST /nodes/{node}/vzdump': vzdump,
};
