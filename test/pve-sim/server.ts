// The simulator's HTTPS front, like pveproxy: /api2/json, API tokens,
// form-encoded or JSON bodies, PVE's verification of every request against
// the pinned schema and a check of every answer against its `returns`.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import type { Duplex } from 'node:stream';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { join } from 'node:path';
import { routes } from './cluster';
import { acceptVncConnection } from './console';
import { PveError, type Ctx, type DisplaySource, type Sim } from './context';
import { loadSchema, type PveVersion } from './schema';
import { seedCluster, type ClusterState } from './state';
import { TaskEngine } from './tasks';
import { validateParams, validateReturns } from './validate';
import { readUploadBody } from './upload';

export interface SimOptions {
  version?: PveVersion;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** API tokens accepted: `user@realm!tokenid` -> secret (a UUID). */
  tokens?: Record<string, string>;
  /** Milliseconds between two lines of a worker task's log. */
  taskStepMs?: number;
  state?: ClusterState;
  /** Host name in the certificate (a real node's is its own name). */
  certName?: string;
  /** The guests' real displays (console.ts), for vncproxy. */
  displays?: DisplaySource;
}

export interface PveSim extends Sim {
  url: string;
  host: string;
  port: number;
  /** SHA-256 fingerprint of the certificate, `AB:CD:...` as PVE shows it. */
  fingerprint: string;
  certPem: string;
  /** Answers that broke their `returns` schema: a test expects none. */
  violations: string[];
  close(): Promise<void>;
}

