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
import { join } from 'node:path';
import { routes } from './cluster';
import { PveError, type Ctx, type Sim } from './context';
import { loadSchema, type PveVersion } from './schema';
import { seedCluster, type ClusterState } from './state';
import { TaskEngine } from './tasks';
import { validateParams, validateReturns } from './validate';

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
async function extractParams(req: IncomingMessage, url: URL): Promise<Record<string, unknown>> {
  let params: Record<string, unknown> = {};
  if (req.method === 'POST' || req.method === 'PUT') {
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

/** pveproxy's request handling for one node's listener; several may share one `sim`. */
export function pveHandler(
  front: Front,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { tickets, local, violations } = front;
  return async (req, res) => {
    // Read per request: a node that joins a cluster answers from the cluster's state from then on.
    const { sim } = front;
    const { schema, tokens } = sim;
    const url = new URL(req.url ?? '/', 'https://sim');
    const method = req.method ?? 'GET';
    const m = /^\/api2\/json(\/.*)?$/.exec(url.pathname);
    if (!m) return send(res, 501, 'Not Implemented', { data: null });
    const auth = authenticate(req, tokens, tickets);
    if ('error' in auth)
      return send(res, 401, auth.error, { data: null, message: `${auth.error}\n` });
    const rel = m[1] ?? '/';
    const match = schema.match(method, rel);
    const handler = match && routes[`${method} ${match.template}`];
    if (!match || !handler) {
      const msg = `Method '${method} ${rel}' not implemented`;
      return send(res, 501, msg, { data: null, message: `${msg}\n` });
    }
    let params: Record<string, unknown>;
    try {
      params = { ...(await extractParams(req, url)), ...match.pathParams };
    } catch {
      return send(res, 400, 'malformed JSON', { data: null, message: 'malformed JSON\n' });
    }
    const errors = validateParams(match.api.parameters, params);
    if (errors) {
      const msg = 'Parameter verification failed.';
      return send(res, 400, msg, { data: null, errors, message: `${msg}\n` });
    }
    // PVE's RPC environment reads the node `localhost` as the node answering.
    if (local && params.node === 'localhost') params.node = local;
    const ctx: Ctx = { sim, params, user: auth.user, returns: match.api.returns, local };
    try {
      const data = handler(ctx);
      try {
        validateReturns(method, match.template, match.api.returns, data);
      } catch (err) {
        violations.push((err as Error).message);
        return send(res, 500, 'simulator answer violates the schema', {
          data: null,
          message: (err as Error).message,
        });
      }
      send(res, 200, 'OK', ctx.total === undefined ? { data } : { data, total: ctx.total });
    } catch (err) {
      const status = err instanceof PveError ? err.status : 500;
      const msg = (err as Error).message;
      send(res, status, msg, { data: null, message: msg.endsWith('\n') ? msg : `${msg}\n` });
    }
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
  };

  const handle = pveHandler({ sim, tickets: {}, violations });

  const server: Server = createServer({ key, cert }, (req, res) => {
    handle(req, res).catch((err: unknown) =>
      send(res, 500, 'internal error', { data: null, message: String(err) }),
    );
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
        server.close(() => resolve());
      }),
  };
}
