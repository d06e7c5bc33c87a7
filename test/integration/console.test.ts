// The console bridge against the real QEMU VNC servers of the lab: RFB
// through the SSH tunnel, one-time tokens, and nothing left listening.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Backend } from '../../electron/backend/backend';
import { addLabNode, resetLabGuests, testBackendOptions, waitFor } from '../lab';

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

function portRefuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
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

  it('says why a shut-off guest has no console', async () => {
    await expect(backend.call('openConsole', { vmId: vmId('lab-tiny-2') })).rejects.toMatchObject({
      message: expect.stringMatching(/lab-tiny-2 on node1: .*not running/),
    });
  });
});
