// Every mutating action is a Task: visible progress, cancel, and a log of
// each remote command exactly as it ran. Tasks live in the inventory, so the
// renderer receives them as patches like everything else.
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import type { CommandRecord, Task, TaskOffer, TaskStepState, VmJob } from '../../shared/model';
import type { PlanStepView } from '../../shared/storage';
import { ClusterdeckError, toErrorPayload } from '../../shared/errors';
import type { InventoryStore } from '../inventory/store';

export interface TaskContext {
  signal: AbortSignal;
  log: (rec: CommandRecord) => void;
  progress: (fraction: number) => void;
  /** Names the steps the task will take, all pending. */
  setSteps: (titles: string[]) => void;
  stepState: (index: number, state: TaskStepState) => void;
  detail: (text: string) => void;
  /** Marks the VM the task works on now (none: undefined); it shows and locks while the task runs. */
  vmJob: (job: VmJob | undefined) => void;
  /** The VMs the task will move after the current one (locked while they wait). */
  vmQueue: (jobs: VmJob[]) => void;
  /**
   * What Undo would do if the task ends failed or cancelled: the commands
   * shown, and the work that runs them. Dropped when the task succeeds,
   * unless `afterSuccess` (a change that has an exact inverse: an eject, a
   * link set down) keeps it offered then too.
   */
  offerUndo: (
    shown: PlanStepView[],
    work: (ctx: TaskContext) => Promise<void>,
    opts?: { afterSuccess?: boolean },
  ) => void;
  /** What the user may do instead if the task fails (Force off after a shutdown that timed out). */
  offer: (offer: TaskOffer) => void;
}

const MAX_FINISHED_TASKS = 200;

/**
 * A task's target in the one format the Tasks pane shows: the node (or
 * nodes) it runs on, then the object it works on: "node1 / lab-tiny-1".
 */
export function taskTarget(node: string, object?: string): string {
  return object ? `${node} / ${object}` : node;
}

/** Who runs Clusterdeck on this machine: the user every task is recorded as started by. */
export function localUser(): string {
  try {
    return userInfo().username;
  } catch {
    // No passwd entry (some containers): the environment still names the user.
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

export class TaskRunner {
  private readonly controllers = new Map<string, AbortController>();
  /** The undo work of failed tasks, by task id, until it runs or the task is cleared. */
  private readonly undos = new Map<string, (ctx: TaskContext) => Promise<void>>();

  constructor(
    private readonly store: InventoryStore,
    private readonly user: string = localUser(),
  ) {}

  /** Starts the work and returns the task id at once; the outcome arrives as patches. */
  start(title: string, target: string, work: (ctx: TaskContext) => Promise<void>): string {
    const id = randomUUID();
    const controller = new AbortController();
    this.controllers.set(id, controller);
    let task: Task = {
      id,
      title,
      target,
      state: 'running',
      progress: 0,
      startedAt: Date.now(),
      user: this.user,
      log: [],
    };
    let offer: TaskOffer | undefined;
    let undo:
      | { shown: PlanStepView[]; work: (ctx: TaskContext) => Promise<void>; afterSuccess?: boolean }
      | undefined;
    const update = (patch: Partial<Task>) => {
      task = { ...task, ...patch };
      this.store.put('tasks', id, task);
    };
    update({});
    const ctx: TaskContext = {
      signal: controller.signal,
      log: (rec) => update({ log: [...task.log, rec] }),
      progress: (f) => update({ progress: Math.max(0, Math.min(1, f)) }),
      setSteps: (titles) => update({ steps: titles.map((title) => ({ title, state: 'pending' })) }),
      detail: (text) => update({ detail: text }),
      vmJob: (job) => {
        const { vmJob: _old, ...rest } = task;
        task = job ? { ...rest, vmJob: job } : rest;
        update({});
      },
      vmQueue: (jobs) => {
        const { vmQueue: _old, ...rest } = task;
        task = jobs.length ? { ...rest, vmQueue: jobs } : rest;
        update({});
      },
      stepState: (index, state) =>
        update({ steps: (task.steps ?? []).map((s, i) => (i === index ? { ...s, state } : s)) }),
      offerUndo: (shown, work, opts) =>
        (undo = { shown, work, ...(opts?.afterSuccess ? { afterSuccess: true } : {}) }),
      offer: (o) => (offer = o),
    };
    void work(ctx)
      .then(
        () => {
          const keep = undo?.afterSuccess && undo.shown.length ? undo : undefined;
          if (keep) this.undos.set(id, keep.work);
          update({
            state: 'succeeded',
            progress: 1,
            endedAt: Date.now(),
            ...(keep ? { undo: keep.shown } : {}),
          });
        },
        (err: unknown) => {
          const p = toErrorPayload(err);
          if (undo?.shown.length) this.undos.set(id, undo.work);
          update({
            state: p.code === 'cancelled' || controller.signal.aborted ? 'cancelled' : 'failed',
            error: p.message,
            endedAt: Date.now(),
            ...(undo?.shown.length ? { undo: undo.shown } : {}),
            ...(offer ? { offer } : {}),
          });
        },
      )
      .finally(() => {
        this.controllers.delete(id);
        this.prune();
      });
    return id;
  }

  cancel(id: string): void {
    const c = this.controllers.get(id);
    if (!c) throw new ClusterdeckError('not-found', 'That task has already finished.');
    c.abort();
  }

  /** Runs a failed task's undo as a task of its own; it is offered once. */
  undo(id: string): string {
    const work = this.undos.get(id);
    const task = this.store.get('tasks', id);
    if (!work || !task) throw new ClusterdeckError('not-found', 'That task has nothing to undo.');
    this.undos.delete(id);
    const { undo: _done, ...rest } = task;
    this.store.put('tasks', id, rest);
    return this.start(`Undo: ${task.title}`, task.target, work);
  }

  clearFinished(): void {
    for (const t of this.store.all('tasks')) if (t.state !== 'running') this.forget(t.id);
  }

  private forget(id: string): void {
    this.undos.delete(id);
    this.store.del('tasks', id);
  }

  private prune(): void {
    const finished = this.store
      .all('tasks')
      .filter((t) => t.state !== 'running')
      .sort((a, b) => a.startedAt - b.startedAt);
    for (const t of finished.slice(0, Math.max(0, finished.length - MAX_FINISHED_TASKS))) {
      this.forget(t.id);
    }
  }
}
