// The console bridge against the real QEMU VNC servers of the lab: RFB
// through the SSH tunnel, one-time tokens, and nothing left listening.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Backend } from '../../core/backend';
import {
  addLabNode,
  portRefuses,
  readLab,
  resetLabGuests,
  testBackendOptions,
  virshOn,
  waitFor,
} from '../lab';
import { ByteReader } from '../byte-reader';

let home: string;
let backend: Backend;

const vmId = (name: string) => backend.store.all('vms').find((v) => v.name === name)!.id;

async function open(name: string): Promise<{ consoleId: string; url: string }> {
  return (await backend.call('openConsole', { vmId: vmId(name) })) as {
    consoleId: string;
    url: string;
  };
}

/** Connects like noVNC and returns the server's first bytes, or the refusal. */
function firstBytes(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['binary']);
    ws.binaryType = 'nodebuffer';
    ws.once('message', (data: Buffer) => {
      resolve(data.toString('latin1'));
      ws.close();
    });
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

async function rfbPage(url: string): Promise<ByteReader> {
  const ws = new WebSocket(url, ['binary']);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return new ByteReader(ws);
}

/** A guest defined for one test, with the given <graphics> element. */
function createGuest(name: string, graphics: string): void {
  const file = join(readLab().nodes[0]!.dir, `${name}.xml`);
  writeFileSync(
    file,
    `<domain type='qemu'><name>${name}</name><memory unit='MiB'>32</memory><vcpu>1</vcpu>` +
      `<os><type arch='x86_64'>hvm</type></os><devices>${graphics}</devices></domain>`,
  );
  virshOn('node1', ['create', file]);
}

beforeAll(async () => {
  resetLabGuests();
  home = mkdtempSync(join(tmpdir(), 'clusterdeck-console-'));
  backend = await Backend.start(testBackendOptions(home));
  await addLabNode(backend, 'node1');
});

afterAll(() => {
  backend?.close();
  rmSync(home, { recursive: true, force: true });
});

describe('console bridge', () => {
  it('carries the RFB handshake of a running guest through SSH', async () => {
    const { url } = await open('lab-tiny-1');
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
    expect(await firstBytes(url)).toBe('RFB 003.008\n');
  });

  it('refuses a second use of a token and a wrong token', async () => {
    const { url, consoleId } = await open('lab-tiny-1');
    const ws = new WebSocket(url);
    await new Promise((r) => ws.once('open', r));
    await expect(firstBytes(url)).rejects.toThrow(/403|ECONNREFUSED/);
    ws.close();
    await backend.call('closeConsole', { consoleId });

    const other = await open('lab-tiny-1');
    await expect(
      firstBytes(other.url.replace(/token=.*/, 'token=' + 'x'.repeat(32))),
    ).rejects.toThrow(/403/);
    await backend.call('closeConsole', { consoleId: other.consoleId });
  });

  it('refuses a page from another origin', async () => {
    const { url, consoleId } = await open('lab-tiny-1');
    const ws = new WebSocket(url, { origin: 'https://evil.example' });
    const status = await new Promise<number>((resolve) =>
      ws.once('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0)),
    );
    expect(status).toBe(403);
    await backend.call('closeConsole', { consoleId });
  });

  it('stops listening when the console closes, and 20 consoles leave nothing behind', async () => {
    const ports: number[] = [];
    for (let i = 0; i < 20; i++) {
      const { url, consoleId } = await open('lab-tiny-1');
      ports.push(Number(new URL(url).port));
      expect(await firstBytes(url)).toBe('RFB 003.008\n');
      if (i % 2 === 0) await backend.call('closeConsole', { consoleId });
    }
    // Consoles whose page went away close by themselves.
    await waitFor(() => backend.openConsoles === 0, 'all consoles closed', 10_000);
    for (const p of ports) expect(await portRefuses(p)).toBe(true);
  });

  it('logs in with the VNC password from the XML; the page sees no login at all', async () => {
    createGuest(
      'pw-guest',
      `<graphics type='vnc' port='-1' listen='127.0.0.1' passwd='s3cret!x'/>`,
    );
    try {
      await waitFor(
        () => backend.store.all('vms').find((v) => v.name === 'pw-guest' && v.state === 'running'),
        'pw-guest running',
      );
      // The display itself asks for a password: it offers VNC auth (2) only.
      const display = /:(\d+)\s*$/.exec(virshOn('node1', ['domdisplay', 'pw-guest']))!;
      const direct = await new Promise<Buffer>((resolve, reject) => {
        const s = connect(5900 + Number(display[1]), '127.0.0.1');
        let got = Buffer.alloc(0);
        s.on('data', (d) => {
          got = Buffer.concat([got, d]);
          if (got.length === 12) s.write('RFB 003.008\n');
          if (got.length >= 14) {
            s.destroy();
            resolve(got.subarray(12));
          }
        });
        s.on('error', reject);
      });
      expect([...direct]).toEqual([1, 2]);

      // Through the bridge: "no login" (1) is offered and the ServerInit follows.
      const { url } = await open('pw-guest');
      const page = await rfbPage(url);
      expect((await page.read(12)).toString()).toBe('RFB 003.008\n');
      page.ws.send(Buffer.from('RFB 003.008\n'));
      expect([...(await page.read(2))]).toEqual([1, 1]);
      page.ws.send(Buffer.from([1]));
      expect((await page.read(4)).readUInt32BE(0)).toBe(0);
      page.ws.send(Buffer.from([1])); // ClientInit, shared
      const init = await page.read(24);
      expect(init.readUInt16BE(0)).toBeGreaterThan(0); // framebuffer width
      const name = (await page.read(init.readUInt32BE(20))).toString();
      expect(name).toBe('QEMU (pw-guest)');
      page.ws.close();

      // A password changed behind libvirt's back: the page is told why.
      virshOn('node1', ['qemu-monitor-command', 'pw-guest', '--hmp', 'set_password vnc other']);
      const refused = await rfbPage((await open('pw-guest')).url);
      expect((await refused.read(12)).toString()).toBe('RFB 003.008\n');
      refused.ws.send(Buffer.from('RFB 003.008\n'));
      expect([...(await refused.read(1))]).toEqual([0]);
      const reason = (await refused.read((await refused.read(4)).readUInt32BE(0))).toString();
      expect(reason).toMatch(/pw-guest on node1: the display refused the VNC password/);
      expect(reason).not.toMatch(/s3cret/);
    } finally {
      virshOn('node1', ['destroy', 'pw-guest']);
    }
  });

  it('reaches a display on a unix socket through direct-streamlocal', async () => {
    createGuest('socket-guest', `<graphics type='vnc'><listen type='socket'/></graphics>`);
    try {
      await waitFor(
        () =>
          backend.store.all('vms').find((v) => v.name === 'socket-guest' && v.state === 'running'),
        'socket-guest running',
      );
      expect(virshOn('node1', ['domdisplay', 'socket-guest'])).toMatch(/^vnc\+unix:\/\//);
      const { url } = await open('socket-guest');
      expect(await firstBytes(url)).toBe('RFB 003.008\n');
    } finally {
      virshOn('node1', ['destroy', 'socket-guest']);
    }
  });

  it('says why a shut-off guest has no console', async () => {
    await expect(backend.call('openConsole', { vmId: vmId('lab-tiny-2') })).rejects.toMatchObject({
      message: expect.stringMatching(/lab-tiny-2 on node1: .*not running/),
    });
  });
});
