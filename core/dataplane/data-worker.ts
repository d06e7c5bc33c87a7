// The main thread's side of a node's data worker (worker-entry.ts): starts
// the thread, which logs in on its own connection accepting only the host
// key the main session accepted, hands it consoles and uploads, and ends it
// after a while without work. The main thread then moves none of their bytes:
// it keeps the tasks, their steps and the command log.
import { Worker } from 'node:worker_threads';
import { ClusterdeckError, type ErrorPayload } from '../../shared/errors';
import type { CommandRecord } from '../../shared/model';
import type { ConsoleBridge } from '../consoles/bridge';
import type { CheckedResult } from '../transfers/checked-upload';
import { dataWorkerScript } from './locate';
import type { ConsoleJob, DataLogin, FromWorker, ToWorker, UploadJob } from './protocol';

/** A worker without consoles or uploads for this long ends (and its connection). */
export const DATA_WORKER_IDLE_MS = 60_000;

/** How long a worker whose connection dropped lets its jobs end by themselves. */
const RETIRE_MS = 7_000;

const fromPayload = (e: ErrorPayload) => new ClusterdeckError(e.code, e.message);

/** What an upload's task hears while the worker moves the bytes. */
export interface UploadHooks {
  signal: AbortSignal;
  log?: (rec: CommandRecord) => void;
  /** Bytes began to flow (the page's request came, or the file is being read). */
  onStarted?: () => void;
  onProgress: (bytes: number) => void;
  onWritten?: () => void;
}

export interface WorkerUpload {
  /** Where the page PUTs its bytes (a page source only). */
  url: Promise<string>;
  /** Runs the upload's hooks until its result; once only. */
  run(hooks: UploadHooks): Promise<CheckedResult>;
  cancel(): void;
}

type Listener = (m: FromWorker) => void;

export class DataWorker {
  private readonly listeners = new Map<number, Listener>();
  private nextId = 1;
  private idle: NodeJS.Timeout | undefined;
  /** Takes no new work (its connection dropped, or it ended). */
  private gone = false;
  private ended = false;

  private constructor(
    private readonly worker: Worker,
    /** The node's name, for every message. */
    private readonly label: string,
    private readonly idleMs: number,
  ) {}

  /** Starts a worker and waits until it has logged in; rejects with the reason it could not. */
  static start(login: DataLogin, idleMs = DATA_WORKER_IDLE_MS): Promise<DataWorker> {
    const worker = new Worker(dataWorkerScript(), { workerData: login });
    return new Promise((resolve, reject) => {
      const failed = (err: Error) => {
        off();
        void worker.terminate();
        reject(err);
      };
      const stopped = () =>
        failed(new Error(`${login.target.label}: the data worker stopped while logging in.`));
      const first = (m: FromWorker) => {
        off();
        if (m.t === 'ready') {
          const w = new DataWorker(worker, login.target.label, idleMs);
          w.listen();
          resolve(w);
        } else if (m.t === 'login-failed') failed(fromPayload(m.error));
        else failed(new Error(`The data worker said ${m.t} first.`));
      };
      const off = () => {
        worker.off('error', failed);
        worker.off('exit', stopped);
        worker.off('message', first);
      };
      worker.on('error', failed);
      worker.on('exit', stopped);
      worker.on('message', first);
    });
  }

  private listen(): void {
    this.worker.on('message', (m: FromWorker) => {
      if (m.t === 'dropped') this.retire();
      else if ('id' in m) this.listeners.get(m.id)?.(m);
    });
    this.worker.on('error', (err) => this.end(err));
    this.worker.on('exit', () => this.end(new Error(`${this.label}: the data worker stopped.`)));
    this.armIdle();
  }

  /** Whether it ended (idle, its connection dropped, closed): a new one is then needed. */
  get isGone(): boolean {
    return this.gone;
  }

  close(): void {
    this.end(
      new ClusterdeckError(
        'disconnected',
        `${this.label}: the connection for consoles and uploads was closed.`,
      ),
    );
  }

  /**
   * Its connection dropped: new work goes to a new worker, while this one's
   * consoles close their pages' sockets normally (each display's channel
   * ended: bridge.ts gives that a few seconds) and its uploads fail with
   * their own reason; then it ends.
   */
  private retire(): void {
    this.gone = true;
    clearTimeout(this.idle);
    setTimeout(
      () =>
        this.end(
          new ClusterdeckError(
            'disconnected',
            `${this.label}: the connection for consoles and uploads closed.`,
          ),
        ),
      RETIRE_MS,
    ).unref();
  }

