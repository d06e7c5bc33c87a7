// Backups on Proxmox VE: the cluster's backup jobs (/cluster/backup), run
// now as PVE's own "Run now" does it (vzdump on each node with the job's
// options, the guests that node holds: vzdump answers "OK" instead of a
// task where it holds none), the archives on the storages that hold
// `backup` content (a shared one read once, a local one on each node), one
// guest backed up now, and restore as a new guest (qmrestore: POST qemu
// with `archive`; vzrestore: POST lxc with the backup as `ostemplate` and
// `restore=1`), its summary read from the archive (vzdump/extractconfig);
// an archive deleted, (un)protected or its notes edited (backup-volumes.ts).
// Every worker is followed by UPID (tasks.ts), the cluster read again after.
import type {
  BackupRef,
  BackupJobSpec,
  BackupNow,
  BackupOverview,
  BackupVolume,
  GuestBackups,
  RestorePlan,
  RestoreSpec,
} from '../../../shared/backups';
import { ClusterdeckError } from '../../../shared/errors';
import type { Vm } from '../../../shared/model';
import { runAsOneStep } from '../../tasks/one-step';
import type { TaskContext } from '../../tasks/runner';
import type { Backups } from '../capabilities';
import type { PveApiClient } from './api-client';
import { jobParams, parseJob, vzdumpOptions } from './backup-jobs';
import {
  backupVolumeNotes,
  deleteBackupVolume,
  protectBackupVolume,
  setBackupVolumeNotes,
} from './backup-volumes';
import { parseClusterResources, type PveResources, type PveStorage } from './parse';
import { runWorker } from './tasks';

type Row = Record<string, unknown>;

export interface PveBackupsDeps {
  api: () => PveApiClient;
  guestOf: (vm: Vm) => { node: string; vmid: number; type: 'qemu' | 'lxc' };
  /** Reads the cluster again (a restored guest shows up). */
  load: () => Promise<unknown>;
  taskPollMs?: number;
}

const kindOfVolid = (volid: string): 'vm' | 'container' | undefined =>
  /\/vzdump-qemu-/.test(volid) ? 'vm' : /\/vzdump-lxc-/.test(volid) ? 'container' : undefined;

/** Storages that hold backups, each with the online nodes it is on. */
function backupStorages(res: PveResources): { storage: PveStorage; nodes: string[] }[] {
  const online = new Set(res.nodes.filter((n) => n.online).map((n) => n.name));
  const byId = new Map<string, { storage: PveStorage; nodes: string[] }>();
  for (const s of res.storages) {
    if (!s.content.includes('backup') || !online.has(s.node)) continue;
    const e = byId.get(s.storage) ?? { storage: s, nodes: [] };
    e.nodes.push(s.node);
    byId.set(s.storage, e);
  }
  return [...byId.values()];
}

function toVolume(row: Row, storage: PveStorage, node: string): BackupVolume | undefined {
  const volid = String(row.volid ?? '');
  const kind = kindOfVolid(volid);
  if (!kind || typeof row.vmid !== 'number') return undefined;
  return {
    volid,
    storage: storage.storage,
    node,
    shared: storage.shared,
    vmid: row.vmid,
    kind,
    ctime: typeof row.ctime === 'number' ? row.ctime : 0,
    size: typeof row.size === 'number' ? row.size : 0,
    format: String(row.format ?? ''),
    ...(typeof row.notes === 'string' && row.notes ? { notes: row.notes } : {}),
    protected: row.protected === 1 || row.protected === true,
  };
}

/** The lines of a guest config (`key: value`), the current section only (no snapshots). */
function configLines(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('[')) break;
    const m = /^([a-z][a-z0-9_-]*):\s*(.*)$/i.exec(line);
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

/** What the restore dialog shows of the archive's config. */
export function restoreSummary(kind: 'vm' | 'container', text: string): [string, string][] {
  const c = configLines(text);
  const disk = /^(scsi|virtio|sata|ide|efidisk|tpmstate|rootfs|mp)\d*$/;
  const rows: [string, string][] = [
    ['Name', c.get(kind === 'vm' ? 'name' : 'hostname') ?? '(none)'],
    ['CPUs', `${Number(c.get('cores') ?? 1) * Number(c.get('sockets') ?? 1)}`],
    ['Memory', `${c.get('memory') ?? (kind === 'vm' ? 512 : 512)} MiB`],
  ];
  for (const [k, v] of c)
    if (disk.test(k) && !v.includes('media=cdrom')) rows.push([`Disk ${k}`, v.split(',')[0]!]);
  for (const [k, v] of c) if (/^net\d+$/.test(k)) rows.push([`Network ${k}`, v]);
  return rows;
}

