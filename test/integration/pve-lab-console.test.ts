// A Proxmox VE guest's console through the backend, against the Proxmox lab:
// Add Host over real SSH, then openConsole as the page calls it. The bytes go
// page -> the app's one-time WebSocket on 127.0.0.1 -> the SSH session's
// forward to the node's 127.0.0.1:8006 -> TLS pinned to the node's
// certificate -> vncproxy + vncwebsocket with the API token -> a real QEMU's
// VNC server (started by the lab for that VM), whose password login the
// backend did with vncproxy's password. The page sees the display offer no
// login and then the guest's real framebuffer.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Backend } from '../../core/backend';
import { ByteReader } from '../byte-reader';
import { portRefuses, testBackendOptions, waitFor } from '../lab';
import {
  ensurePveLab,
  pveLabCommand,
  pveRun,
  readPveLab,
  type PveLab,
  pveLabOrSkip,
} from '../pve-lab';

const canRun = pveLabOrSkip('pve-lab-console', ['/usr/bin/qemu-system-x86_64']);

let lab: PveLab;
let startedLab = false;
let backend: Backend;
let home: string;

beforeAll(async () => {
  if (!canRun) return;
  ({ startedLab } = ensurePveLab(3));
  lab = readPveLab();
  home = mkdtempSync(join(tmpdir(), 'clusterdeck-pve-console-'));
  backend = await Backend.start(testBackendOptions(home));
}, 120_000);

afterAll(() => {
  if (!canRun) return;
  backend?.close();
  if (home) rmSync(home, { recursive: true, force: true });
  if (startedLab) pveLabCommand(['down']);
});

const vmId = (name: string) =>
  waitFor(() => backend.store.all('vms').find((v) => v.name === name)?.id, `${name} in the store`);

describe.skipIf(!canRun)('the console of a Proxmox VE guest in the lab', () => {
  it('adds pve1 and offers consoles', async () => {
    const n = lab.nodes[0]!;
    const { hostId } = (await backend.call('addHost', {
      name: n.name,
      address: n.host,
      port: n.port,
      user: lab.user,
      auth: 'key',
      keyPath: lab.keyPath,
      fingerprint: n.hostKeyFingerprint,
    })) as { hostId: string };
    await waitFor(
      () => backend.store.get('hosts', hostId)?.state === 'connected',
      'pve1 connected',
      60_000,
    );
    expect(backend.store.get('hosts', hostId)?.capabilities).toContain('console');
  }, 90_000);

  it("shows web01's real display: no login for the page, then its framebuffer", async () => {
    const t = Date.now();
    const { url, consoleId } = (await backend.call('openConsole', {
      vmId: await vmId('web01'),
    })) as { url: string; consoleId: string };
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
    const ws = new WebSocket(url, ['binary']);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const page = new ByteReader(ws, 30_000);
    try {
      expect((await page.read(12)).toString()).toBe('RFB 003.008\n');
      ws.send(Buffer.from('RFB 003.008\n'));
      // QEMU asked for a password; the backend gave vncproxy's, so the page is offered None only.
      expect([...(await page.read(2))]).toEqual([1, 1]);
      ws.send(Buffer.from([1]));
      expect((await page.read(4)).readUInt32BE(0)).toBe(0);
      ws.send(Buffer.from([1])); // ClientInit, shared
      const init = await page.read(24);
      const width = init.readUInt16BE(0);
      const height = init.readUInt16BE(2);
      expect((await page.read(init.readUInt32BE(20))).toString()).toBe('QEMU (pve-sim-100)');
      console.log(`[pve-lab-console] ServerInit ${width}x${height} in ${Date.now() - t} ms`);
      ws.send(Buffer.from([2, 0, 0, 1, 0, 0, 0, 0])); // SetEncodings: Raw
      const req = Buffer.alloc(10);
      req[0] = 3;
      req.writeUInt16BE(width, 6);
      req.writeUInt16BE(height, 8);
      ws.send(req);
      const head = await page.read(4);
      expect(head[0]).toBe(0); // FramebufferUpdate
      expect(head.readUInt16BE(2)).toBeGreaterThan(0);
      const rect = await page.read(12);
      const w = rect.readUInt16BE(4);
      const h = rect.readUInt16BE(6);
      expect(rect.readInt32BE(8)).toBe(0);
      // The pixels themselves (4 bytes each in QEMU's default format).
      const pixels = await page.read(w * h * 4);
      expect(pixels.length).toBe(w * h * 4);
    } finally {
      ws.close();
      await backend.call('closeConsole', { consoleId });
    }
    await waitFor(() => backend.openConsoles === 0, 'the console closed', 10_000);
    expect(await portRefuses(Number(new URL(url).port))).toBe(true);
    // Closing the page closed the whole path: pve1's vncproxy worker saw its
    // connection end and finished, as Clusterdeck's token's task.
    const worker = async () => {
      const r = pveRun('pve1', ['pvesh', 'get', '/nodes/pve1/tasks', '--output-format', 'json']);
      const tasks = JSON.parse(r.stdout) as {
        type: string;
        id: string;
        user: string;
        status?: string;
      }[];
      return tasks.find((t) => t.type === 'vncproxy' && t.id === '100');
    };
    await waitFor(
      async () => (await worker())?.status === 'OK',
      'the vncproxy task ended OK',
      10_000,
    );
    expect((await worker())!.user).toMatch(/^root@pam!clusterdeck-/);
  }, 90_000);

  it('refuses a stopped guest, naming it and its node', async () => {
    await expect(backend.call('openConsole', { vmId: await vmId('db01') })).rejects.toThrow(
      'db01 is not running on pve2; start it to open its console.',
    );
    expect(backend.openConsoles).toBe(0);
  });

  it("the lab's down stops the console's QEMU (when this suite started the lab)", async () => {
    const pidFile = join(lab.nodes[0]!.dir, 'qemu-server', '100.pid');
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    expect(existsSync(`/proc/${pid}`)).toBe(true);
    if (!startedLab) return console.log('[pve-lab-console] the lab was up before: left up');
    backend.close();
    pveLabCommand(['down']);
    startedLab = false;
    expect(existsSync(`/proc/${pid}`)).toBe(false);
  }, 60_000);
});
