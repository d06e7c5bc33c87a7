// The API client against a real local HTTPS server with a self-signed
// certificate made by openssl; a local TCP connection stands in for the SSH
// channel (session.forwardOut gives the same kind of duplex stream).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { connect, createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CommandRecord } from '../../../shared/model';
import { apiTunnel, PveApiClient, PveHttpError, pveHttpError } from './api-client';
import { parseCertFingerprint } from './certificate';

const TOKEN_ID = 'root@pam!clusterdeck-test';
const SECRET = '7f2c9e4a-1b3d-4c5e-8f90-a1b2c3d4e5f6';

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: string;
}

let dir: string;
let server: Server;
let port: number;
let fingerprint: string;
let otherFingerprint: string;
const seen: Seen[] = [];
let tunnels = 0;

function selfSigned(name: string): { key: string; cert: string } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.pem`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
}

const fingerprintOf = (name: string) =>
  parseCertFingerprint(
    execFileSync('openssl', [
      'x509',
      '-noout',
      '-fingerprint',
      '-sha256',
      '-in',
      join(dir, `${name}.pem`),
    ]).toString(),
  );

/** A few answers the way pveproxy gives them: status line reason, JSON body. */
function answer(s: Seen): { status: number; reason: string; body: unknown } {
  if (s.authorization !== `PVEAPIToken=${TOKEN_ID}=${SECRET}`)
    return { status: 401, reason: 'authentication failure', body: { data: null } };
  const key = `${s.method} ${s.url}`;
  switch (key) {
    case 'GET /api2/json/cluster/resources?type=vm':
      return { status: 200, reason: 'OK', body: { data: [{ id: 'qemu/100', type: 'qemu' }] } };
    case 'POST /api2/json/nodes/pve1/qemu/100/status/start':
      return {
        status: 200,
        reason: 'OK',
        body: { data: 'UPID:pve1:00001234:0000ABCD:6720F1A0:qmstart:100:root@pam:' },
      };
    case 'POST /api2/json/nodes/pve1/qemu':
      if (s.body.includes('cipassword'))
        return {
          status: 400,
          reason: 'Parameter verification failed.',
          body: { data: null, errors: { cipassword: "value 's3cret pass' is too weak\n" } },
        };
      return {
        status: 400,
        reason: 'Parameter verification failed.',
        body: {
          data: null,
          errors: {
            vmid: 'invalid format - value does not look like a valid VM ID\n',
            memory: "type check ('integer') failed - got 'lots'\n",
          },
        },
      };
    case 'DELETE /api2/json/nodes/pve1/tasks/UPID%3Apve1%3A00001234%3Aqmstart%3A100%3Aroot%40pam%3A':
      return { status: 200, reason: 'OK', body: { data: null } };
    case 'GET /api2/json/nodes/pve1/dropped':
      return { status: 200, reason: 'OK', body: { data: 'read again' } };
    case 'GET /api2/json/nodes/pve1/slow':
      return { status: 0, reason: '', body: null };
    case 'POST /api2/json/nodes/pve1/qemu/101/status/stop':
      return { status: 500, reason: 'VM 101 not running', body: { data: null } };
    default:
      return { status: 501, reason: `Method '${s.method} ${s.url}' not implemented`, body: {} };
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pve-api-test-'));
  const pve = selfSigned('pve1');
  selfSigned('impostor');
  fingerprint = fingerprintOf('pve1');
  otherFingerprint = fingerprintOf('impostor');
  const perSocket = new WeakMap<object, number>();
  server = createServer(pve, (req, res) => {
    const n = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, n);
    // A kept connection the server drops just as the next request comes.
    if (n > 1 && req.url?.endsWith('/dropped')) {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s: Seen = {
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        body: Buffer.concat(chunks).toString(),
      };
      seen.push(s);
      const a = answer(s);
      if (a.status === 0) return; // never answers
      res.writeHead(a.status, a.reason, { 'Content-Type': 'application/json;charset=UTF-8' });
      res.end(JSON.stringify(a.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  seen.length = 0;
  tunnels = 0;
});

function client(opts: { fingerprint?: string; secret?: string } = {}): PveApiClient {
  return new PveApiClient({
    node: 'pve1',
    openTunnel: () => {
      tunnels++;
      return Promise.resolve(connect(port, '127.0.0.1'));
    },
    fingerprint: opts.fingerprint ?? fingerprint,
    token: { tokenId: TOKEN_ID, secret: opts.secret ?? SECRET },
  });
}

describe('PveApiClient', () => {
  it('reads openssl’s fingerprint of the test certificates (two distinct pins)', () => {
    expect(fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(otherFingerprint).not.toBe(fingerprint);
  });

  it('accepts the pinned certificate, sends the token and logs the call as pvesh', async () => {
    const api = client();
    const log: CommandRecord[] = [];
    const data = await api.get('/cluster/resources', { type: 'vm' }, { log: (r) => log.push(r) });
    expect(data).toEqual([{ id: 'qemu/100', type: 'qemu' }]);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      method: 'GET',
      url: '/api2/json/cluster/resources?type=vm',
      authorization: `PVEAPIToken=${TOKEN_ID}=${SECRET}`,
    });
    expect(log).toEqual([
      expect.objectContaining({
        node: 'pve1',
        command: 'pvesh get /cluster/resources --type vm',
        exitCode: 0,
        stderr: '',
      }),
    ]);
    api.close();
  });

  it('keeps the connection for the next call (one tunnel for several calls)', async () => {
    const api = client();
    await api.get('/cluster/resources', { type: 'vm' });
    await api.create('/nodes/pve1/qemu/100/status/start');
    await api.get('/cluster/resources', { type: 'vm' });
    expect(seen.map((s) => s.method)).toEqual(['GET', 'POST', 'GET']);
    expect(tunnels).toBe(1);
    api.close();
  });

  it('refuses a certificate other than the pinned one before sending anything', async () => {
    const api = client({ fingerprint: otherFingerprint });
    const log: CommandRecord[] = [];
    const err = await api
      .get('/cluster/resources', { type: 'vm' }, { log: (r) => log.push(r) })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'host-key-mismatch' });
    const message = (err as Error).message;
    expect(message).toContain('pve1');
    expect(message).toContain(fingerprint);
    expect(message).toContain(otherFingerprint);
    expect(seen).toHaveLength(0);
    expect(log[0]).toMatchObject({
      exitCode: null,
      command: 'pvesh get /cluster/resources --type vm',
    });
    api.close();
  });

  it('sends POST parameters form-encoded and turns a 400 into each parameter’s error', async () => {
    const api = client();
    const log: CommandRecord[] = [];
    const err = await api
      .create(
        '/nodes/pve1/qemu',
        { vmid: 'x', name: 'web 1', memory: 'lots', start: true },
        { log: (r) => log.push(r) },
      )
      .catch((e: unknown) => e);
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: '/api2/json/nodes/pve1/qemu',
      contentType: 'application/x-www-form-urlencoded',
      body: 'vmid=x&name=web+1&memory=lots&start=1',
    });
    expect(err).toBeInstanceOf(PveHttpError);
    expect(err).toMatchObject({
      code: 'invalid-input',
      status: 400,
      paramErrors: {
        vmid: 'invalid format - value does not look like a valid VM ID',
        memory: "type check ('integer') failed - got 'lots'",
      },
    });
    expect((err as Error).message).toBe(
      "pve1: `pvesh create /nodes/pve1/qemu --vmid x --name 'web 1' --memory lots --start 1` failed: 400 Parameter verification failed (vmid: invalid format - value does not look like a valid VM ID; memory: type check ('integer') failed - got 'lots').",
    );
    expect(log[0]).toMatchObject({ exitCode: 1 });
    expect(log[0]!.stderr).toContain('vmid: invalid format');
    api.close();
  });

  it('puts each parameter’s error on one line, as PVE words a property string’s', () => {
    const err = pveHttpError(
      'pve1',
      'pvesh create /nodes/pve1/qemu --memory lots',
      400,
      'Parameter verification failed.',
      JSON.stringify({
        data: null,
        errors: {
          memory:
            "invalid format - format error\ncurrent: type check ('integer') failed - got 'lots'\n",
          net0: 'first\\nsecond\n',
        },
      }),
    );
    expect(err.paramErrors).toEqual({
      memory: "invalid format - format error / current: type check ('integer') failed - got 'lots'",
      net0: 'first / second',
    });
    expect(err.message).not.toContain('\n');
    expect(err.message).toBe(
      "pve1: `pvesh create /nodes/pve1/qemu --memory lots` failed: 400 Parameter verification failed (memory: invalid format - format error / current: type check ('integer') failed - got 'lots'; net0: first / second).",
    );
  });

  it('names the reason pveproxy gives in its status line (500)', async () => {
    const api = client();
    const err = await api.create('/nodes/pve1/qemu/101/status/stop').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'command-failed', status: 500 });
    expect((err as Error).message).toBe(
      'pve1: `pvesh create /nodes/pve1/qemu/101/status/stop` failed: 500 VM 101 not running.',
    );
    api.close();
  });

  it('encodes path segments (a UPID) and sends DELETE parameters in the query', async () => {
    const api = client();
    await api.delete('/nodes/pve1/tasks/UPID:pve1:00001234:qmstart:100:root@pam:');
    expect(seen[0]!.url).toBe(
      '/api2/json/nodes/pve1/tasks/UPID%3Apve1%3A00001234%3Aqmstart%3A100%3Aroot%40pam%3A',
    );
    api.close();
  });

  it('never puts the token’s secret in an error or the log, even when refused', async () => {
    const wrong = '00000000-0000-0000-0000-000000000000';
    const api = client({ secret: wrong });
    const log: CommandRecord[] = [];
    const err = await api
      .get('/cluster/resources', { type: 'vm' }, { log: (r) => log.push(r) })
      .catch((e: unknown) => e);
    expect(seen[0]!.authorization).toBe(`PVEAPIToken=${TOKEN_ID}=${wrong}`);
    expect(err).toMatchObject({ code: 'auth-failed', status: 401 });
    expect((err as Error).message).toMatch(
      /^pve1: `pvesh get \/cluster\/resources --type vm` failed: 401 authentication failure\. /,
    );
    expect((err as Error).message).not.toContain(wrong);
    expect(JSON.stringify(log)).not.toContain(wrong);
    api.close();
  });

  it('hides secret parameters in the logged command and the error', async () => {
    const api = client();
    const log: CommandRecord[] = [];
    const err = await api
      .create(
        '/nodes/pve1/qemu',
        { vmid: 'x', cipassword: 's3cret pass' },
        { log: (r) => log.push(r), hidden: ['cipassword'] },
      )
      .catch((e: unknown) => e);
    expect(seen[0]!.body).toBe('vmid=x&cipassword=s3cret+pass');
    expect(log[0]!.command).toBe('pvesh create /nodes/pve1/qemu --vmid x --cipassword <hidden>');
    expect(err).toMatchObject({ paramErrors: { cipassword: "value '<hidden>' is too weak" } });
    expect((err as Error).message).toContain("cipassword: value '<hidden>' is too weak");
    expect((err as Error).message).not.toContain('s3cret');
    expect(JSON.stringify(log)).not.toContain('s3cret');
    api.close();
  });

  it('refuses a token that would break the header', () => {
    expect(() => client({ secret: 'abc\r\nX-Evil: 1' })).toThrow(/malformed/);
  });

  it('gives up on a cancelled call with a cancelled error', async () => {
    const api = client();
    const ac = new AbortController();
    ac.abort();
    await expect(api.get('/cluster/resources', {}, { signal: ac.signal })).rejects.toMatchObject({
      code: 'cancelled',
    });
    api.close();
  });

  it('gives up on a call the API does not answer in time', async () => {
    const api = client();
    const err = await api.get('/nodes/pve1/slow', {}, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'timeout' });
    expect((err as Error).message).toMatch(
      /^pve1: `pvesh get \/nodes\/pve1\/slow` got no answer within 300 ms\./,
    );
    api.close();
  });

  it('says so when the port does not speak TLS (no pveproxy there)', async () => {
    const conns: Socket[] = [];
    const plain = createTcpServer((s) => {
      conns.push(s);
      s.end('HTTP/1.0 400 Bad Request\r\n\r\n');
    });
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    const plainPort = (plain.address() as AddressInfo).port;
    const api = new PveApiClient({
      node: 'pve1',
      openTunnel: () => Promise.resolve(connect(plainPort, '127.0.0.1')),
      fingerprint,
      token: { tokenId: TOKEN_ID, secret: SECRET },
    });
    const err = await api.get('/version').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'unreachable' });
    expect((err as Error).message).toBe(
      'pve1: the TLS connection to its Proxmox API (127.0.0.1:8006 on the node) failed: what answers on that port does not speak TLS. Check that pveproxy runs there (systemctl status pveproxy).',
    );
    api.close();
    for (const c of conns) c.destroy();
    await new Promise((r) => plain.close(r));
  });

  it('opens its tunnels to 127.0.0.1:8006 as the node sees it', async () => {
    const asked: string[] = [];
    const open = apiTunnel({
      forwardOut: (host, p) => {
        asked.push(`${host}:${p}`);
        return Promise.resolve(connect(port, '127.0.0.1'));
      },
    });
    (await open()).destroy();
    expect(asked).toEqual(['127.0.0.1:8006']);
  });

  it('sends a read again on a new connection when the kept one was dropped, never a change', async () => {
    const api = client();
    await api.get('/cluster/resources', { type: 'vm' });
    expect(await api.get('/nodes/pve1/dropped')).toBe('read again');
    expect(tunnels).toBe(2);
    await api.get('/cluster/resources', { type: 'vm' });
    const err = await api.create('/nodes/pve1/dropped').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'unreachable' });
    expect((err as Error).message).toMatch(
      /^pve1: `pvesh create \/nodes\/pve1\/dropped` got no answer/,
    );
    api.close();
  });
});