export class PveBackups implements Backups {
  constructor(private readonly d: PveBackupsDeps) {}

  private async resources(): Promise<PveResources> {
    return parseClusterResources(await this.d.api().get('/cluster/resources'));
  }

  /** The archives on each backup storage: a shared one read on one node, a local one on each. */
  private async volumes(res: PveResources, vmid?: number, node?: string): Promise<BackupVolume[]> {
    const reads: Promise<BackupVolume[]>[] = [];
    for (const { storage, nodes } of backupStorages(res)) {
      const on = node
        ? nodes.filter((n) => n === node)
        : storage.shared
          ? nodes.slice(0, 1)
          : nodes;
      for (const n of on)
        reads.push(
          this.d
            .api()
            .get<Row[]>(`/nodes/${n}/storage/${storage.storage}/content`, {
              content: 'backup',
              ...(vmid !== undefined ? { vmid } : {}),
            })
            .then((rows) => (rows ?? []).flatMap((r) => toVolume(r, storage, n) ?? [])),
        );
    }
    return (await Promise.all(reads)).flat().sort((a, b) => b.ctime - a.ctime);
  }

  async overview(): Promise<BackupOverview> {
    const [rows, res] = await Promise.all([
      this.d.api().get<Row[]>('/cluster/backup'),
      this.resources(),
    ]);
    return {
      jobs: (rows ?? []).flatMap((r) => parseJob(r) ?? []),
      storages: backupStorages(res).map(({ storage, nodes }) => ({
        id: storage.storage,
        shared: storage.shared,
        nodes,
      })),
      guests: res.guests
        .filter((g) => !g.template)
        .map((g) => ({
          vmid: g.vmid,
          name: g.name,
          node: g.node,
          kind: g.kind === 'qemu' ? ('vm' as const) : ('container' as const),
        })),
      backups: await this.volumes(res),
    };
  }

  async saveJob(id: string | undefined, job: BackupJobSpec, ctx: TaskContext): Promise<void> {
    const call = { log: ctx.log, signal: ctx.signal };
    await this.step(ctx, id ? `Change backup job ${id}` : 'Create the backup job', () =>
      id
        ? this.d.api().set(`/cluster/backup/${id}`, jobParams(job, true), call)
        : this.d.api().create('/cluster/backup', jobParams(job, false), call),
    );
  }

  async deleteJob(id: string, ctx: TaskContext): Promise<void> {
    await this.step(ctx, `Delete backup job ${id}`, () =>
      this.d.api().delete(`/cluster/backup/${id}`, {}, { log: ctx.log, signal: ctx.signal }),
    );
  }

  /**
   * Run now: the job's options on each online node that holds guests it
   * names (all: every online node), one vzdump worker each, one after another.
   */
  async runJob(id: string, ctx: TaskContext): Promise<void> {
    const [row, res] = await Promise.all([
      this.d.api().get<Row>(`/cluster/backup/${id}`),
      this.resources(),
    ]);
    const job = parseJob({ ...(row ?? {}), id });
    if (!job) throw new ClusterdeckError('not-found', `Backup job ${id} is gone.`);
    // A job limited to one node runs there only, as PVE's scheduler runs it.
    const online = res.nodes
      .filter((n) => n.online && (!job.node || n.name === job.node))
      .map((n) => n.name);
    const runs = online.flatMap((node): { node: string; vmids?: number[] }[] => {
      if (job.spec.all) return [{ node }];
      const mine = res.guests
        .filter((g) => g.node === node && job.spec.vmids.includes(g.vmid))
        .map((g) => g.vmid);
      return mine.length ? [{ node, vmids: mine }] : [];
    });
    if (!runs.length)
      throw new ClusterdeckError(
        'invalid-state',
        `No online node holds a guest that backup job ${id} names.`,
      );
    ctx.setSteps(runs.map((r) => `Back up on ${r.node}`));
    const options = {
      ...vzdumpOptions(job.spec),
      'prune-backups': retentionParam(job.spec),
      ...(job.spec.notesTemplate ? { 'notes-template': job.spec.notesTemplate } : {}),
    };
    for (const [i, r] of runs.entries()) {
      ctx.stepState(i, 'running');
      try {
        await runWorker(
          this.d.api(),
          `/nodes/${r.node}/vzdump`,
          r.vmids ? { vmid: r.vmids.join(','), ...options } : { all: 1, ...options },
          ctx,
          this.d.taskPollMs,
        );
        ctx.stepState(i, 'done');
      } catch (err) {
        ctx.stepState(i, 'failed');
        throw err;
      }
    }
  }

