// A WebSocket on the node's API (`GET …/vncwebsocket`), over the same pinned
// TLS through the SSH session as every other call, the API token in the
// upgrade request's Authorization header. pveproxy runs the API call first
// (an error is an ordinary HTTP answer, read as any refused call), takes
// only the `binary` (or `base64`) subprotocol, then connects to the port
// the call answered and switches protocols; when nothing listens there it
// drops the connection without an answer. The resolved stream carries the
// WebSocket's binary messages as plain bytes (RFB for a VNC console).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import WebSocket, { createWebSocketStream } from 'ws';
import { ClusterdeckError } from '../../../shared/errors';

export interface ApiWebSocketCall {
  /** The node's label and the call as pvesh, for messages. */
  node: string;
  command: string;
  /** `/api2/json/…?…`, already encoded. */
  urlPath: string;
  authorization: string;
  /** A pinned TLS connection to the API over a new tunnel. */
  connect(): Promise<TLSSocket>;
  timeoutMs: number;
  /** The error for an HTTP answer instead of the upgrade (api-client's pveHttpError). */
  refused(status: number, reason: string, body: string): Error;
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => {
      if (body.length < 64 * 1024) body += c;
    });
    res.on('end', () => resolve(body));
    res.on('error', () => resolve(body));
  });
}

export async function openApiWebSocket(c: ApiWebSocketCall): Promise<Duplex> {
  const sock = await c.connect();
  return new Promise<Duplex>((resolve, reject) => {
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      ws.terminate();
      sock.destroy();
      reject(err);
    };
    const ws = new WebSocket(`wss://127.0.0.1:8006${c.urlPath}`, ['binary'], {
      headers: { Authorization: c.authorization },
      // The pinned socket: TLS and the certificate check are already done.
      createConnection: () => sock,
      perMessageDeflate: false,
      handshakeTimeout: c.timeoutMs,
      followRedirects: false,
    });
    ws.on('unexpected-response', (_req, res) => {
      void readBody(res).then((body) =>
        fail(c.refused(res.statusCode ?? 0, res.statusMessage ?? '', body)),
      );
    });
    ws.on('error', (err: Error) =>
      fail(
        new ClusterdeckError(
          'unreachable',
          `${c.node}: \`${c.command}\` was not upgraded to a WebSocket: ${err.message === 'socket hang up' ? 'the node closed the connection without an answer (no console listens on that port any more: open the console again)' : err.message}.`,
        ),
      ),
    );
    ws.once('open', () => {
      if (settled) return;
      settled = true;
      const stream = createWebSocketStream(ws, { highWaterMark: 256 * 1024 });
      resolve(stream);
    });
  });
}
