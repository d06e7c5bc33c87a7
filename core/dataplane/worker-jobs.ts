// What a data worker does on its own connection (worker-entry.ts): a console
// bridge to a display, and a checked upload of a file or of the page's bytes.
// The same modules as on the main thread do the work (bridge.ts,
// checked-upload.ts, upload-receiver.ts); this only reports to the main
// thread, which keeps the task, its steps and its log.
import { toErrorPayload } from '../../shared/errors';
import { openConsoleBridge, type ConsoleBridge } from '../consoles/bridge';
import { openRoute } from '../consoles/route';
import { passwordLogin } from '../consoles/vnc-login';
import type { SshSession } from '../ssh/session';
import { checkedUpload } from '../transfers/checked-upload';
import type { ByteSource } from '../transfers/slab-source';
import { openUploadReceiver, pageRequest, type UploadReceiver } from '../transfers/upload-receiver';
import type { ConsoleJob, FromWorker, UploadJob } from './protocol';

export interface Job {
  /** Closes the console, cancels the upload. */
  stop(): void;
}

type Post = (m: FromWorker) => void;

/** Progress is posted at most this often (SFTP reports every write). */
const PROGRESS_MS = 100;

export function runConsole(
  session: SshSession,
  id: number,
  job: ConsoleJob,
  post: Post,
  end: () => void,
): Job {
  let bridge: ConsoleBridge | undefined;
  let stopped = false;
  const login = job.password ? passwordLogin(job.password, job.what) : undefined;
  openConsoleBridge(() => openRoute(session, job.route), login, job.guard).then(
    (b) => {
      bridge = b;
      if (stopped) void b.close();
      post({ t: 'console-open', id, url: b.url, port: b.port });
      void b.closed.then(() => {
        end();
        post({ t: 'console-closed', id });
      });
    },
    (err: unknown) => {
      end();
      post({ t: 'job-failed', id, error: toErrorPayload(err) });
    },
  );
  return {
    stop() {
      stopped = true;
      void bridge?.close();
    },
  };
}

export function runUpload(
  session: SshSession,
  id: number,
  job: UploadJob,
  post: Post,
  end: () => void,
): Job {
  const abort = new AbortController();
  let receiver: UploadReceiver | undefined;
  const run = async () => {
    let source: ByteSource;
    if (job.source.kind === 'page') {
      receiver = await openUploadReceiver(job.bytes, job.source.guard);
      post({ t: 'upload-url', id, url: receiver.url });
      source = { stream: await pageRequest(receiver, abort.signal) };
    } else {
      source = { path: job.source.path };
    }
    post({ t: 'upload-started', id });
    const sftp = await session.sftp();
    let shown = 0;
    try {
      return await checkedUpload({
        exec: (argv, opts) => session.exec(argv, opts),
        sftp,
        source,
        bytes: job.bytes,
        tmpPath: job.tmpPath,
        finalPath: job.finalPath,
        signal: abort.signal,
        log: (rec) => post({ t: 'log', id, rec }),
        onProgress: (bytes) => {
          const now = Date.now();
          if (now - shown < PROGRESS_MS && bytes < job.bytes) return;
          shown = now;
          post({ t: 'progress', id, bytes });
        },
        onWritten: () => {
          receiver?.finish(204);
          post({ t: 'written', id });
        },
      });
    } finally {
      sftp.end();
    }
  };
  run().then(
    (r) => {
      end();
      post({ t: 'upload-done', id, sha256: r.sha256, nodeSha256: r.nodeSha256 });
    },
    (err: unknown) => {
      end();
      const p = toErrorPayload(err);
      receiver?.finish(p.code === 'cancelled' ? 499 : 500, p.message);
      post({ t: 'job-failed', id, error: p });
    },
  );
  return { stop: () => abort.abort() };
}
