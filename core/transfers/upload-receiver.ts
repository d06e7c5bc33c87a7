// Where the page sends a file it uploads: an HTTP server on 127.0.0.1 at a
// random port that takes one PUT carrying a one-time token, from the page
// that asked only (page-guard.ts), of exactly the announced size. Bytes flow from it straight
// into SFTP, with backpressure, so nothing is buffered whole in memory.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ClusterdeckError } from '../../shared/errors';
import { carriesToken, newToken } from './one-time-token';
import { fromOwnPage, PAGE_WAIT_MS, type PageGuard } from './page-guard';

export interface UploadReceiver {
  url: string;
  /** Resolves with the page's request once it arrives with the right token. */
  request: Promise<IncomingMessage>;
  /** Answers the page (its fetch resolves or fails with this) and stops listening. */
  finish(status: number, message?: string): void;
  close(): void;
}

function cors(res: ServerResponse, origin: string | undefined): void {
  if (origin) res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Vary', 'Origin');
}

export async function openUploadReceiver(
  bytes: number,
  guard: PageGuard = {},
): Promise<UploadReceiver> {
  const token = newToken();
  let used = false;
  let port = 0;
  let response: ServerResponse | undefined;
  let resolveRequest!: (r: IncomingMessage) => void;
  let rejectRequest!: (e: Error) => void;
  const request = new Promise<IncomingMessage>((resolve, reject) => {
    resolveRequest = resolve;
    rejectRequest = reject;
  });
  request.catch(() => undefined);

  const server = createServer((req, res) => {
    const origin = req.headers.origin;
    if (!fromOwnPage(req, port, guard.pageOrigin)) {
      res.writeHead(403).end();
      return;
    }
    cors(res, origin);
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'PUT');
      res.setHeader('Access-Control-Allow-Headers', 'content-type');
      res.writeHead(204).end();
      return;
    }
    const ok = req.method === 'PUT' && !used && carriesToken(req.url, token);
    if (!ok) {
      res.writeHead(403).end();
      return;
    }
    used = true;
    if (Number(req.headers['content-length']) !== bytes) {
      res.writeHead(400).end(`Expected ${bytes} bytes.`);
      rejectRequest(new Error('The page sent a different size than it announced.'));
      return;
    }
    response = res;
    resolveRequest(req);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  port = (server.address() as AddressInfo).port;

  const close = () => {
    clearTimeout(unused);
    server.close();
    server.closeAllConnections();
  };
  // A receiver its page never came to must not listen on forever.
  const unused = setTimeout(() => {
    if (used) return;
    close();
    rejectRequest(
      new ClusterdeckError('timeout', 'The page did not start sending the file within a minute.'),
    );
  }, guard.pageWaitMs ?? PAGE_WAIT_MS);
  unused.unref();
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    request,
    finish(status, message) {
      if (response && !response.headersSent) response.writeHead(status).end(message ?? '');
      // Let the answer leave before the connection goes.
      setTimeout(close, 200).unref();
    },
    close,
  };
}

/**
 * The page's request, or a rejection when the upload is cancelled first. (A
 * page that never comes is the receiver's to time out: it closes and rejects
 * its request.)
 */
export function pageRequest(
  receiver: UploadReceiver,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new ClusterdeckError('cancelled', 'The upload was cancelled.'));
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    receiver.request
      .then(resolve, reject)
      .finally(() => signal.removeEventListener('abort', onAbort));
  });
}
