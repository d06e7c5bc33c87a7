// An upload as a task: receive the page's bytes, write them over SFTP into
// the pool's directory under a temporary name, check the SHA-256 the node
// computes against ours, rename, and refresh the pool so libvirt lists it.
import { posix } from 'node:path';
import type { StoragePool } from '../../shared/model';
import { ClusterdeckError, toErrorPayload } from '../../shared/errors';
import { transferLine } from '../../shared/units';
import type { HostConnection } from '../hosts/connection';
import { checkedUpload } from './checked-upload';
import type { TaskContext } from '../tasks/runner';
import type { ByteSource } from './slab-source';
import type { UploadReceiver } from './upload-receiver';

/**
 * Rejects when the signal aborts. (A page that never comes is the receiver's
 * to time out: it closes and rejects its request.)
 */
function unlessCancelled<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new ClusterdeckError('cancelled', 'The upload was cancelled.'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Where the bytes come from: the page (the browser shell, or a file dropped
 * on the page) PUTs them to a loopback receiver; a file chosen in the desktop
 * app's own dialog is read from disk here, straight into the pieces SFTP writes.
 */
export type UploadSource =
  { kind: 'page'; receiver: UploadReceiver } | { kind: 'file'; path: string };

export async function uploadIntoPool(
  ctx: TaskContext,
  job: {
    conn: HostConnection;
    pool: StoragePool;
    name: string;
    bytes: number;
    source: UploadSource;
  },
): Promise<void> {
  const { conn, pool, name, bytes } = job;
  const receiver = job.source.kind === 'page' ? job.source.receiver : undefined;
  const node = conn.config.name;
  const final = posix.join(pool.targetPath, name);
  const tmp = posix.join(pool.targetPath, `.${name}.clusterdeck-upload`);
  ctx.setSteps([
    `${node}: ${receiver ? 'Receive' : 'Read'} ${name} and write it to ${pool.targetPath}`,
    `${node}: Compare its SHA-256 with the node's`,
    `${node}: Refresh ${pool.name}`,
  ]);
  let step = 0;
  /** "200 MiB of 200 MiB · 180 MiB/s" once everything is written. */
  const summary = (ms: number) =>
    transferLine(bytes, bytes, ms).split(' · ').slice(0, 2).join(' · ');
  try {
    ctx.stepState(0, 'running');
    ctx.detail(receiver ? 'Waiting for the file…' : 'Reading the file…');
    const source: ByteSource = receiver
      ? { stream: await unlessCancelled(receiver.request, ctx.signal) }
      : { path: (job.source as { path: string }).path };
    const sftp = await conn.sftp();
    const started = Date.now();
    let shown = 0;
    let writtenMs = 0;
    let result;
    try {
      result = await checkedUpload({
        exec: (argv, opts) => conn.exec(argv, opts),
        sftp,
        source,
        bytes,
        tmpPath: tmp,
        finalPath: final,
        signal: ctx.signal,
        log: ctx.log,
        onProgress: (done) => {
          const now = Date.now();
          if (now - shown < 200 && done < bytes) return;
          shown = now;
          ctx.progress((done / bytes) * 0.95);
          ctx.detail(transferLine(done, bytes, now - started));
        },
        onWritten: () => {
          writtenMs = Math.max(1, Date.now() - started);
          receiver?.finish(204);
          ctx.stepState(0, 'done');
          step = 1;
          ctx.stepState(1, 'running');
          ctx.detail(`${summary(writtenMs)} · checking…`);
        },
      });
    } finally {
      sftp.end();
    }
    if (result.nodeSha256 !== result.sha256) {
      await conn.exec(['rm', '-f', '--', final], { log: ctx.log });
      throw new ClusterdeckError(
        'command-failed',
        `${node}: ${final} does not match what was sent (SHA-256 ${result.nodeSha256 || 'unknown'}, expected ${result.sha256}); it was removed. Upload it again.`,
      );
    }
    ctx.stepState(1, 'done');

    step = 2;
    ctx.stepState(2, 'running');
    const driver = conn.getDriver();
    for (const s of driver.poolActionSteps(pool, 'refresh')) {
      await conn.exec(s.argv, { signal: ctx.signal, log: ctx.log });
    }
    await driver.refresh('pools');
    ctx.stepState(2, 'done');
    ctx.detail(`${summary(writtenMs)} · SHA-256 ${result.sha256.slice(0, 16)}… matches`);
  } catch (err) {
    ctx.stepState(step, 'failed');
    const p = toErrorPayload(err);
    receiver?.finish(p.code === 'cancelled' ? 499 : 500, p.message);
    if (p.code === 'cancelled') ctx.detail('Cancelled; nothing was left on the node.');
    throw err;
  }
}
