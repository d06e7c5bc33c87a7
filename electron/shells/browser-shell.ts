// The browser shell: the built renderer plus the contract over a WebSocket,
// on 127.0.0.1 only, behind a random token. It lets the real UI run in a
// browser where Electron cannot start, and headless on a jump host.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import { toErrorPayload } from '../../shared/errors';
import type { Backend, Caller } from '../backend/backend';
import { CONTENT_SECURITY_POLICY } from './csp';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

const callSchema = z.object({
  type: z.literal('call'),
  id: z.number().int(),
  method: z.string().max(64),
  params: z.unknown(),
});

// A slow or stalled page must not make the main process buffer without end.
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

export interface BrowserShell {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

export async function startBrowserShell(opts: {
  backend: Backend;
  staticDir: string;
  port?: number;
}): Promise<BrowserShell> {
  const token = randomBytes(24).toString('base64url');
  const tokenBuf = Buffer.from(token);
  let port = 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  const server = createServer((req, res) => {
    void serveStatic(req, res, opts.staticDir, allowedHosts());
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const given = Buffer.from(url.searchParams.get('token') ?? '');
    const hosts = allowedHosts();
    // Host and Origin checks stop DNS rebinding and other sites' pages.
    const originOk =
      !req.headers.origin || hosts.has(req.headers.origin.replace(/^https?:\/\//, ''));
    const ok =
      url.pathname === '/api' &&
      hosts.has(req.headers.host ?? '') &&
      originOk &&
      given.length === tokenBuf.length &&
      timingSafeEqual(given, tokenBuf);
    if (!ok) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    // Tunnels the page opens accept exactly the page's origin.
    const caller: Caller = { pageOrigin: req.headers.origin };
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws, opts.backend, caller));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function attach(ws: WebSocket, backend: Backend, caller: Caller): void {
  const send = (msg: unknown) => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      ws.close(1013, 'The page is not keeping up; reload it.');
      return;
    }
    ws.send(JSON.stringify(msg));
  };
  const unsubscribe = backend.onPatch((patches) => send({ type: 'patch', patches }));
  ws.on('close', unsubscribe);
  ws.on('message', (data) => {
    let msg: z.infer<typeof callSchema>;
    try {
      msg = callSchema.parse(JSON.parse(String(data)));
    } catch {
      ws.close(1008, 'Malformed message');
      return;
    }
    backend.call(msg.method, msg.params, caller).then(
      (result) => send({ type: 'result', id: msg.id, ok: true, result }),
      (err: unknown) => send({ type: 'result', id: msg.id, ok: false, error: toErrorPayload(err) }),
    );
  });
}

async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  root: string,
  hosts: Set<string>,
): Promise<void> {
  if (!hosts.has(req.headers.host ?? '')) {
    res.writeHead(403).end('Forbidden');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405).end();
    return;
  }
  const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  const rel = pathname === '/' ? 'index.html' : pathname.slice(1);
  const file = normalize(join(root, rel));
  if (!file.startsWith(normalize(root) + sep)) {
    res.writeHead(403).end('Forbidden');
    return;
  }
  try {
    const body = await readFile(file);
    res.writeHead(200, {
      'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch {
    res.writeHead(404).end('Not found');
  }
}