  private end(why: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.gone = true;
    clearTimeout(this.idle);
    void this.worker.terminate();
    // Every job still listening hears why it ended.
    const error = {
      code: why instanceof ClusterdeckError ? why.code : 'disconnected',
      message: why.message,
    } as ErrorPayload;
    for (const [id, l] of this.listeners) l({ t: 'job-failed', id, error });
    this.listeners.clear();
  }

  private armIdle(): void {
    clearTimeout(this.idle);
    if (this.listeners.size > 0 || this.gone) return;
    this.idle = setTimeout(() => this.close(), this.idleMs);
    this.idle.unref();
  }

  /** Sends a job; `listener` hears its messages until `done` is called. */
  private send(m: (id: number) => ToWorker, listener: Listener): { id: number; done(): void } {
    if (this.gone)
      throw new ClusterdeckError('disconnected', `${this.label}: the data worker has ended.`);
    const id = this.nextId++;
    clearTimeout(this.idle);
    this.listeners.set(id, listener);
    this.worker.postMessage(m(id));
    return {
      id,
      done: () => {
        this.listeners.delete(id);
        this.armIdle();
      },
    };
  }

  private stop(id: number): void {
    if (!this.ended) this.worker.postMessage({ t: 'stop', id } satisfies ToWorker);
  }

  /** A console bridge run by the worker: its URL is the worker's loopback WebSocket. */
  openConsole(job: ConsoleJob): Promise<ConsoleBridge> {
    return new Promise((resolve, reject) => {
      let resolveClosed!: () => void;
      const closed = new Promise<void>((r) => (resolveClosed = r));
      const sent = this.send(
        (id) => ({ t: 'console', id, job }),
        (m) => {
          if (m.t === 'console-open') {
            resolve({
              url: m.url,
              port: m.port,
              closed,
              close: () => {
                this.stop(sent.id);
                return closed;
              },
            });
          } else if (m.t === 'console-closed' || m.t === 'job-failed') {
            sent.done();
            resolveClosed();
            if (m.t === 'job-failed') reject(fromPayload(m.error));
          }
        },
      );
    });
  }

  /** A checked upload run by the worker on its own connection. */
  upload(job: UploadJob): WorkerUpload {
    let hooks: UploadHooks | undefined;
    let urlIs!: { resolve: (url: string) => void; reject: (e: Error) => void };
    let settle!: { resolve: (r: CheckedResult) => void; reject: (e: Error) => void };
    const url = new Promise<string>((resolve, reject) => (urlIs = { resolve, reject }));
    url.catch(() => undefined);
    const result = new Promise<CheckedResult>((resolve, reject) => (settle = { resolve, reject }));
    result.catch(() => undefined);
    let progress = 0;
    let started = false;
    /** Command records that came before the task listened. */
    const early: CommandRecord[] = [];
    let written = false;
    const sent = this.send(
      (id) => ({ t: 'upload', id, job }),
      (m) => {
        switch (m.t) {
          case 'upload-url':
            return urlIs.resolve(m.url);
          case 'upload-started':
            started = true;
            return hooks?.onStarted?.();
          case 'progress':
            progress = m.bytes;
            return hooks?.onProgress(m.bytes);
          case 'written':
            written = true;
            return hooks?.onWritten?.();
          case 'log':
            if (hooks) return hooks.log?.(m.rec);
            return void early.push(m.rec);
          case 'upload-done':
            sent.done();
            return settle.resolve({ sha256: m.sha256, nodeSha256: m.nodeSha256 });
          case 'job-failed':
            sent.done();
            urlIs.reject(fromPayload(m.error));
            return settle.reject(fromPayload(m.error));
        }
      },
    );
    const cancel = () => this.stop(sent.id);
    return {
      url,
      cancel,
      run: (h) => {
        hooks = h;
        // What happened before the task listened is told now.
        if (started) h.onStarted?.();
        if (progress) h.onProgress(progress);
        if (written) h.onWritten?.();
        for (const rec of early.splice(0)) h.log?.(rec);
        if (h.signal.aborted) cancel();
        h.signal.addEventListener('abort', cancel, { once: true });
        return result.finally(() => h.signal.removeEventListener('abort', cancel));
      },
    };
  }
}
