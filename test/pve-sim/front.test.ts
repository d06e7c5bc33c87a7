// Several pveproxy fronts on one simulated cluster (as the Proxmox lab runs
// it): each answers as its own node, all share one state; API tokens made
// through the API; a login ticket whose writes need the CSRF token.
import { X509Certificate } from 'node:crypto';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pveCall } from './client';
import { pveSchemasOrSkip } from './schema';
import { makeCert, pveHandler, startPveSim, type PveSim } from './server';

const haveSchemas = pveSchemasOrSkip('pve-sim fronts');
const tokenId = 'root@pam!lab';
const secret = '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e';
const ticket = 'PVE:root@pam:66AA0000::c2lnbmF0dXJl';
const csrf = '66AA0000:Y3NyZg';

let sim: PveSim;
let second: Server;
let pve2: { host: string; port: number; fingerprint: string };

beforeAll(async () => {
  if (!haveSchemas) return;
  sim = await startPveSim({ tokens: { [tokenId]: secret }, taskStepMs: 10 });
  const { key, cert } = makeCert('pve2');
  const handle = pveHandler({
    sim,
    tickets: { [ticket]: { user: 'root@pam', csrf } },
    local: 'pve2',
    violations: sim.violations,
  });
  second = createServer({ key, cert }, (req, res) => void handle(req, res));
  await new Promise<void>((r) => second.listen(0, '127.0.0.1', r));
  const port = (second.address() as AddressInfo).port;
  pve2 = { host: '127.0.0.1', port, fingerprint: new X509Certificate(cert).fingerprint256 };
});

afterAll(async () => {
  if (!haveSchemas) return;
  second.closeAllConnections();
  second.close();
  await sim.close();
  expect(sim.violations).toEqual([]);
});

/** A call with the login ticket (cookie) and, optionally, the CSRF token. */
function ticketCall(
  method: string,
  path: string,
  withCsrf: boolean,
  form = '',
): Promise<{ status: number; body: { data: unknown } }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: pve2.host,
        port: pve2.port,
        method,
        path: `/api2/json${path}`,
        rejectUnauthorized: false,
        agent: false,
        headers: {
          Cookie: `PVEAuthCookie=${encodeURIComponent(ticket)}`,
          ...(withCsrf ? { CSRFPreventionToken: csrf } : {}),
          ...(form
            ? { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': form.length }
            : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as { data: unknown } }),
        );
      },
    );
    req.on('error', reject);
    req.end(form || undefined);
  });
}

describe.skipIf(!haveSchemas)('pveproxy fronts sharing one cluster', () => {
  it('each front is the local node, and `localhost` names it', async () => {
    const local = async (base: typeof pve2) => {
      const r = await pveCall(
        base,
        'GET',
        '/cluster/status',
        {},
        { token: `${tokenId}=${secret}` },
      );
      const rows = r.body.data as { type: string; name: string; local?: number }[];
      return rows.filter((x) => x.type === 'node' && x.local === 1).map((x) => x.name);
    };
    expect(await local(sim)).toEqual(['pve1']);
    expect(await local(pve2)).toEqual(['pve2']);
    const st = await pveCall(
      pve2,
      'GET',
      '/nodes/localhost/qemu',
      {},
      { token: `${tokenId}=${secret}` },
    );
    expect((st.body.data as { vmid: number }[]).map((g) => g.vmid)).toEqual([101]);
  });

  it('makes an API token that works on every front, once', async () => {
    const made = await pveCall(
      pve2,
      'POST',
      '/access/users/root@pam/token/desk',
      { privsep: 0, comment: 'Clusterdeck desktop app' },
      { token: `${tokenId}=${secret}` },
    );
    expect(made.status).toBe(200);
    const data = made.body.data as { 'full-tokenid': string; info: unknown; value: string };
    expect(data['full-tokenid']).toBe('root@pam!desk');
    expect(data.info).toEqual({ privsep: 0, comment: 'Clusterdeck desktop app' });
    const use = await pveCall(sim, 'GET', '/version', {}, { token: `root@pam!desk=${data.value}` });
    expect(use.status).toBe(200);
    const again = await pveCall(
      sim,
      'POST',
      '/access/users/root@pam/token/desk',
      {},
      {
        token: `${tokenId}=${secret}`,
      },
    );
    expect([again.status, again.body.message]).toEqual([500, 'Token already exists.\n']);
    const nobody = await pveCall(
      sim,
      'POST',
      '/access/users/joe@pve/token/x1',
      {},
      {
        token: `${tokenId}=${secret}`,
      },
    );
    expect(nobody.body.message).toBe("no such user ('joe@pve')\n");
    const gone = await pveCall(
      sim,
      'DELETE',
      '/access/users/root@pam/token/desk',
      {},
      {
        token: `${tokenId}=${secret}`,
      },
    );
    expect(gone.status).toBe(200);
    const after = await pveCall(
      sim,
      'GET',
      '/version',
      {},
      { token: `root@pam!desk=${data.value}` },
    );
    expect(after.status).toBe(401);
  });

  it('takes a login ticket, and its writes only with the CSRF token', async () => {
    expect((await ticketCall('GET', '/version', false)).status).toBe(200);
    const path = '/nodes/pve2/qemu/101/status/start';
    expect((await ticketCall('POST', path, false)).status).toBe(401);
    const ok = await ticketCall('POST', path, true);
    expect(ok.status).toBe(200);
    expect(String(ok.body.data)).toMatch(/^UPID:pve2:.*:qmstart:101:root@pam:$/);
  });
});