export function makeCert(name: string): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pve-sim-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '2',
        '-subj',
        `/CN=${name}`,
        '-addext',
        `subjectAltName=DNS:${name},DNS:localhost,IP:127.0.0.1`,
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function send(res: ServerResponse, status: number, reason: string, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, reason.replace(/\n$/, '').replace(/[\r\n]+/g, ' '), {
    'Content-Type': 'application/json;charset=UTF-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** PVE's extract_params: the body (JSON or form) for POST/PUT, the query over it. */
async function extractParams(
  req: IncomingMessage,
  url: URL,
  rel: string,
  state: ClusterState,
): Promise<Record<string, unknown>> {
  let params: Record<string, unknown> = {};
  // Uploads (multipart) and pveproxy's limits on other bodies: upload.ts.
  const upload = await readUploadBody(req, rel, state);
  if (upload) params = upload;
  else if (req.method === 'POST' || req.method === 'PUT') {
    const body = await readBody(req);
    const ct = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
    if (ct === 'application/json')
      params = body ? (JSON.parse(body) as Record<string, unknown>) : {};
    else params = Object.fromEntries(new URLSearchParams(body));
  }
  for (const [k, v] of url.searchParams) params[k] = v;
  return params;
}

/** A login ticket (PVEAuthCookie) and the CSRF token its writes must carry. */
export interface SimTicket {
  user: string;
  csrf: string;
}

/** The token's or ticket's user, or the 401 reason. */
function authenticate(
  req: IncomingMessage,
  tokens: Record<string, string>,
  tickets: Record<string, SimTicket>,
): { user: string } | { error: string } {
  const header = req.headers.authorization;
  const cookie = /(?:^|;\s*)PVEAuthCookie=([^;\s]+)/.exec(req.headers.cookie ?? '');
  if (!header && cookie) {
    const ticket = tickets[decodeURIComponent(cookie[1]!)];
    if (!ticket) return { error: 'invalid PVE ticket' };
    // pveproxy wants the CSRF token beside a ticket on every write.
    if (req.method !== 'GET' && req.headers.csrfpreventiontoken !== ticket.csrf)
      return { error: 'Permission denied - invalid csrf token' };
    return { user: ticket.user };
  }
  const m = /^PVEAPIToken=([^!\s]+@[^!\s]+![A-Za-z][A-Za-z0-9._-]*)[=:](\S+)$/.exec(header ?? '');
  if (!m) return { error: 'No ticket' };
  if (tokens[m[1]!] !== m[2]) return { error: 'invalid token value!' };
  return { user: m[1]! };
}

export interface Front {
  sim: Sim;
  tickets: Record<string, SimTicket>;
  /** The node this pveproxy runs on: `local` in /cluster/status, and what `localhost` names. */
  local?: string;
  violations: string[];
}

/** What pveproxy answers to one API call: an error's status line and body, or the data. */
type Answer =
  | { status: number; reason: string; body: Record<string, unknown> }
  | { status: 200; reason: 'OK'; body: Record<string, unknown>; data: unknown; ctx: Ctx };

/** One API call as pveproxy runs it: auth, route, parameter check, handler, returns check. */
async function answer(front: Front, req: IncomingMessage): Promise<Answer> {
  const { sim, tickets, local, violations } = front;
  const { schema, tokens } = sim;
  const fail = (status: number, reason: string, extra: Record<string, unknown> = {}) => ({
    status,
    reason,
    body: { data: null, ...extra, message: reason.endsWith('\n') ? reason : `${reason}\n` },
  });
  const url = new URL(req.url ?? '/', 'https://sim');
  const method = req.method ?? 'GET';
  const m = /^\/api2\/json(\/.*)?$/.exec(url.pathname);
  if (!m) return { status: 501, reason: 'Not Implemented', body: { data: null } };
  const auth = authenticate(req, tokens, tickets);
  if ('error' in auth) return fail(401, auth.error);
  const rel = m[1] ?? '/';
  const match = schema.match(method, rel);
  const handler = match && routes[`${method} ${match.template}`];
  if (!match || !handler) return fail(501, `Method '${method} ${rel}' not implemented`);
  let params: Record<string, unknown>;
  try {
    params = { ...(await extractParams(req, url, rel, sim.state)), ...match.pathParams };
  } catch (err) {
    if (err instanceof PveError) return fail(err.status, err.message);
    return fail(400, 'malformed JSON');
  }
  const errors = validateParams(match.api.parameters, params);
  if (errors) return fail(400, 'Parameter verification failed.', { errors });
  // PVE's RPC environment reads the node `localhost` as the node answering.
  if (local && params.node === 'localhost') params.node = local;
  const ctx: Ctx = { sim, params, user: auth.user, returns: match.api.returns, local };
  try {
    const data = handler(ctx);
    try {
      validateReturns(method, match.template, match.api.returns, data);
    } catch (err) {
      violations.push((err as Error).message);
      return fail(500, 'simulator answer violates the schema', { message: (err as Error).message });
    }
    const body = ctx.total === undefined ? { data } : { data, total: ctx.total };
    return { status: 200, reason: 'OK', body, data, ctx };
  } catch (err) {
    const errors = err instanceof PveError ? err.errors : undefined;
    return fail(
      err instanceof PveError ? err.status : 500,
      (err as Error).message,
      errors ? { errors } : {},
    );
  }
}

/** pveproxy's request handling for one node's listener; several may share one `sim`. */
export function pveHandler(
  front: Front,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const a = await answer(front, req);
    send(res, a.status, a.reason, a.body);
  };
}

/**
 * pveproxy's WebSocket upgrade (PVE::APIServer::AnyEvent): the API call runs
 * first (an error is a plain HTTP answer), then only a GET on a path ending
 * in `websocket`, WebSocket version 13 and the `binary` or `base64`
 * subprotocol are taken; pveproxy connects to the port the call answered
 * and only then switches protocols. When nothing listens there it drops the
 * connection without an answer.
 */
export function pveUpgradeHandler(
  front: Front,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => Promise<void> {
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (p) => (p.has('binary') ? 'binary' : p.has('base64') ? 'base64' : false),
  });
  const refuse = (socket: Duplex, status: number, reason: string, body: unknown) => {
    const text = JSON.stringify(body);
    socket.end(
      `HTTP/1.1 ${status} ${reason.replace(/[\r\n]+/g, ' ').trim()}\r\nContent-Type: application/json;charset=UTF-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
  };
  return async (req, socket, head) => {
    socket.on('error', () => undefined);
    const a = await answer(front, req);
    if (!('data' in a)) return refuse(socket, a.status, a.reason, a.body);
    const fault = (msg: string) => refuse(socket, 500, msg, { data: null, message: `${msg}\n` });
    const url = new URL(req.url ?? '/', 'https://sim');
    if (req.method !== 'GET' || !url.pathname.endsWith('websocket'))
      return refuse(socket, a.status, a.reason, a.body);
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket')
      return fault(`unable to upgrade to protocol '${req.headers.upgrade ?? ''}'`);
    if (req.headers['sec-websocket-version'] !== '13')
      return fault(`unsupported websocket-version '${req.headers['sec-websocket-version'] ?? ''}'`);
    const protocols = String(req.headers['sec-websocket-protocol'] ?? '');
    if (!protocols) return fault('missing websocket-protocol header');
    if (!protocols.split(/[,\s]+/).some((p) => p === 'binary' || p === 'base64'))
      return fault(`unsupported websocket-protocol protocol '${protocols}'`);
    const port = Number((a.data as { port: string }).port);
    const take = acceptVncConnection(front.sim, String(a.ctx.params.node), port);
    if (!take) return void socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => {
      const stream = createWebSocketStream(ws, { highWaterMark: 256 * 1024 });
      stream.on('error', () => undefined);
      take(stream);
    });
  };
}

export async function startPveSim(opts: SimOptions = {}): Promise<PveSim> {
  const schema = loadSchema(opts.version ?? 'pve9');
  const tokens = opts.tokens ?? {};
  const { key, cert } = makeCert(opts.certName ?? 'pve1');
  const violations: string[] = [];
  const sim: Sim = {
    schema,
    state: opts.state ?? seedCluster(),
    tasks: new TaskEngine(opts.taskStepMs ?? 50),
    tokens,
    displays: opts.displays,
    // A lone node's CA is its own certificate here.
    rootCa: cert,
  };

  const front: Front = { sim, tickets: {}, violations };
  const handle = pveHandler(front);
  const upgrade = pveUpgradeHandler(front);
  // Upgraded connections leave the server's books: closed by close() too.
  const upgraded = new Set<Duplex>();

  const server: Server = createServer({ key, cert }, (req, res) => {
    handle(req, res).catch((err: unknown) =>
      send(res, 500, 'internal error', { data: null, message: String(err) }),
    );
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    upgrade(req, socket, head).catch(() => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve);
  });
  const addr = server.address() as AddressInfo;
  const host = opts.host ?? '127.0.0.1';
  return {
    ...sim,
    host,
    port: addr.port,
    url: `https://${host}:${addr.port}/api2/json`,
    fingerprint: new X509Certificate(cert).fingerprint256,
    certPem: cert,
    violations,
    close: () =>
      new Promise<void>((resolve) => {
        sim.tasks.stopAll();
        server.closeAllConnections();
        for (const sock of upgraded) sock.destroy();
        server.close(() => resolve());
      }),
  };
}
