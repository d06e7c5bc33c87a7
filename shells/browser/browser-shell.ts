// The browser shell: the built renderer plus the contract over a WebSocket,
// on 127.0.0.1 only, for the one browser that opened the printed URL
// (shell-session.ts). It lets the real UI run in a browser where Electron
// cannot start, and headless on a jump host. No request, however malformed,
// may stop the process: every consoles, SSH session and task lives in it.
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { answer, requestSchema, type BackendMessage, type WireRequest } from '../../shared/wire';
import type { Backend, Caller } from '../../core/backend';
import { CONTENT_SECURITY_POLICY } from '../common/csp';
import { ShellSession } from './shell-session';
import { contentType, staticFilePath } from '../common/static-files';

// A slow or stalled page must not make the main process buffer without end.
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

export interface BrowserShell {
  /** The printed URL: its token works for one page load. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The request's URL, or undefined when it is not one (e.g. '//' or a bare '%'). */
function requestUrl(req: IncomingMessage): URL | undefined {
  try {
    return new URL(req.url ?? '/', 'http://127.0.0.1');
  } catch {
    return undefined;
  }
}

export async function startBrowserShell(opts: {
  backend: Backend;
  staticDir: string;
  port?: number;
}): Promise<BrowserShell> {
  let port = 0;
  const session = new ShellSession(() => port);
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  const server = createServer((req, res) => {
    serve(req, res).catch(() => {
      // A failure after the answer began: drop the connection, not the process.
      if (res.headersSent) res.destroy();
      else res.writeHead(500).end();
    });
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = req.headers.host ?? '';
    // The Host check stops DNS rebinding: another site's name for 127.0.0.1.
    if (!allowedHosts().has(host)) return void res.writeHead(403).end('Forbidden');
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405).end();
    const url = requestUrl(req);
    const file = url && staticFilePath(opts.staticDir, url.pathname);
    if (!url || !file) return void res.writeHead(400).end('Bad request');
    const admitted = session.admitPage(req, url);
    if (!admitted) {
      res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(
        `This Clusterdeck address was used already: its link works once. Reopen http://${host}/ ` +
          'in the browser that first opened it, or restart Clusterdeck for a new link.\n',
      );
      return;
    }
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      return void res.writeHead(404).end('Not found');
    }
    res.writeHead(200, {
      'Content-Type': contentType(file),
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
      ...(admitted.setCookie && { 'Set-Cookie': admitted.setCookie }),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node leaves an upgraded socket without an error listener: a reset
    // while we answer must not become an uncaught exception.
    socket.on('error', () => socket.destroy());
    try {
      const caller = admitSocket(req);
      if (!caller) {
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => attach(ws, opts.backend, caller));
    } catch {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    }
  });

  /** The caller a WebSocket to /api speaks for, or undefined when refused. */
  function admitSocket(req: IncomingMessage): Caller | undefined {
    const host = req.headers.host ?? '';
    const origin = req.headers.origin;
    // Only our own page (or a client that is no page) and only its cookie.
    const ok =
      requestUrl(req)?.pathname === '/api' &&
      allowedHosts().has(host) &&
      (origin === undefined || origin === `http://${host}`) &&
      session.hasCookie(req);
    // Tunnels the page opens accept exactly the page's origin.
    return ok ? { pageOrigin: origin } : undefined;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/?token=${session.printedToken}`,
    port,
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
  // Bad frames (wrong opcode, bad UTF-8, too large) end this socket only.
  ws.on('error', () => ws.terminate());
  const send = (msg: BackendMessage) => {
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
    let request: WireRequest;
    try {
      request = requestSchema.parse(JSON.parse(String(data)));
    } catch {
      ws.close(1008, 'Malformed message');
      return;
    }
    void answer(request.id, () => backend.call(request.method, request.params, caller)).then(send);
  });
}
