// One node's Proxmox VE REST API (`https://127.0.0.1:8006/api2/json` as seen
// from the node), reached through the SSH session Clusterdeck already holds:
// TLS over a tunnel, the certificate pinned (pinned-tls.ts), an API token in
// the Authorization header. Each call lands in the task's log as the pvesh
// command an administrator would type for it; a refused call becomes a
// ClusterdeckError naming the node, that command and each parameter's error.
import { request, type RequestOptions } from 'node:https';
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { ClusterdeckError, type ErrorCode } from '../../../shared/errors';
import type { CommandRecord } from '../../../shared/model';
import { commandRecorder } from '../../ssh/exec';
import { connectPinned, PinnedTunnelAgent, type OpenTunnel } from './pinned-tls';
import {
  checkPath,
  formEncode,
  HIDDEN_VALUE,
  paramPairs,
  pveshCommand,
  type PveMethod,
  type PveParams,
} from './pvesh';
import { openApiWebSocket } from './websocket';

const API_ROOT = '/api2/json';
const API_HOST = '127.0.0.1';
const API_PORT = 8006;
const DEFAULT_TIMEOUT_MS = 30_000;
/** No answer Clusterdeck reads is near this; a larger one is a fault, not data. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** An API token: `root@pam!clusterdeck-…` and its secret (a UUID). */
export interface PveApiToken {
  tokenId: string;
  secret: string;
}

const TOKEN_ID = /^[^\s!=@]+@[^\s!=@]+![A-Za-z][A-Za-z0-9._-]+$/;
const TOKEN_SECRET = /^[A-Za-z0-9-]{8,128}$/;

/** What the client needs of a node's SSH session: a tunnel to a port as the node sees it. */
export interface TunnelSource {
  forwardOut(host: string, port: number): Promise<Duplex>;
}

/** A tunnel to the node's own API port (pveproxy listens on 8006 on every node). */
export function apiTunnel(session: TunnelSource): OpenTunnel {
  return () => session.forwardOut(API_HOST, API_PORT);
}

export interface PveApiOptions {
  /** The node's label, in every message. */
  node: string;
  /** A byte stream to 127.0.0.1:8006 as the node sees it (`session.forwardOut`). */
  openTunnel: OpenTunnel;
  /** The SHA-256 fingerprint the node reported for its certificate (certificate.ts). */
  fingerprint: string;
  token: PveApiToken;
}

export interface PveCallOptions {
  /** Receives the call's record (as its pvesh command) for a task's log. */
  log?: (rec: CommandRecord) => void;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Parameters whose values are secrets: shown as <hidden>, never logged. */
  hidden?: readonly string[];
}

/** A call the API answered with an error status. */
export class PveHttpError extends ClusterdeckError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly status: number,
    readonly paramErrors: Readonly<Record<string, string>>,
  ) {
    super(code, message);
  }
}

const CODES: Record<number, ErrorCode> = {
  400: 'invalid-input',
  401: 'auth-failed',
  403: 'auth-failed',
  404: 'not-found',
  501: 'unsupported',
  // pveproxy's own codes when it cannot reach the node a call is proxied to.
  595: 'unreachable',
  596: 'unreachable',
};

const HINTS: Record<number, string> = {
  401: "The node refused Clusterdeck's API token (deleted, expired or disabled?): reconnect the node to make a new one.",
  403: "Clusterdeck's API token lacks that permission on the node.",
};

/**
 * A parameter's error on one line: PVE ends each with a line break, puts a
 * property string's inner error on a second line ("invalid format - format
 * error\ncurrent: …") and joins repeated ones with a literal backslash-n.
 */
function oneLine(text: string): string {
  return text
    .split(/\r?\n|\\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' / ');
}

/** The error for an answer with a status other than 2xx, as the user reads it. */
export function pveHttpError(
  node: string,
  command: string,
  status: number,
  reason: string,
  body: string,
): PveHttpError {
  let paramErrors: Record<string, string> = {};
  try {
    const parsed = JSON.parse(body) as { errors?: unknown };
    if (parsed.errors && typeof parsed.errors === 'object')
      paramErrors = Object.fromEntries(
        Object.entries(parsed.errors as Record<string, unknown>).map(([k, v]) => [
          k,
          oneLine(String(v)),
        ]),
      );
  } catch {
    // Not JSON (a proxy's page): the status line says enough.
  }
  const details = Object.entries(paramErrors).map(([k, v]) => `${k}: ${v}`);
  const why = oneLine(reason).replace(/\.$/, '') || `HTTP ${status}`;
  const parts = [
    `${node}: \`${command}\` failed: ${status} ${why}${details.length ? ` (${details.join('; ')})` : ''}.`,
  ];
  if (HINTS[status]) parts.push(HINTS[status]);
  const code = CODES[status] ?? (status >= 500 ? 'command-failed' : 'invalid-input');
  return new PveHttpError(code, parts.join(' '), status, paramErrors);
}