  async guestBackups(vm: Vm): Promise<GuestBackups> {
    const g = this.d.guestOf(vm);
    const res = await this.resources();
    const kind = g.type === 'qemu' ? 'vm' : 'container';
    const backups = (await this.volumes(res, g.vmid)).filter((b) => b.kind === kind);
    return {
      backups,
      storages: backupStorages(res)
        .filter((s) => s.nodes.includes(g.node))
        .map((s) => s.storage.storage),
    };
  }

  async backupGuest(vm: Vm, spec: BackupNow, ctx: TaskContext): Promise<void> {
    const g = this.d.guestOf(vm);
    await this.step(ctx, `Back up ${vm.name} (${g.vmid}) to ${spec.storage}`, () =>
      runWorker(
        this.d.api(),
        `/nodes/${g.node}/vzdump`,
        { vmid: String(g.vmid), ...vzdumpOptions(spec) },
        ctx,
        this.d.taskPollMs,
      ),
    );
  }

  async restorePlan(volid: string, node: string): Promise<RestorePlan> {
    const kind = kindOfVolid(volid);
    if (!kind) throw new ClusterdeckError('invalid-input', `${volid} is not a vzdump backup.`);
    const [config, nextVmid, res] = await Promise.all([
      this.d.api().get<string>(`/nodes/${node}/vzdump/extractconfig`, { volume: volid }),
      this.d.api().get<number | string>('/cluster/nextid'),
      this.resources(),
    ]);
    const needs = kind === 'vm' ? 'images' : 'rootdir';
    return {
      kind,
      nextVmid: Number(nextVmid),
      summary: restoreSummary(kind, String(config ?? '')),
      storages: res.storages
        .filter((s) => s.node === node && s.content.includes(needs))
        .map((s) => s.storage),
    };
  }

  async restore(spec: RestoreSpec, ctx: TaskContext): Promise<void> {
    const kind = kindOfVolid(spec.volid);
    if (!kind) throw new ClusterdeckError('invalid-input', `${spec.volid} is not a vzdump backup.`);
    const common = {
      vmid: spec.vmid,
      ...(spec.storage ? { storage: spec.storage } : {}),
      // A copy next to the original must not share its MAC addresses.
      unique: 1,
      ...(spec.start ? { start: 1 } : {}),
    };
    const params =
      kind === 'vm'
        ? { ...common, archive: spec.volid }
        : { ...common, ostemplate: spec.volid, restore: 1 };
    const what = kind === 'vm' ? 'VM' : 'container';
    await this.step(
      ctx,
      `Restore ${spec.volid.split('/').pop()} as ${what} ${spec.vmid} on ${spec.node}`,
      () =>
        runWorker(
          this.d.api(),
          `/nodes/${spec.node}/${kind === 'vm' ? 'qemu' : 'lxc'}`,
          params,
          ctx,
          this.d.taskPollMs,
        ),
    );
    await this.d.load().catch(() => undefined);
  }

  async deleteBackup(backup: BackupRef, ctx: TaskContext): Promise<void> {
    await deleteBackupVolume(this.d.api(), backup, ctx, this.d.taskPollMs);
  }

  async protectBackup(backup: BackupRef, on: boolean, ctx: TaskContext): Promise<void> {
    await protectBackupVolume(this.d.api(), backup, on, ctx);
  }

  backupNotes(backup: BackupRef): Promise<string> {
    return backupVolumeNotes(this.d.api(), backup);
  }

  async setBackupNotes(backup: BackupRef, notes: string, ctx: TaskContext): Promise<void> {
    await setBackupVolumeNotes(this.d.api(), backup, notes, ctx);
  }

  /** One call or worker as the task's one step. */
  private async step(ctx: TaskContext, title: string, run: () => Promise<unknown>): Promise<void> {
    await runAsOneStep(ctx, title, run);
  }
}

/** The job's retention as vzdump takes it (keep-all=1: none). */
function retentionParam(spec: BackupJobSpec): string {
  return jobParams(spec, false)['prune-backups'] as string;
}
