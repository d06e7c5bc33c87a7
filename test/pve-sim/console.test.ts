// The simulator's consoles at the wire, as pveproxy and qemu-server answer:
// vncproxy's answer by the schema, the vncwebsocket upgrade's refusals
// (auth, parameters, ticket, WebSocket version and subprotocol) as plain
// HTTP answers, the switch to the WebSocket only for a good request, and the
// worker's end when the guest has no display. Raw TLS requests, no client
// library deciding anything for the test.
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pveCall } from './client';
import { vncTicket } from './console';
import { pveSchemasOrSkip } from './schema';
import { startPveSim, type PveSim } from './server';

const haveSchemas = pveSchemasOrSkip('pve-sim consoles');
const tokenId = 'root@pam!cons';
const secret = '6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const token = `${tokenId}=${secret}`;
let sim: PveSim;

beforeAll(async () => {
  if (!haveSchemas) return;
  sim = await startPveSim({ tokens: { [tokenId]: secret } });
});
afterAll(async () => {
  if (!haveSchemas) return;
  await sim.close();
  expect(sim.violations).toEqual([]);
});

interface Raw {
  status: number;
  reason: string;
  headers: Record<string, string>;
  body: string;
  /** Whether the server closed the connection without a byte. */
  dropped: boolean;
}

/** One upgrade request over TLS, read to the end of the answer's head (and body). */
function upgrade(path: string, headers: Record<string, string | undefined>): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: sim.host, port: sim.port, rejectUnauthorized: false }, () => {
      const lines = [`GET /api2/json${path} HTTP/1.1`, `Host: 127.0.0.1:${sim.port}`];
      const all: Record<string, string | undefined> = {
        Upgrade: 'websocket',
        Connection: 'Upgrade',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Protocol': 'binary',
        Authorization: `PVEAPIToken=${token}`,
        ...headers,
      };
      for (const [k, v] of Object.entries(all)) if (v !== undefined) lines.push(`${k}: ${v}`);
      s.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
    let data = '';
    const finish = () => {
      const end = data.indexOf('\r\n\r\n');
      if (!data) return resolve({ status: 0, reason: '', headers: {}, body: '', dropped: true });
      const [status, ...rest] = data.slice(0, end).split('\r\n');
      const m = /^HTTP\/1\.1 (\d{3}) ?(.*)$/.exec(status!);
      resolve({
        status: Number(m?.[1]),
        reason: m?.[2] ?? '',
        headers: Object.fromEntries(
          rest.map((l) => [
            l.slice(0, l.indexOf(':')).toLowerCase(),
            l.slice(l.indexOf(':') + 1).trim(),
          ]),
        ),
        body: data.slice(end + 4),
        dropped: false,
      });
      s.destroy();
    };
    s.on('data', (d: Buffer) => {
      data += d.toString('latin1');
      // A 101 has no body: its head is the whole answer.
      if (data.startsWith('HTTP/1.1 101') && data.includes('\r\n\r\n')) finish();
    });
    s.on('end', finish);
    s.on('close', finish);
    s.on('error', reject);
  });
}

async function vncproxy(kind = 'qemu', vmid = 100) {
  const res = await pveCall(
    sim,
    'POST',
    `/nodes/pve1/${kind}/${vmid}/vncproxy`,
    { websocket: 1 },
    {
      token,
    },
  );
  expect(res.status).toBe(200);
  return res.body.data as {
    port: number;
    ticket: string;
    upid: string;
    user: string;
    cert: string;
  };
}

const ws = (p: { port: number; ticket: string }, vmid = 100) =>
  `/nodes/pve1/qemu/${vmid}/vncwebsocket?port=${p.port}&vncticket=${encodeURIComponent(p.ticket)}`;

describe.skipIf(!haveSchemas)('the simulator’s vncproxy and vncwebsocket', () => {
  it('vncproxy answers user, ticket, port, upid and cert; its worker is a vncproxy task', async () => {
    const a = await vncproxy();
    expect(a.user).toBe(tokenId);
    expect(a.ticket).toMatch(/^PVEVNC:[0-9A-F]{8}::\S+$/);
    expect(a.port).toBeGreaterThanOrEqual(5900);
    expect(a.port).toBeLessThanOrEqual(5999);
    expect(a.upid).toMatch(
      /^UPID:pve1:[0-9A-F]{8}:[0-9A-F]{8,9}:[0-9A-F]{8}:vncproxy:100:root@pam!cons:$/,
    );
    expect(a.cert).toBe(sim.certPem);
    // Each waiting worker holds its own port.
    expect((await vncproxy()).port).not.toBe(a.port);
    // lxc's vncproxy takes no generate-password: the schema refuses it.
    const res = await pveCall(
      sim,
      'POST',
      '/nodes/pve1/lxc/200/vncproxy',
      { 'generate-password': 1 },
      { token },
    );
    expect(res.status).toBe(400);
    expect(res.body.errors).toHaveProperty('generate-password');
  });

  it('refuses the upgrade as an HTTP answer: no token, no ticket, a bad ticket', async () => {
    const a = await vncproxy();
    expect(await upgrade(ws(a), { Authorization: undefined })).toMatchObject({
      status: 401,
      reason: 'No ticket',
    });
    const missing = await upgrade(`/nodes/pve1/qemu/100/vncwebsocket?port=${a.port}`, {});
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.body)).toMatchObject({
      errors: { vncticket: expect.stringMatching(/missing/) },
    });
    const bad = await upgrade(ws({ port: a.port, ticket: `${a.ticket}x` }), {});
    expect(bad).toMatchObject({ status: 500, reason: 'permission denied - invalid PVEVNC ticket' });
    // Too old (made 41 s ago) and another user's: refused the same way.
    const old = vncTicket(sim, tokenId, '/vms/100', Date.now() - 41_000);
    expect((await upgrade(ws({ port: a.port, ticket: old }), {})).status).toBe(500);
    const others = vncTicket(sim, 'root@pam!other', '/vms/100');
    expect((await upgrade(ws({ port: a.port, ticket: others }), {})).status).toBe(500);
    // A port outside the schema's 5900-5999.
    expect((await upgrade(ws({ port: 6000, ticket: a.ticket }), {})).status).toBe(400);
  });

  it('wants WebSocket version 13 and the binary or base64 subprotocol', async () => {
    const a = await vncproxy();
    expect(await upgrade(ws(a), { 'Sec-WebSocket-Protocol': undefined })).toMatchObject({
      status: 500,
      reason: 'missing websocket-protocol header',
    });
    expect(await upgrade(ws(a), { 'Sec-WebSocket-Protocol': 'chat' })).toMatchObject({
      status: 500,
      reason: "unsupported websocket-protocol protocol 'chat'",
    });
    expect(await upgrade(ws(a), { 'Sec-WebSocket-Version': '8' })).toMatchObject({
      status: 500,
      reason: "unsupported websocket-version '8'",
    });
  });

  it('switches protocols for a good request, once; the worker fails without a display', async () => {
    const a = await vncproxy();
    const ok = await upgrade(ws(a), {});
    expect(ok.status).toBe(101);
    expect(ok.headers['sec-websocket-protocol']).toBe('binary');
    // This simulator has no displays: the worker ends as qm vncproxy fails.
    await expect
      .poll(() => sim.tasks.get(a.upid)?.exitstatus, { timeout: 5000 })
      .toBe('Failed to run vncproxy.');
    expect(sim.tasks.get(a.upid)!.log).toContain('VM 100 has no display');
    // The worker took its one connection: the port no longer listens.
    expect(await upgrade(ws(a), {})).toMatchObject({ dropped: true });
  });
});