/** `/api2/json` and the path, each segment encoded (UPIDs hold colons). */
const apiUrlPath = (path: string): string =>
  API_ROOT + checkPath(path).split('/').map(encodeURIComponent).join('/');

const redact = (text: string, secrets: readonly string[]): string =>
  secrets.reduce((t, secret) => t.split(secret).join(HIDDEN_VALUE), text);

/** The same error with every secret replaced by <hidden> (message and parameter errors). */
function redactError(err: Error, secrets: readonly string[]): Error {
  if (!secrets.some((x) => err.message.includes(x) || JSON.stringify(err).includes(x))) return err;
  if (err instanceof PveHttpError) {
    const paramErrors = Object.fromEntries(
      Object.entries(err.paramErrors).map(([k, v]) => [k, redact(v, secrets)]),
    );
    return new PveHttpError(err.code, redact(err.message, secrets), err.status, paramErrors);
  }
  if (err instanceof ClusterdeckError)
    return new ClusterdeckError(err.code, redact(err.message, secrets));
  return new Error(redact(err.message, secrets));
}

export class PveApiClient {
  readonly node: string;
  private readonly agent: PinnedTunnelAgent;
  private readonly authorization: string;
  private readonly secret: string;
  private readonly connectTls: () => Promise<TLSSocket>;

  constructor(opts: PveApiOptions) {
    const { tokenId, secret } = opts.token;
    // Both go into a header: a line break would inject another one.
    if (!TOKEN_ID.test(tokenId)) throw new Error(`Not a Proxmox API token id: ${tokenId}`);
    if (!TOKEN_SECRET.test(secret))
      throw new Error(`The API token secret of ${tokenId} is malformed.`);
    this.node = opts.node;
    this.secret = secret;
    this.authorization = `PVEAPIToken=${tokenId}=${secret}`;
    this.connectTls = () => connectPinned(opts.node, opts.openTunnel, opts.fingerprint);
    this.agent = new PinnedTunnelAgent(this.connectTls);
  }

  /**
   * A WebSocket on an API path (`vncwebsocket`) on a connection of its own,
   * the token in the upgrade request only; its bytes as a stream. Refusals
   * read as any call's, naming the node and the call (secrets <hidden>).
   */
  async webSocket(path: string, params: PveParams, o: PveCallOptions = {}): Promise<Duplex> {
    const command = pveshCommand('GET', path, params, o.hidden);
    const encoded = formEncode(params);
    try {
      return await openApiWebSocket({
        node: this.node,
        command,
        urlPath: `${apiUrlPath(path)}${encoded ? `?${encoded}` : ''}`,
        authorization: this.authorization,
        connect: this.connectTls,
        timeoutMs: o.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        refused: (status, reason, body) => pveHttpError(this.node, command, status, reason, body),
      });
    } catch (caught) {
      throw redactError(caught as Error, this.secretsOf(params, o));
    }
  }

  private secretsOf(params: PveParams, o: PveCallOptions): string[] {
    return [
      this.secret,
      ...paramPairs(params)
        .filter(([name, value]) => o.hidden?.includes(name) && value !== '')
        .map(([, value]) => value),
    ];
  }

  get<T = unknown>(path: string, params?: PveParams, o?: PveCallOptions): Promise<T> {
    return this.call<T>('GET', path, params, o);
  }
  create<T = unknown>(path: string, params?: PveParams, o?: PveCallOptions): Promise<T> {
    return this.call<T>('POST', path, params, o);
  }
  set<T = unknown>(path: string, params?: PveParams, o?: PveCallOptions): Promise<T> {
    return this.call<T>('PUT', path, params, o);
  }
  delete<T = unknown>(path: string, params?: PveParams, o?: PveCallOptions): Promise<T> {
    return this.call<T>('DELETE', path, params, o);
  }

