// The console bridge's data path (splice.ts) through a lab node's real sshd:
// large transfers both ways at once arrive whole and in order, a page that
// stops reading stops the node side, and a display that stops reading stops
// the page's socket, so neither leaves the bridge buffering without bound.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { openConsoleBridge } from '../../core/consoles/bridge';
import type { SshSession } from '../../core/ssh/session';
import { openLabSession } from '../lab';

const MiB = 1024 * 1024;

let session: SshSession;
let service: Server;
/** What the service does with its next connection (the display's side). */
let onDisplay: (sock: Socket) => void = () => undefined;

beforeAll(async () => {
  session = await openLabSession();
  // The lab's network namespace is the machine's: the node reaches this
  // process's loopback service through its SSH tunnel, as it would a VNC port.
  service = createServer((sock) => {
    sock.on('error', () => undefined);
    onDisplay(sock);
  });
  await new Promise<void>((r) => service.listen(0, '127.0.0.1', r));
});

afterAll(() => {
  session?.close();
  service?.close();
});

async function bridgePage(): Promise<WebSocket> {
  const port = (service.address() as AddressInfo).port;
  const bridge = await openConsoleBridge(() => session.forwardOut('127.0.0.1', port));
  const ws = new WebSocket(bridge.url, ['binary']);
  ws.binaryType = 'nodebuffer';
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return ws;
}

/** Writes `total` random bytes in pieces of varied size, minding backpressure; resolves to their hash. */
function sendRandom(
  write: (b: Buffer) => boolean,
  waitDrain: () => Promise<void>,
  total: number,
  progress: (n: number) => void = () => undefined,
): Promise<string> {
  const hash = createHash('sha256');
  return (async () => {
    let sent = 0;
    while (sent < total) {
      const piece = randomBytes(Math.min(total - sent, 1 + Math.floor(Math.random() * 96 * 1024)));
      hash.update(piece);
      sent += piece.length;
      progress(sent);
      if (!write(piece)) await waitDrain();
    }
    return hash.digest('hex');
  })();
}

/** Resolves once the page's socket holds less than `bytes` unsent. */
async function belowBuffered(ws: WebSocket, bytes: number): Promise<void> {
  while (ws.bufferedAmount >= bytes) await new Promise((r) => setTimeout(r, 2));
}

/** Resolves once `sent` has not grown for `quietMs`: the sender is held back. */
async function stalled(sent: () => number, quietMs = 1500, timeoutMs = 20_000): Promise<number> {
  const end = Date.now() + timeoutMs;
  let last = -1;
  while (Date.now() < end) {
    const now = sent();
    if (now === last) return now;
    last = now;
    await new Promise((r) => setTimeout(r, quietMs));
  }
  throw new Error(`still sending after ${timeoutMs} ms (${sent()} bytes): nothing holds it back`);
}

describe('console bridge data path', () => {
  it('carries 48 MiB down and 16 MiB up at once, whole and in order', async () => {
    const down = 48 * MiB;
    const up = 16 * MiB;
    const displayGot = createHash('sha256');
    let displayCount = 0;
    let displayDone!: () => void;
    const upArrived = new Promise<void>((r) => (displayDone = r));
    let downSent!: Promise<string>;
    onDisplay = (sock) => {
      sock.on('data', (d: Buffer) => {
        displayGot.update(d);
        displayCount += d.length;
        if (displayCount >= up) displayDone();
      });
      downSent = sendRandom(
        (b) => sock.write(b),
        () => new Promise((r) => sock.once('drain', r)),
        down,
      );
    };
    const ws = await bridgePage();
    const pageGot = createHash('sha256');
    let pageCount = 0;
    const downArrived = new Promise<void>((resolve) =>
      ws.on('message', (d: Buffer) => {
        pageGot.update(d);
        pageCount += d.length;
        if (pageCount >= down) resolve();
      }),
    );
    const upSent = await sendRandom(
      (b) => {
        ws.send(b);
        return ws.bufferedAmount < 4 * MiB;
      },
      () => belowBuffered(ws, MiB),
      up,
    );
    await Promise.all([upArrived, downArrived]);
    expect(displayCount).toBe(up);
    expect(displayGot.digest('hex')).toBe(upSent);
    expect(pageCount).toBe(down);
    expect(pageGot.digest('hex')).toBe(await downSent);
    ws.close();
  }, 60_000);

  it('a page that stops reading stops the node side; on reading again all of it arrives', async () => {
    const total = 256 * MiB; // far more than every buffer on the way holds
    let sent = 0;
    let downSent!: Promise<string>;
    onDisplay = (sock) => {
      downSent = sendRandom(
        (b) => sock.write(b),
        () => new Promise((r) => sock.once('drain', r)),
        total,
        (n) => (sent = n),
      );
    };
    const ws = await bridgePage();
    ws.pause(); // the page's tab is busy: its socket is not read
    const held = await stalled(() => sent);
    // Kernel socket buffers on both TCP legs, ssh2's and sshd's channel
    // buffers and the bridge's high water mark: tens of MiB at most.
    expect(held).toBeLessThan(64 * MiB);

    // Reading again, the page gets everything, in order (a 256 MiB run is
    // long: the rest is read and hashed, then the hash compared).
    const got = createHash('sha256');
    let count = 0;
    const arrived = new Promise<void>((resolve) =>
      ws.on('message', (d: Buffer) => {
        got.update(d);
        count += d.length;
        if (count >= total) resolve();
      }),
    );
    ws.resume();
    await arrived;
    expect(got.digest('hex')).toBe(await downSent);
    ws.close();
  }, 120_000);

  it('a display that stops reading pauses the page; on reading again all of it arrives', async () => {
    const total = 128 * MiB;
    let display!: Socket;
    const got = createHash('sha256');
    let count = 0;
    let arrived!: () => void;
    const allArrived = new Promise<void>((r) => (arrived = r));
    onDisplay = (sock) => {
      display = sock;
      sock.on('data', (d: Buffer) => {
        got.update(d);
        count += d.length;
        if (count >= total) arrived();
      });
      sock.pause(); // the VNC server is stuck: nothing is read
    };
    const ws = await bridgePage();
    let handed = 0;
    const upSent = sendRandom(
      (b) => {
        ws.send(b);
        return ws.bufferedAmount < 8 * MiB;
      },
      () => belowBuffered(ws, 4 * MiB),
      total,
      (n) => (handed = n),
    );
    // What the bridge took off the page's socket, once nothing moves.
    await stalled(() => handed - ws.bufferedAmount);
    expect(handed - ws.bufferedAmount).toBeLessThan(64 * MiB);
    expect(ws.bufferedAmount).toBeGreaterThan(0);

    display.resume();
    await allArrived;
    expect(count).toBe(total);
    expect(got.digest('hex')).toBe(await upSent);
    ws.close();
  }, 120_000);
});
