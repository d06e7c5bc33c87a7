// Loopback listeners take only the page that asked for them: console tunnels
// (bridged to the lab VM's real VNC server), upload receivers and downloads
// check the exact Origin and their own Host, and one nobody came to closes.
import { mkdtempSync, rmSync } from 'node:fs';
import { get, request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Backend, type Caller } from '../../core/backend';
import { APP_ORIGIN } from '../../shells/electron/app-scheme';
import {
  addLabNode,
  portRefuses,
  resetLabGuests,
  taskFinished,
  testBackendOptions,
  waitFor,
} from '../lab';

/** A browser shell page's origin, as its transport reports it. */
const PAGE = 'http://127.0.0.1:5173';
const page: Caller = { pageOrigin: PAGE };
/** Short here; 60 s by default. */
const WAIT_MS = 2500;

/** Origins that are not exactly the page's own. */
const OTHER_ORIGINS = [
  undefined,
  'null',
  'file://',
  'http://localhost:5173',
  'http://127.0.0.1:5174',
  'http://127.0.0.1',
  'https://127.0.0.1:5173',
  'http://127.0.0.1:5173.evil.example',
  'https://evil.example',
  APP_ORIGIN,
];
const otherHosts = (port: number) => [
  `localhost:${port}`,
  `127.0.0.1:${port + 1}`,
  '127.0.0.1',
  'evil.example',
  `evil.example:${port}`,
];

let home: string;
let backend: Backend;
let node1: string;

const vmId = (name: string) => backend.store.all('vms').find((v) => v.name === name)!.id;
const pool = () =>
  backend.store.all('pools').find((p) => p.hostId === node1 && p.name === 'lab-images')!;
const portOf = (url: string) => Number(new URL(url).port);

/** Opens a WebSocket like noVNC: its first bytes, or the HTTP status it was refused with. */
function wsAttempt(url: string, origin?: string, host?: string): Promise<string | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['binary'], {
      ...(origin !== undefined && { origin }),
      ...(host !== undefined && { headers: { host } }),
    });
    ws.binaryType = 'nodebuffer';
    ws.once('message', (data: Buffer) => {
      resolve(data.toString('latin1'));
      ws.close();
    });
    ws.once('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0));
    ws.once('error', reject);
  });
}

/** One HTTP request: status and headers, or status 0 when nothing answers. */
function http(
  url: string,
  method: string,
  headers: Record<string, string | undefined>,
): Promise<{ status: number; headers: IncomingHttpHeaders }> {
  const clean = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined));
  return new Promise((resolve) => {
    const req = request(url, { method, headers: clean as Record<string, string> });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', () => resolve({ status: 0, headers: {} }));
    req.end();
  });
}

beforeAll(async () => {
  resetLabGuests();
  home = mkdtempSync(join(tmpdir(), 'clusterdeck-guard-'));
  backend = await Backend.start({ ...testBackendOptions(home), pageWaitMs: WAIT_MS });
  node1 = await addLabNode(backend, 'node1');
  await waitFor(() => backend.store.all('vms').some((v) => v.name === 'lab-tiny-1'), 'guests');
  await waitFor(() => pool()?.volumes.length, 'lab-images volumes');
});

afterAll(() => {
  backend?.close();
  rmSync(home, { recursive: true, force: true });
});