  /** One API call: its `data` on success; a ClusterdeckError otherwise. */
  async call<T = unknown>(
    method: PveMethod,
    path: string,
    params: PveParams = {},
    o: PveCallOptions = {},
  ): Promise<T> {
    const command = pveshCommand(method, path, params, o.hidden);
    const record = commandRecorder(this.node, command, o.log);
    try {
      const data = await this.send(method, path, params, command, o);
      record(0, '');
      return data as T;
    } catch (caught) {
      // An answer may echo a value ("got 's3cret'"): secrets never pass on.
      const err = redactError(caught as Error, this.secretsOf(params, o));
      // pvesh exits non-zero when the API refuses; null: no answer at all.
      record(err instanceof PveHttpError ? 1 : null, err.message);
      throw err;
    }
  }

  /**
   * A POST whose body the caller streams (an upload's multipart body,
   * storage-upload.ts) with the token, through the pinned tunnel; the
   * caller writes the body and reads the answer (`readBody`, `pveHttpError`).
   */
  streamRequest(path: string, headers: Record<string, string>): ClientRequest {
    return request({
      agent: this.agent,
      host: API_HOST,
      port: API_PORT,
      method: 'POST',
      path: apiUrlPath(path),
      headers: { ...headers, Authorization: this.authorization, Accept: 'application/json' },
    });
  }

  /** Closes the kept connections (and so their tunnels). */
  close(): void {
    this.agent.destroy();
  }

  private async send(
    method: PveMethod,
    path: string,
    params: PveParams,
    command: string,
    o: PveCallOptions,
  ): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.sendOnce(method, path, params, command, o);
      } catch (err) {
        // A kept connection the server closed meanwhile: a read is safe to send again.
        if (method === 'GET' && attempt === 0 && (err as { staleSocket?: boolean }).staleSocket)
          continue;
        throw err;
      }
    }
  }

  private sendOnce(
    method: PveMethod,
    path: string,
    params: PveParams,
    command: string,
    o: PveCallOptions,
  ): Promise<unknown> {
    const encoded = formEncode(params);
    const inQuery = method === 'GET' || method === 'DELETE';
    const urlPath = apiUrlPath(path) + (inQuery && encoded ? `?${encoded}` : '');
    const headers: Record<string, string> = {
      Authorization: this.authorization,
      Accept: 'application/json',
    };
    if (!inQuery) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      headers['Content-Length'] = String(Buffer.byteLength(encoded));
    }
    const options: RequestOptions = {
      agent: this.agent,
      host: API_HOST,
      port: API_PORT,
      method,
      path: urlPath,
      headers,
    };
    const node = this.node;
    if (o.signal?.aborted)
      return Promise.reject(
        new ClusterdeckError(
          'cancelled',
          `Cancelled \`${command}\` on ${node} before it was sent.`,
        ),
      );
    return new Promise((resolve, reject) => {
      let settled = false;
      const done = (err: Error | undefined, value?: unknown) => {
        if (settled) return;
        settled = true;
        o.signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(value);
      };
      const req = request(options, (res) => {
        readBody(res).then(
          (body) => {
            const status = res.statusCode ?? 0;
            if (status < 200 || status > 299) {
              done(pveHttpError(node, command, status, res.statusMessage ?? '', body));
              return;
            }
            try {
              done(undefined, (JSON.parse(body) as { data?: unknown }).data ?? null);
            } catch {
              done(
                new ClusterdeckError(
                  'command-failed',
                  `${node}: \`${command}\` answered something other than JSON: ${body.slice(0, 200)}`,
                ),
              );
            }
          },
          (err: Error) =>
            done(
              new ClusterdeckError('command-failed', `${node}: \`${command}\`: ${err.message}.`),
            ),
        );
      });
      const onAbort = () => {
        const err = new ClusterdeckError('cancelled', `Cancelled \`${command}\` on ${node}.`);
        done(err);
        req.destroy(err);
      };
      o.signal?.addEventListener('abort', onAbort);
      const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      req.setTimeout(timeoutMs, () => {
        const err = new ClusterdeckError(
          'timeout',
          `${node}: \`${command}\` got no answer within ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`}. Check the node's load (pveproxy, pvedaemon), then try again.`,
        );
        done(err);
        req.destroy(err);
      });
      req.on('error', (err: Error & { code?: string }) => {
        if (err instanceof ClusterdeckError) return done(err);
        const stale = req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE');
        done(
          Object.assign(
            new ClusterdeckError(
              'unreachable',
              `${node}: \`${command}\` got no answer from the node's Proxmox API: ${err.message}.`,
            ),
            { staleSocket: stale },
          ),
        );
      });
      req.end(inQuery ? undefined : encoded);
    });
  }
}

/** An answer's body, up to the size no answer Clusterdeck reads comes near. */
export function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        res.destroy();
        reject(new Error(`answer larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB`));
      } else chunks.push(c);
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}
