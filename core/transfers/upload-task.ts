// An upload as a task: receive the page's bytes, write them over SFTP into
// the pool's directory under a temporary name, check the SHA-256 the node
// computes against ours, rename, and refresh the pool so libvirt lists it.
import { posix } from 'node:path';
import type { StoragePool } from '../../shared/model';
import { ClusterdeckError, toErrorPayload } from '../../shared/errors';
import { transferLine } from '../../shared/units';
import type { HostConnection } from '../hosts/connection';
import type { UploadHooks, WorkerUpload } from '../dataplane/data-worker';
import { checkedUpload, type CheckedResult } from './checked-upload';
import type { TaskContext } from '../tasks/runner';
import type { ByteSource } from './slab-source';
import { pageRequest, type UploadReceiver } from './upload-receiver';

/**
 * Where the bytes come from: the page (the browser shell, or a file dropped
 * on the page) PUTs them to a loopback receiver; a file chosen in the desktop
 * app's own dialog is read from disk here, straight into the pieces SFTP
 * writes. Either may instead be moved by the node's data worker (on a
 * connection of its own, core/dataplane), which then holds the receiver.
 */
export type UploadSource =
  | { kind: 'page'; receiver: UploadReceiver }
  | { kind: 'file'; path: string }
  | { kind: 'worker'; upload: WorkerUpload; fromPage: boolean };

/** Where an upload is written, and the temporary name it has until checked. */
export function uploadPaths(
  pool: StoragePool,
  name: string,
): { tmpPath: string; finalPath: string } {
  const dir = pool.targetPath ?? '';
  return {
    finalPath: posix.join(dir, name),
    tmpPath: posix.join(dir, `.${name}.clusterdeck-upload`),
  };
}

/** Moves the bytes on the main session: waits for the page's request or reads the file. */
async function moveHere(
  conn: HostConnection,
  source: Exclude<UploadSource, { kind: 'worker' }>,
  paths: { tmpPath: string; finalPath: string },
  bytes: number,
  hooks: UploadHooks,
): Promise<CheckedResult> {
  const bytesFrom: ByteSource =
    source.kind === 'page'
      ? { stream: await pageRequest(source.receiver, hooks.signal) }
      : { path: source.path };
  hooks.onStarted?.();
  const sftp = await conn.sftp();
  try {
    return await checkedUpload({
      exec: (argv, opts) => conn.exec(argv, opts),
      sftp,
      source: bytesFrom,
      bytes,
      ...paths,
      signal: hooks.signal,
      ...(hooks.log ? { log: hooks.log } : {}),
      onProgress: hooks.onProgress,
      onWritten: () => {
        if (source.kind === 'page') source.receiver.finish(204);
        hooks.onWritten?.();
      },
    });
  } finally {
    sftp.end();
  }
}

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
  const { conn, pool, name, bytes, source } = job;
  const receiver = source.kind === 'page' ? source.receiver : undefined;
  const fromPage = source.kind === 'worker' ? source.fromPage : source.kind === 'page';
  const node = conn.config.name;
  const paths = uploadPaths(pool, name);
  const final = paths.finalPath;
  ctx.setSteps([
    `${node}: ${fromPage ? 'Receive' : 'Read'} ${name} and write it to ${pool.targetPath}`,
    `${node}: Compare its SHA-256 with the node's`,
    `${node}: Refresh ${pool.name}`,
  ]);
  let step = 0;
  /** "200 MiB of 200 MiB · 180 MiB/s" once everything is written. */
  const summary = (ms: number) =>
    transferLine(bytes, bytes, ms).split(' · ').slice(0, 2).join(' · ');
  try {
    ctx.stepState(0, 'running');
    ctx.detail(fromPage ? 'Waiting for the file…' : 'Reading the file…');
    let started = Date.now();
    let shown = 0;
    let writtenMs = 0;
    const hooks: UploadHooks = {
      signal: ctx.signal,
      log: ctx.log,
      onStarted: () => (started = Date.now()),
      onProgress: (done) => {
        const now = Date.now();
        if (now - shown < 200 && done < bytes) return;
        shown = now;
        ctx.progress((done / bytes) * 0.95);
        ctx.detail(transferLine(done, bytes, now - started));
      },
      onWritten: () => {
        writtenMs = Math.max(1, Date.now() - started);
        ctx.stepState(0, 'done');
        step = 1;
        ctx.stepState(1, 'running');
        ctx.detail(`${summary(writtenMs)} · checking…`);
      },
    };
    const result =
      source.kind === 'worker'
        ? await source.upload.run(hooks)
        : await moveHere(conn, source, paths, bytes, hooks);
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
