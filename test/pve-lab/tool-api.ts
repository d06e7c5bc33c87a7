// What the lab's command stand-ins share: a call to the node's own API at
// https://127.0.0.1:8006 as the node's root (a login ticket the lab gives
// them; the real pvesh calls the API in-process as root), and PVE's text
// output (PVE::CLIFormatter's tables). Test infrastructure, bundled by
// scripts/lab-pve into the lab folder; never imported by the app.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';

export interface ApiAnswer {
  status: number;
  reason: string;
  data: unknown;
  errors?: Record<string, string>;
  message?: string;
}

interface Auth {
  ticket: string;
  csrf: string;
}

const auth = (): Auth =>
  JSON.parse(readFileSync(process.env.PVE_LAB_AUTH ?? '/nonexistent', 'utf8')) as Auth;

export function api(
  method: string,
  path: string,
  pairs: [string, string][] = [],
): Promise<ApiAnswer> {
  const { ticket, csrf } = auth();
  const form = new URLSearchParams(pairs).toString();
  const hasBody = method === 'POST' || method === 'PUT';
  const encoded = path
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: 8006,
        method,
        path: `/api2/json${encoded}${!hasBody && form ? `?${form}` : ''}`,
        // The node's own pveproxy on its loopback: its certificate is the node's.
        rejectUnauthorized: false,
        headers: {
          Cookie: `PVEAuthCookie=${encodeURIComponent(ticket)}`,
          CSRFPreventionToken: csrf,
          ...(hasBody
            ? {
                'Content-Type': 'application/x-www-form-urlencoded',
                'Content-Length': Buffer.byteLength(form),
              }
            : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: Partial<ApiAnswer> = {};
          try {
            body = JSON.parse(text) as Partial<ApiAnswer>;
          } catch {
            body = { data: null, message: text };
          }
          resolve({
            ...body,
            data: body.data,
            status: res.statusCode ?? 0,
            reason: res.statusMessage ?? '',
          });
        });
      },
    );
    req.on('error', reject);
    if (hasBody) req.write(form);
    req.end();
  });
}

/** Why a call failed, as PVE's CLI tools print it: `400 Parameter verification failed.` + one line per parameter. */
export function failure(a: ApiAnswer): string {
  if (a.errors) {
    const lines = Object.keys(a.errors)
      .sort()
      .map((k) => `${k}: ${a.errors![k]!.replace(/\n$/, '')}`);
    return `${a.status} ${a.reason}\n${lines.join('\n')}\n`;
  }
  const msg = (a.message ?? a.reason).replace(/\n$/, '');
  return a.status === 500 || a.status === 0 ? `${msg}\n` : `${a.status} ${msg}\n`;
}

/** The call's data, or the failure printed the way PVE's CLI does (exit 255, Perl's die). */
export async function apiData(method: string, path: string, pairs: [string, string][] = []) {
  const a = await api(method, path, pairs);
  if (a.status !== 200) die(failure(a));
  return a.data;
}

export function die(message: string): never {
  process.stderr.write(message.endsWith('\n') ? message : `${message}\n`);
  process.exit(255);
}

/** Waits for a worker task like qm/pct do, and fails with its exit status. */
export async function waitTask(upid: string): Promise<void> {
  const node = upid.split(':')[1]!;
  for (;;) {
    const s = (await apiData('GET', `/nodes/${node}/tasks/${upid}/status`)) as {
      status: string;
      exitstatus?: string;
    };
    if (s.status === 'stopped') {
      if (s.exitstatus !== 'OK') die(s.exitstatus ?? 'task failed');
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface TextOptions {
  noborder?: boolean;
  noheader?: boolean;
}

const cell = (v: unknown): string =>
  v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);

/** PVE::CLIFormatter's text table: unicode borders, a header, a rule between rows. */
export function table(columns: string[], rows: unknown[][], opts: TextOptions = {}): string {
  const text = rows.map((r) => r.map(cell));
  const widths = columns.map((c, i) =>
    Math.max(opts.noheader ? 0 : c.length, ...text.map((r) => r[i]!.length)),
  );
  const line = (cells: string[], sep: string, l: string, r: string): string =>
    `${l}${cells.map((c, i) => ` ${c.padEnd(widths[i]!)} `).join(sep)}${r}`.trimEnd();
  if (opts.noborder) {
    const out = [...(opts.noheader ? [] : [columns]), ...text].map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join(' ')
        .trimEnd(),
    );
    return out.map((l) => `${l}\n`).join('');
  }
  const rule = (l: string, m: string, r: string, f: string): string =>
    `${l}${widths.map((w) => f.repeat(w + 2)).join(m)}${r}`;
  const out = [rule('┌', '┬', '┐', '─')];
  if (!opts.noheader) out.push(line(columns, '│', '│', '│'), rule('╞', '╪', '╡', '═'));
  text.forEach((r, i) => {
    if (i) out.push(rule('├', '┼', '┤', '─'));
    out.push(line(r, '│', '│', '│'));
  });
  out.push(rule('└', '┴', '┘', '─'));
  return out.map((l) => `${l}\n`).join('');
}

/** An API answer as pvesh's default `text` output shows it. */
export function textOutput(data: unknown, opts: TextOptions = {}): string {
  if (data === null || data === undefined) return '';
  if (Array.isArray(data)) {
    if (!data.every((d) => d && typeof d === 'object' && !Array.isArray(d)))
      return data.map((d) => `${cell(d)}\n`).join('');
    const rows = data as Record<string, unknown>[];
    const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))].sort();
    return table(
      columns,
      rows.map((r) => columns.map((c) => r[c])),
      opts,
    );
  }
  if (typeof data === 'object') {
    const o = data as Record<string, unknown>;
    return table(
      ['key', 'value'],
      Object.keys(o)
        .sort()
        .map((k) => [k, o[k]]),
      opts,
    );
  }
  return `${cell(data)}\n`;
}
