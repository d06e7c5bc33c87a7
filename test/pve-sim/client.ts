// A minimal PVE API client for the simulator's tests: HTTPS over a real
// socket, the server's certificate pinned by its SHA-256 fingerprint.
import { request } from 'node:https';
import type { PeerCertificate } from 'node:tls';

export interface PveResponse {
  status: number;
  reason: string;
  body: { data: unknown; errors?: Record<string, string>; message?: string; total?: number };
}

export interface CallOptions {
  /** `user@realm!tokenid=secret`, or undefined for no Authorization header. */
  token?: string;
  /** Send the body as JSON instead of a form. */
  json?: boolean;
}

export function pveCall(
  base: { host: string; port: number; fingerprint: string },
  method: string,
  path: string,
  params: Record<string, string | number | boolean> = {},
  opts: CallOptions = {},
): Promise<PveResponse> {
  const hasBody = method === 'POST' || method === 'PUT';
  const form = new URLSearchParams(
    Object.entries(params).map(([k, v]) => [k, String(v)]),
  ).toString();
  const body = hasBody ? (opts.json ? JSON.stringify(params) : form) : undefined;
  const query = !hasBody && form ? `?${form}` : '';
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: base.host,
        port: base.port,
        method,
        path: `/api2/json${path}${query}`,
        // Pinned: the certificate is self-signed, so trust is its fingerprint.
        rejectUnauthorized: false,
        // A fresh connection per call: a resumed TLS session shows no peer
        // certificate, and the pin must be checked on every call.
        agent: false,
        headers: {
          ...(opts.token ? { Authorization: `PVEAPIToken=${opts.token}` } : {}),
          ...(body !== undefined
            ? {
                'Content-Type': opts.json
                  ? 'application/json'
                  : 'application/x-www-form-urlencoded',
                'Content-Length': Buffer.byteLength(body),
              }
            : {}),
        },
      },
      (res) => {
        const cert = (
          res.socket as unknown as { getPeerCertificate(): PeerCertificate }
        ).getPeerCertificate();
        if (cert.fingerprint256 !== base.fingerprint) {
          reject(
            new Error(
              `certificate fingerprint ${cert.fingerprint256} is not the pinned ${base.fingerprint}`,
            ),
          );
          res.destroy();
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            reason: res.statusMessage ?? '',
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as PveResponse['body'],
          }),
        );
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

type Call = (
  method: string,
  path: string,
  params?: Record<string, string | number>,
) => Promise<PveResponse>;

/**
 * Polls a worker task's status until it stops: its exit status and log.
 * Bounded by time, not by a count of polls: on a loaded machine each poll
 * and each of the simulator's task steps takes longer.
 */
export async function taskEnded(
  call: Call,
  node: string,
  upid: string,
  withinMs = 30_000,
): Promise<{ exit: string; log: string[] }> {
  const task = `/nodes/${node}/tasks/${encodeURIComponent(upid)}`;
  for (const until = Date.now() + withinMs; Date.now() < until;) {
    const r = await call('GET', `${task}/status`);
    if (r.status !== 200) throw new Error(`task status: ${r.status} ${r.reason}`);
    const st = r.body.data as { status: string; exitstatus?: string };
    if (st.status === 'stopped') {
      const log = (await call('GET', `${task}/log`, { limit: 500 })).body.data as { t: string }[];
      return { exit: st.exitstatus ?? '', log: log.map((l) => l.t) };
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`the task ${upid} did not end within ${withinMs / 1000} s`);
}