describe('loopback listeners take only the page that asked', () => {
  it('a console tunnel refuses every other origin and Host, then serves its page', async () => {
    const { url, consoleId } = (await backend.call(
      'openConsole',
      { vmId: vmId('lab-tiny-1') },
      page,
    )) as { url: string; consoleId: string };
    for (const origin of OTHER_ORIGINS) expect(await wsAttempt(url, origin), origin).toBe(403);
    for (const host of otherHosts(portOf(url))) {
      expect(await wsAttempt(url, PAGE, host), host).toBe(403);
    }
    // Refusals do not spend the token: the page itself still gets the VM's screen.
    expect(await wsAttempt(url, PAGE)).toBe('RFB 003.008\n');
    await backend.call('closeConsole', { consoleId });
  });

  it("the desktop app's page is app://clusterdeck, exactly", async () => {
    const { url, consoleId } = (await backend.call(
      'openConsole',
      { vmId: vmId('lab-tiny-1') },
      { pageOrigin: APP_ORIGIN },
    )) as { url: string; consoleId: string };
    for (const origin of [undefined, 'null', 'file://', 'app://clusterdeck.evil', PAGE]) {
      expect(await wsAttempt(url, origin), origin).toBe(403);
    }
    expect(await wsAttempt(url, APP_ORIGIN)).toBe('RFB 003.008\n');
    await backend.call('closeConsole', { consoleId });
  });

  it('a caller that is no page gets a tunnel no browser page can use', async () => {
    const { url, consoleId } = (await backend.call('openConsole', {
      vmId: vmId('lab-tiny-1'),
    })) as { url: string; consoleId: string };
    for (const origin of OTHER_ORIGINS.slice(1)) {
      expect(await wsAttempt(url, origin), origin).toBe(403);
    }
    expect(await wsAttempt(url)).toBe('RFB 003.008\n');
    await backend.call('closeConsole', { consoleId });
  });

  it('a download answers only its page, with that exact origin allowed', async () => {
    const vol = pool().volumes[0]!;
    const { url, taskId } = (await backend.call(
      'startDownload',
      { poolId: pool().id, volume: vol.name },
      page,
    )) as { url: string; taskId: string };
    for (const origin of OTHER_ORIGINS) {
      expect((await http(url, 'GET', { origin })).status, origin).toBe(403);
    }
    for (const host of otherHosts(portOf(url))) {
      expect((await http(url, 'GET', { origin: PAGE, host })).status, host).toBe(403);
    }
    const ok = await http(url, 'GET', { origin: PAGE });
    expect(ok.status).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe(PAGE);
    expect((await taskFinished(backend, taskId)).state).toBe('succeeded');
  });
});

describe('a listener nobody came to closes', () => {
  it('a console tunnel, after the wait', async () => {
    const before = backend.openConsoles;
    const { url } = (await backend.call('openConsole', { vmId: vmId('lab-tiny-1') }, page)) as {
      url: string;
    };
    const port = portOf(url);
    await new Promise((r) => setTimeout(r, WAIT_MS / 2));
    expect(await portRefuses(port)).toBe(false);
    expect(backend.openConsoles).toBe(before + 1);
    await waitFor(() => backend.openConsoles === before, 'the unused tunnel closed', WAIT_MS * 2);
    expect(await portRefuses(port)).toBe(true);
  });

  it('an upload receiver (refusals do not count as coming), and its task says why', async () => {
    const { url, taskId } = (await backend.call(
      'startUpload',
      { poolId: pool().id, name: 'guard-never.img', bytes: 1024 },
      page,
    )) as { url: string; taskId: string };
    for (const origin of OTHER_ORIGINS) {
      expect((await http(url, 'OPTIONS', { origin })).status, origin).toBe(403);
      expect((await http(url, 'PUT', { origin, 'content-length': '0' })).status, origin).toBe(403);
    }
    for (const host of otherHosts(portOf(url))) {
      expect((await http(url, 'PUT', { origin: PAGE, host })).status, host).toBe(403);
    }
    expect((await http(url, 'OPTIONS', { origin: PAGE })).status).toBe(204);
    const task = await taskFinished(backend, taskId, WAIT_MS * 4);
    expect(task.state).toBe('failed');
    expect(task.error).toMatch(/did not start sending the file/);
    expect(await portRefuses(portOf(url))).toBe(true);
  });

  it('a download, after the wait', async () => {
    const { url, taskId } = (await backend.call(
      'startDownload',
      { poolId: pool().id, volume: pool().volumes[0]!.name },
      page,
    )) as { url: string; taskId: string };
    const task = await taskFinished(backend, taskId, WAIT_MS * 4);
    expect(task.state).toBe('failed');
    expect(await portRefuses(portOf(url))).toBe(true);
    // Nothing answers a late page.
    expect(
      await new Promise((r) => get(url, () => r('answered')).on('error', () => r('refused'))),
    ).toBe('refused');
  });
});
