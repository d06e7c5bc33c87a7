// Downloading a volume to this computer: a loopback HTTP server answers one
// GET carrying a one-time token with the file's bytes, read over SFTP as the
// page's download takes them (backpressure, nothing held in memory), as a
// task with progress, speed and time left that can be cancelled.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { Stats } from 'ssh2';
import type { StoragePool, Volume } from '../../shared/model';
import { ClusterdeckError } from '../../shared/errors';
import { transferLine } from '../../shared/units';
import type { HostConnection } from '../hosts/connection';
import type { TaskRunner } from '../tasks/runner';
import { carriesToken, newToken } from './one-time-token';
import { fromOwnPage, PAGE_WAIT_MS, type PageGuard } from './page-guard';

/** Starts the task and returns it with the URL the page downloads from. */
export async function startDownload(
  tasks: TaskRunner,
  conn: HostConnection,
  pool: StoragePool,
  volume: Volume,
  guard: PageGuard = {},
): Promise<{ taskId: string; url: string }> {
  const node = conn.config.name;
  const token = newToken();
  let used = false;
  let port = 0;
  let resolveResponse!: (r: ServerResponse) => void;
  const response = new Promise<ServerResponse>((r) => (resolveResponse = r));
  const server = createServer((req, res) => {
    const ok =
      req.method === 'GET' &&
      !used &&
      fromOwnPage(req, port, guard.pageOrigin) &&
      carriesToken(req.url, token);
    if (!ok) {
      res.writeHead(403).end();
      return;
    }
    used = true;
    resolveResponse(res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const close = () => {
    server.close();
    server.closeAllConnections();
  };
  port = (server.address() as AddressInfo).port;

  const taskId = tasks.start(`Download ${volume.name}`, `${node} / ${pool.name}`, async (ctx) => {
    let timer: NodeJS.Timeout | undefined;
    try {
      ctx.detail('Waiting for the download to start…');
      const res = await Promise.race([
        response,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new ClusterdeckError(
                  'timeout',
                  'The page did not start the download within a minute.',
                ),
              ),
            guard.pageWaitMs ?? PAGE_WAIT_MS,
          );
          ctx.signal.addEventListener('abort', () =>
            reject(new ClusterdeckError('cancelled', 'The download was cancelled.')),
          );
        }),
      ]);
      clearTimeout(timer);
      const sftp = await conn.sftp();
      try {
        const size = await new Promise<number>((resolve, reject) =>
          sftp.stat(volume.path, (err: Error | undefined, st: Stats) =>
            err ? reject(err) : resolve(st.size),
          ),
        );
        res.writeHead(200, {
          'Content-Type': 'application/octet-stream',
          'Content-Length': String(size),
          'Content-Disposition': `attachment; filename="${volume.name.replace(/["\\\\]/g, '_')}"`,
          ...(guard.pageOrigin && { 'Access-Control-Allow-Origin': guard.pageOrigin }),
          Vary: 'Origin',
        });
        const started = Date.now();
        let done = 0;
        let shown = 0;
        const count = new Transform({
          transform(chunk: Buffer, _enc, cb) {
            done += chunk.length;
            const now = Date.now();
            if (now - shown >= 200 || done === size) {
              shown = now;
              ctx.progress(size ? done / size : 1);
              ctx.detail(transferLine(done, size, now - started));
            }
            cb(null, chunk);
          },
        });
        await pipeline(
          sftp.createReadStream(volume.path, { highWaterMark: 256 * 1024 }),
          count,
          res,
          { signal: ctx.signal },
        );
      } finally {
        sftp.end();
      }
    } catch (err) {
      if (ctx.signal.aborted) {
        ctx.detail('Cancelled.');
        throw new ClusterdeckError('cancelled', 'The download was cancelled.');
      }
      throw err;
    } finally {
      clearTimeout(timer);
      close();
    }
  });
  return { taskId, url: `http://127.0.0.1:${port}/?token=${token}` };
}
