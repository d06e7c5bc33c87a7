// Every mutating action is a Task: visible progress, cancel, and a log of
// each remote command exactly as it ran. Tasks live in the inventory, so the
// renderer receives them as patches like everything else.
import { randomUUID } from 'node:crypto';
import type { CommandRecord, Task, TaskStepState } from '../../../shared/model';
import { ClusterdeckError, toErrorPayload } from '../../../shared/errors';
import type { InventoryStore } from '../inventory/store';

export interface TaskContext {
  signal: AbortSignal;
  log: (rec: CommandRecord) => void;
  progress: (fraction: number) => void;
  /** Names the steps the task will take, all pending. */
  setSteps: (titles: string[]) => void;
  stepState: (index: number, state: TaskStepState) => void;
  detail: (text: string) => void;
}

const MAX_FINISHED_TASKS = 200;

export class TaskRunner {
  private readonly controllers = new Map<string, AbortController>();

  constructor(private readonly store: InventoryStore) {}

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
      log: [],
    };
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
      stepState: (index, state) =>
        update({ steps: (task.steps ?? []).map((s, i) => (i === index ? { ...s, state } : s)) }),
    };
    void work(ctx)
      .then(
        () => update({ state: 'succeeded', progress: 1, endedAt: Date.now() }),
        (err: unknown) => {
          const p = toErrorPayload(err);
          update({
            state: p.code === 'cancelled' || controller.signal.aborted ? 'cancelled' : 'failed',
            error: p.message,
            endedAt: Date.now(),
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

  clearFinished(): void {
    for (const t of this.store.all('tasks'))
      if (t.state !== 'running') this.store.del('tasks', t.id);
  }

  private prune(): void {
    const finished = this.store
      .all('tasks')
      .filter((t) => t.state !== 'running')
      .sort((a, b) => a.startedAt - b.startedAt);
    for (const t of finished.slice(0, Math.max(0, finished.length - MAX_FINISHED_TASKS))) {
      this.store.del('tasks', t.id);
    }
  }
}
