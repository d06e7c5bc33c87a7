// Worker tasks as PVE runs them: a real UPID string, a log written while the
// task runs, an end with exitstatus "OK" or the error, cancel by DELETE.
// Durations are configurable and a test can make the next task of a type fail.

export interface Task {
  upid: string;
  node: string;
  pid: number;
  pstart: number;
  starttime: number;
  type: string;
  id: string;
  user: string;
  status: 'running' | 'stopped';
  exitstatus?: string;
  endtime?: number;
  log: string[];
}

export interface TaskWork {
  /** Lines the worker writes while it runs (one per step). */
  lines: string[];
  /** Applied at the end; throwing fails the task with that message. */
  finish: () => void;
  /** Milliseconds the worker waits after its last line before it ends (a shutdown no guest answers). */
  holdMs?: number;
  /** Undoes what the start of the task did (a lock, a half-made guest) when it fails or is cancelled. */
  abort?: () => void;
  /** Called as the line at this index is written (what that step does: a container stopped). */
  onLine?: (index: number) => void;
}

/** A worker run by its caller (TaskEngine.begin). */
export interface OpenTask {
  upid: string;
  log(line: string): void;
  /** 'OK' or the error; a second end is ignored. */
  end(exitstatus: string): void;
  running(): boolean;
}

const hex8 = (n: number): string => n.toString(16).toUpperCase().padStart(8, '0');

export function makeUpid(t: Omit<Task, 'upid' | 'status' | 'log'>): string {
  return `UPID:${t.node}:${hex8(t.pid)}:${hex8(t.pstart)}:${hex8(t.starttime)}:${t.type}:${t.id}:${t.user}:`;
}

/** PVE's upid_decode: the fields of a UPID, or undefined when it does not parse. */
export function parseUpid(
  upid: string,
): { node: string; pid: number; type: string; id: string; user: string } | undefined {
  const m =
    /^UPID:([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):([^:\s]+):([^:\s]*):([^:\s]+):$/.exec(
      upid,
    );
  if (!m) return undefined;
  return { node: m[1]!, pid: parseInt(m[3]!, 16), type: m[6]!, id: m[7]!, user: m[8]! };
}

export class TaskEngine {
  private readonly tasks = new Map<string, Task>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly aborts = new Map<string, () => void>();
  private readonly failures = new Map<string, string[]>();
  private nextPid = 0x2f1a0 + Math.floor(Math.random() * 0x1000);
  /** Milliseconds between two log lines (a task of n lines takes about n steps). */
  stepMs: number;

  constructor(stepMs = 50) {
    this.stepMs = stepMs;
  }

  /** Test hook: the next task of this type (e.g. 'qmstart') ends with this error. */
  failNext(type: string, message: string): void {
    this.failures.set(type, [...(this.failures.get(type) ?? []), message]);
  }

  get(upid: string): Task | undefined {
    return this.tasks.get(upid);
  }

  list(node: string): Task[] {
    return [...this.tasks.values()]
      .filter((t) => t.node === node)
      .sort((a, b) => b.starttime - a.starttime);
  }

  start(node: string, type: string, id: string, user: string, work: TaskWork): string {
    const starttime = Math.floor(Date.now() / 1000);
    const fields = {
      node,
      pid: this.nextPid++,
      pstart: Math.floor(process.uptime() * 100) + 1_000_000,
      starttime,
      type,
      id,
      user,
    };
    const upid = makeUpid(fields);
    const task: Task = { ...fields, upid, status: 'running', log: [] };
    this.tasks.set(upid, task);
    if (work.abort) this.aborts.set(upid, work.abort);
    const failure = this.failures.get(type)?.shift();
    const lines = [...work.lines];
    const step = (): void => {
      const line = lines.shift();
      if (line !== undefined) {
        work.onLine?.(work.lines.length - lines.length - 1);
        task.log.push(line);
        const last = lines.length === 0;
        this.timers.set(upid, setTimeout(step, this.stepMs + (last ? (work.holdMs ?? 0) : 0)));
        return;
      }
      try {
        if (failure) throw new Error(failure);
        work.finish();
        this.end(task, 'OK');
      } catch (err) {
        work.abort?.();
        this.end(task, (err as Error).message);
      }
    };
    this.timers.set(upid, setTimeout(step, this.stepMs));
    return upid;
  }

  /**
   * A worker whose end its caller decides (a vncproxy waiting for its one
   * connection): log lines as they happen, `end('OK')` or the error.
   */
  begin(node: string, type: string, id: string, user: string, onCancel?: () => void): OpenTask {
    const upid = this.start(node, type, id, user, { lines: [], finish: () => {} });
    // start() queued the end of an empty worker: this one ends when told.
    clearTimeout(this.timers.get(upid));
    this.timers.delete(upid);
    const task = this.tasks.get(upid)!;
    if (onCancel) this.aborts.set(upid, onCancel);
    return {
      upid,
      log: (line) => void (task.status === 'running' && task.log.push(line)),
      end: (exitstatus) => {
        if (task.status === 'running') this.end(task, exitstatus);
      },
      running: () => task.status === 'running',
    };
  }

  /** DELETE on a task: a running worker is stopped as by a signal. */
  cancel(upid: string): void {
    const task = this.tasks.get(upid);
    if (!task || task.status !== 'running') return;
    clearTimeout(this.timers.get(upid));
    this.aborts.get(upid)?.();
    this.end(task, 'interrupted by signal');
  }

  private end(task: Task, exitstatus: string): void {
    this.timers.delete(task.upid);
    this.aborts.delete(task.upid);
    task.log.push(exitstatus === 'OK' ? 'TASK OK' : `TASK ERROR: ${exitstatus}`);
    task.status = 'stopped';
    task.exitstatus = exitstatus;
    task.endtime = Math.floor(Date.now() / 1000);
  }

  /** Stops every timer (the server's close). */
  stopAll(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
