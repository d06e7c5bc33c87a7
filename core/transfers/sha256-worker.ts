// SHA-256 of an upload's bytes on a worker thread. On a loaded machine the
// main thread is what limits an upload (it also encrypts every SSH packet
// and writes it to the socket); hashing there took about a quarter of its
// time (135 ms per 200 MiB, measured). The bytes are not copied: they sit in
// a SharedArrayBuffer both threads see (slab-source.ts), and a slab is
// filled again only once the worker says it has hashed it. That memory is
// sent once; each slab is then just its offset and length (posting the
// SharedArrayBuffer with every slab cost the main thread 70 ms per 200 MiB).
import { Worker } from 'node:worker_threads';

// Inline, so the main process's bundle needs no second entry point to find.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { workerData: memory } = require('node:worker_threads');
const hash = require('node:crypto').createHash('sha256');
parentPort.on('message', (m) => {
  if (m === 'digest') parentPort.postMessage(hash.digest('hex'));
  else {
    hash.update(new Uint8Array(memory, m[0], m[1]));
    parentPort.postMessage('hashed');
  }
});
`;

export class Sha256Worker {
  private readonly worker: Worker;
  /** Answers in the order asked: the worker handles messages one by one. */
  private readonly waiting: { resolve: (m: string) => void; reject: (e: Error) => void }[] = [];
  private failed: Error | undefined;

  /** Hashes bytes lying in `memory` only. */
  constructor(private readonly memory: SharedArrayBuffer) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: memory });
    this.worker.on('message', (m: string) => this.waiting.shift()?.resolve(m));
    const fail = (err: Error) => {
      this.failed ??= err;
      for (const w of this.waiting.splice(0)) w.reject(err);
    };
    this.worker.on('error', fail);
    this.worker.on('exit', () => fail(new Error('The SHA-256 worker stopped.')));
  }

  /** Why the worker stopped, once it has (every later call fails with it). */
  get failure(): Error | undefined {
    return this.failed;
  }

  private ask(message: unknown): Promise<string> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.worker.postMessage(message);
    });
  }

  /** Hashes the next bytes; resolves once they may be overwritten. */
  async update(bytes: Uint8Array): Promise<void> {
    if (bytes.buffer !== this.memory) {
      throw new Error('Sha256Worker hashes bytes in the memory it was given only.');
    }
    await this.ask([bytes.byteOffset, bytes.byteLength]);
  }

  /** The hash of every byte given so far, as hex. */
  digest(): Promise<string> {
    return this.ask('digest');
  }

  close(): void {
    void this.worker.terminate();
  }
}
