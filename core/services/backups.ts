// Backups: the cluster's backup jobs read through one of its nodes, created,
// changed, deleted and run now as tasks; a guest's backups, one guest backed
// up now; a backup restored as a new guest, after a plan that reads the
// archive's config and the next free id; an archive deleted (after the
// renderer's confirmation), (un)protected or its notes set, each a task. The stack does the work (the
// driver's `backups`, capability 'backups'); this keeps the app's side:
// which node, which task, refusals in the app's words.
import type { RestoreSpec } from '../../shared/backups';
import { ClusterdeckError } from '../../shared/errors';
import { hasCapability } from '../../shared/model';
import type { Backups } from '../drivers/capabilities';
import { taskTarget } from '../tasks/runner';
import { vmOrThrow, type ServiceContext } from './context';
import type { HandlersOf } from './handlers';

/** An archive's file name, `vzdump-qemu-100-….vma.zst`, for task titles. */
const fileOf = (volid: string): string => volid.split('/').pop() ?? volid;

export class BackupService {
  constructor(private readonly ctx: ServiceContext) {}

  readonly handlers: HandlersOf<
    | 'backupOverview'
    | 'saveBackupJob'
    | 'deleteBackupJob'
    | 'runBackupJob'
    | 'guestBackups'
    | 'backupGuestNow'
    | 'planRestore'
    | 'restoreBackup'
    | 'deleteBackup'
    | 'protectBackup'
    | 'backupNotes'
    | 'setBackupNotes'
  > = {
    backupOverview: async ({ hostId }) => this.of(hostId).backups.overview(),
    saveBackupJob: async ({ hostId, id, job }) => {
      const { backups, name } = this.of(hostId);
      return this.task(id ? `Change backup job ${id}` : 'New backup job', name, (t) =>
        backups.saveJob(id, job, t),
      );
    },
    deleteBackupJob: async ({ hostId, id }) => {
      const { backups, name } = this.of(hostId);
      return this.task(`Delete backup job ${id}`, name, (t) => backups.deleteJob(id, t));
    },
    runBackupJob: async ({ hostId, id }) => {
      const { backups, name } = this.of(hostId);
      return this.task(`Run backup job ${id}`, name, (t) => backups.runJob(id, t));
    },
    guestBackups: async ({ vmId }) => {
      const vm = vmOrThrow(this.ctx, vmId);
      return this.of(vm.hostId).backups.guestBackups(vm);
    },
    backupGuestNow: async (spec) => {
      const vm = vmOrThrow(this.ctx, spec.vmId);
      const { backups } = this.of(vm.hostId);
      return this.task(
        `Back up ${vm.name}`,
        taskTarget(vm.placement?.primary ?? '?', vm.name),
        (t) => backups.backupGuest(vm, spec, t),
      );
    },
    planRestore: async ({ hostId, volid, node }) =>
      this.of(hostId).backups.restorePlan(volid, node),
    restoreBackup: async (spec) => this.restore(spec),
    deleteBackup: async (ref) => {
      const { backups } = this.of(ref.hostId);
      const file = fileOf(ref.volid);
      return this.task(`Delete backup ${file}`, taskTarget(ref.node, file), (t) =>
        backups.deleteBackup(ref, t),
      );
    },
    protectBackup: async ({ protected: on, ...ref }) => {
      const { backups } = this.of(ref.hostId);
      const file = fileOf(ref.volid);
      return this.task(
        `${on ? 'Protect' : 'Unprotect'} backup ${file}`,
        taskTarget(ref.node, file),
        (t) => backups.protectBackup(ref, on, t),
      );
    },
    backupNotes: async (ref) => ({ notes: await this.of(ref.hostId).backups.backupNotes(ref) }),
    setBackupNotes: async ({ notes, ...ref }) => {
      const { backups } = this.of(ref.hostId);
      const file = fileOf(ref.volid);
      return this.task(`Notes of backup ${file}`, taskTarget(ref.node, file), (t) =>
        backups.setBackupNotes(ref, notes, t),
      );
    },
  };

  /** The node's stack's backups, or why there are none. */
  private of(hostId: string): { backups: Backups; name: string } {
    const host = this.ctx.store.get('hosts', hostId);
    if (!host) throw new ClusterdeckError('not-found', 'That node is no longer added.');
    if (host.state !== 'connected')
      throw new ClusterdeckError('disconnected', `${host.name} is not connected.`);
    const backups = hasCapability(host, 'backups')
      ? this.ctx.connection(hostId).getDriver().backups
      : undefined;
    if (!backups)
      throw new ClusterdeckError(
        'unsupported',
        `Clusterdeck does not manage backups on ${host.name}'s stack.`,
      );
    return { backups, name: host.name };
  }

  /** A guest id already taken is PVE's to refuse (its words shown in the task). */
  private restore(spec: RestoreSpec): { taskId: string } {
    const { backups } = this.of(spec.hostId);
    const file = fileOf(spec.volid);
    return this.task(`Restore ${file} as ${spec.vmid}`, taskTarget(spec.node, file), (t) =>
      backups.restore(spec, t),
    );
  }

  private task(
    title: string,
    target: string,
    work: Parameters<ServiceContext['tasks']['start']>[2],
  ): { taskId: string } {
    return { taskId: this.ctx.tasks.start(title, target, work) };
  }
}
