// An upload as a task: receive the page's bytes, write them over SFTP into
// the pool's directory under a temporary name, check the SHA-256 the node
// computes against ours, rename, and refresh the pool so libvirt lists it.
import { posix } from 'node:path';
import type { StoragePool } from '../../../shared/model';
import { ClusterdeckError, toErrorPayload } from '../../../shared/errors';
import { transferLine } from '../../../shared/units';
import type { HostConnection } from '../hosts/connection';
import { uploadToFile } from '../ssh/sftp-upload';
import type { TaskContext } from '../tasks/runner';
import type { UploadReceiver } from './upload-receiver';

const PAGE_WAIT_MS = 60_000;

/**
 * The node's SHA-256 of a file: OpenSSL's (about 4x faster than coreutils
 * on CPUs with SHA extensions) where installed, else sha256sum. The path is
 * an argument of the fixed script, never part of it.
 */
export function sha256Argv(path: string): string[] {
  return [
    'sh',
    '-c',
    'if command -v openssl >/dev/null 2>&1; then exec openssl dgst -sha256 -r "$1"; else exec sha256sum "$1"; fi',
    'sha256',
    path,
  ];
}

/** Rejects when the signal aborts or the time runs out, whichever is first. */
function within<T>(p: Promise<T>, signal: AbortSignal, ms: number, late: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new ClusterdeckError('timeout', late)), ms);
    const onAbort = () => reject(new ClusterdeckError('cancelled', 'The upload was cancelled.'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    });
  });
}

export async function uploadIntoPool(
  ctx: TaskContext,
  job: {
    conn: HostConnection;
    pool: StoragePool;
    name: string;
    bytes: number;
    receiver: UploadReceiver;
  },
): Promise<void> {
  const { conn, pool, name, bytes, receiver } = job;
  const node = conn.config.name;
  const final = posix.join(pool.targetPath, name);
  const tmp = posix.join(pool.targetPath, `.${name}.clusterdeck-upload`);
  ctx.setSteps([
    `${node}: Receive ${name} and write it to ${pool.targetPath}`,
    `${node}: Compare its SHA-256 with the node's`,
    `${node}: Refresh ${pool.name}`,
  ]);
  let step = 0;
  try {
    ctx.stepState(0, 'running');
    ctx.detail('Waiting for the file…');
    const source = await within(
      receiver.request,
      ctx.signal,
      PAGE_WAIT_MS,
      'The page did not start sending the file within a minute.',
    );
    const sftp = await conn.sftp();
    const started = Date.now();
    let shown = 0;
    let result;
    try {
      result = await uploadToFile(sftp, source, tmp, final, {
        signal: ctx.signal,
        onProgress: (done) => {
          const now = Date.now();
          if (now - shown < 200 && done < bytes) return;
          shown = now;
          ctx.progress((done / bytes) * 0.95);
          ctx.detail(transferLine(done, bytes, now - started));
        },
      });
    } finally {
      sftp.end();
    }
    const seconds = Math.max(0.001, (Date.now() - started) / 1000);
    ctx.detail(
      `${transferLine(bytes, bytes, seconds * 1000)
        .split(' · ')
        .slice(0, 2)
        .join(' · ')} · checking…`,
    );
    receiver.finish(204);
    ctx.stepState(0, 'done');

    step = 1;
    ctx.stepState(1, 'running');
    const sum = await conn.exec(sha256Argv(final), { signal: ctx.signal, log: ctx.log });
    const theirs = sum.stdout.split(' ')[0];
    if (sum.code !== 0 || theirs !== result.sha256) {
      await conn.exec(['rm', '-f', '--', final], { log: ctx.log });
      throw new ClusterdeckError(
        'command-failed',
        `${node}: ${final} does not match what was sent (SHA-256 ${theirs || 'unknown'}, expected ${result.sha256}); it was removed. Upload it again.`,
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
    ctx.detail(
      `${transferLine(bytes, bytes, seconds * 1000)
        .split(' · ')
        .slice(0, 2)
        .join(' · ')} · SHA-256 ${result.sha256.slice(0, 16)}… matches`,
    );
  } catch (err) {
    ctx.stepState(step, 'failed');
    const p = toErrorPayload(err);
    receiver.finish(p.code === 'cancelled' ? 499 : 500, p.message);
    if (p.code === 'cancelled') ctx.detail('Cancelled; nothing was left on the node.');
    throw err;
  }
}
