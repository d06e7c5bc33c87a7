// A node's data worker: a thread with an SSH connection of its own to one
// node, carrying the bulk bytes (console displays, uploads) so that their
// encryption, ssh2's packet handling and the WebSocket or HTTP serving run
// beside the main thread rather than on it. It accepts the host key the main
// session accepted and no other. Bundled as dist/workers/data-worker.cjs
// (scripts/build-main.mjs); data-worker.ts starts it.
import { parentPort, workerData } from 'node:worker_threads';
import { toErrorPayload } from '../../shared/errors';
import { SshSession } from '../ssh/session';
import type { DataLogin, FromWorker, ToWorker } from './protocol';
import { runConsole, runUpload, type Job } from './worker-jobs';

if (!parentPort) throw new Error('worker-entry.ts runs as a worker thread only.');
const port = parentPort;
const post = (m: FromWorker) => port.postMessage(m);

async function main(): Promise<void> {
  const login = workerData as DataLogin;
  // Buffers arrive as Uint8Arrays: ssh2 wants Buffers.
  const hostKey = Buffer.from(login.hostKey);
  const creds = { ...login.creds };
  if (creds.privateKey) creds.privateKey = Buffer.from(creds.privateKey);
  let session: SshSession;
  try {
    session = await SshSession.open(login.target, creds, async (key) => hostKey.equals(key));
  } catch (err) {
    post({ t: 'login-failed', error: toErrorPayload(err) });
    return;
  }
  session.onClose(() => post({ t: 'dropped' }));
  const jobs = new Map<number, Job>();
  port.on('message', (m: ToWorker) => {
    if (m.t === 'stop') {
      jobs.get(m.id)?.stop();
      return;
    }
    const end = () => jobs.delete(m.id);
    const job =
      m.t === 'console'
        ? runConsole(session, m.id, m.job, post, end)
        : runUpload(session, m.id, m.job, post, end);
    jobs.set(m.id, job);
  });
  post({ t: 'ready' });
}

void main();
