// One console tunnel: a WebSocket server on 127.0.0.1 at a random port that
// accepts exactly one connection, carrying a one-time token, and splices it
// to an SSH channel to the VM's display (splice.ts). No VNC port is ever
// exposed: the display is reached from the node's side of its SSH session.
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { carriesToken, newToken } from '../transfers/one-time-token';
import { fromOwnPage, PAGE_WAIT_MS, type PageGuard } from '../transfers/page-guard';
import { earlyPage, splice } from './splice';

export interface ConsoleBridge {
  url: string;
  port: number;
  close(): Promise<void>;
  /** Resolves when the console's connection ends (or the bridge closes). */
  closed: Promise<void>;
}

/** A WebSocket close reason holds at most 123 bytes of UTF-8. */
function closeReason(message: string): string {
  let r = message;
  while (Buffer.byteLength(r) > 123) r = r.slice(0, -1);
  return r;
}

/**
 * Runs before the bytes flow freely: the VNC login the main process does
 * for the page. It may answer the page itself and rejects to end the tunnel.
 */
export type Handshake = (page: Duplex, display: Duplex) => Promise<void>;

export async function openConsoleBridge(
  connect: () => Promise<Duplex>,
  handshake?: Handshake,
  guard: PageGuard = {},
): Promise<ConsoleBridge> {
  const token = newToken();
  let used = false;
  let port = 0;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));

  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    // noVNC offers the 'binary' subprotocol; accept it when offered.
    handleProtocols: (protocols) => (protocols.has('binary') ? 'binary' : false),
    verifyClient: ({ req }, done) => {
      const ok = !used && fromOwnPage(req, port, guard.pageOrigin) && carriesToken(req.url, token);
      if (ok) used = true; // one-time: the token dies with its first use
      done(ok, ok ? undefined : 403);
    },
  });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  port = (wss.address() as AddressInfo).port;

  const shutdown = () =>
    new Promise<void>((resolve) => {
      clearTimeout(unused);
      for (const c of wss.clients) c.terminate();
      wss.close(() => resolve());
    }).then(resolveClosed);
  // A tunnel its page never came to must not listen on forever.
  const unused = setTimeout(() => {
    if (!used) void shutdown();
  }, guard.pageWaitMs ?? PAGE_WAIT_MS);
  unused.unref();

  wss.on('connection', (ws: WebSocket) => {
    ws.on('error', () => undefined);
    // What the page sends before the display is joined waits here, and the
    // handshake talks to the page through it; then the two are spliced.
    const early = earlyPage(ws);
    connect()
      .then(async (display) => {
        display.on('error', () => undefined);
        try {
          await handshake?.(early.page, display);
        } catch (err) {
          display.destroy();
          throw err;
        }
        return display;
      })
      .then(
        (display) => {
          splice(ws, display, early.detach());
          const end = () => {
            display.destroy();
            void shutdown();
          };
          // The display ended (guest off, shell exited): the splice still
          // delivers what it sent and then closes the page's socket, whose
          // close ends it all. An abrupt end gets a few seconds' grace.
          display.on('close', () => setTimeout(end, 5000).unref());
          // The page's socket, not the display: a shell on the node never ends by itself.
          if (ws.readyState === ws.CLOSING || ws.readyState === ws.CLOSED) end();
          else ws.on('close', end);
        },
        (err: Error) => {
          ws.close(1011, closeReason(err.message));
          // Let the close frame (and a login refusal) reach the page first.
          const timer = setTimeout(() => void shutdown(), 1000);
          ws.once('close', () => {
            clearTimeout(timer);
            void shutdown();
          });
        },
      );
  });

  return {
    url: `ws://127.0.0.1:${port}/?token=${token}`,
    port,
    close: shutdown,
    closed,
  };
}
