// Which VMs a running task is working on, read from the tasks in the
// inventory: the tree, the General tab and the actions in the renderer and
// the backend's refusals all ask here, so they never disagree. A job lives
// exactly as long as its task runs, so nothing stale survives a crash.
import type { Host, Task, Vm } from './model';

export interface RunningVmJob {
  task: Task;
  /** "Migrating to node2" on the source's copy, "Migrating from node1" on the target's. */
  words: string;
}

/** The running job on this VM (either end of a migration, or waiting in one), if any. */
export function runningVmJob(
  tasks: Iterable<Task>,
  hosts: Readonly<Record<string, Host>>,
  vm: Pick<Vm, 'uuid' | 'hostId'>,
): RunningVmJob | undefined {
  const all = [...tasks];
  for (const task of all) {
    const job = task.vmJob;
    if (task.state !== 'running' || !job || job.vmUuid !== vm.uuid) continue;
    const name = (id: string) => hosts[id]?.name ?? 'another node';
    if (job.words) return { task, words: job.words };
    if (vm.hostId === job.fromHostId) return { task, words: `Migrating to ${name(job.toHostId)}` };
    if (vm.hostId === job.toHostId)
      return { task, words: `Migrating from ${name(job.fromHostId)}` };
  }
  // A VM a running task moves later: starting or editing it meanwhile would
  // change what that task's preflight checked.
  for (const task of all) {
    if (task.state !== 'running') continue;
    const queued = task.vmQueue?.find((q) => q.vmUuid === vm.uuid && q.fromHostId === vm.hostId);
    if (queued)
      return {
        task,
        words: `Waiting to migrate to ${hosts[queued.toHostId]?.name ?? 'another node'}`,
      };
  }
  return undefined;
}
