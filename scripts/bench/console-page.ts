// The console bench's two ends, in a process of their own as in the app
// (the page runs in the renderer, the display is QEMU's VNC server): a TCP
// service reached through the tunnels (an echo for round trips, a source
// for bulk throughput) and the page's WebSocket client. The bench process
// then holds only what is measured: Clusterdeck's bridge, or nothing of the
// peer's (ssh and websockify are processes of their own too).
import { fork, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { ms } from './common';

export const BULK_BYTES = 64 * 1024 * 1024;
/** Set in the forked process's environment. */
const ROLE = 'console-page';

type Ask = { id: number; kind: 'bulk' | 'rtt'; url: string; count: number };
type Answer = { id: number; value?: number | number[]; error?: string };

/** 'E' first: echo everything. 'S' first: send BULK_BYTES, then close. */
function startService(): Promise<number> {
  const chunk = Buffer.alloc(256 * 1024, 0x5a);
  const server = createServer((sock) => {
    sock.setNoDelay(true);
    sock.once('data', (first) => {
      if (first[0] === 0x45) {
        if (first.length > 1) sock.write(first.subarray(1));
        sock.pipe(sock);
        return;
      }
      let left = BULK_BYTES;
      const pump = () => {
        while (left > 0) {
          const n = Math.min(left, chunk.length);
          left -= n;
          if (!sock.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
            sock.once('drain', pump);
            return;
          }
        }
        sock.end();
      };
      pump();
    });
    sock.on('error', () => undefined);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

function openSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['binary']);
    ws.binaryType = 'nodebuffer';
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Round trips of a 64-byte message, `count` of them (after 20 to warm up), in ms. */
async function roundTrip(url: string, count: number): Promise<number[]> {
  const ws = await openSocket(url);
  ws.send(Buffer.from('E'));
  const payload = Buffer.alloc(64, 0x41);
  const times: number[] = [];
  let got = 0;
  let wake: () => void = () => undefined;
  ws.on('message', (d: Buffer) => {
    got += d.length;
    if (got >= payload.length) wake();
  });
  for (let i = 0; i < count + 20; i++) {
    got = 0;
    const t = process.hrtime.bigint();
    const back = new Promise<void>((r) => (wake = r));
    ws.send(payload);
    await back;
    if (i >= 20) times.push(ms(t));
  }
  ws.close();
  return times;
}

/** MiB/s of one bulk download through the tunnel. */
async function throughput(url: string): Promise<number> {
  const ws = await openSocket(url);
  let got = 0;
  const t = process.hrtime.bigint();
  await new Promise<void>((resolve) => {
    ws.on('message', (d: Buffer) => {
      got += d.length;
      if (got >= BULK_BYTES) resolve();
    });
    ws.on('close', () => resolve());
    ws.send(Buffer.from('S'));
  });
  const seconds = ms(t) / 1000;
  ws.close();
  if (got < BULK_BYTES) throw new Error(`bulk transfer through ${url} stopped at ${got} bytes`);
  return BULK_BYTES / 1024 / 1024 / seconds;
}

/** In the forked process: serves the bench's asks until it disconnects. */
export async function runConsolePage(): Promise<boolean> {
  if (process.env['BENCH_ROLE'] !== ROLE) return false;
  const port = await startService();
  process.send!({ port });
  process.on('message', (ask: Ask) => {
    const run = ask.kind === 'bulk' ? throughput(ask.url) : roundTrip(ask.url, ask.count);
    run.then(
      (value) => process.send!({ id: ask.id, value } satisfies Answer),
      (err: Error) => process.send!({ id: ask.id, error: err.message } satisfies Answer),
    );
  });
  process.on('disconnect', () => process.exit(0));
  return true;
}

export interface ConsolePage {
  /** The service's port, on the machine's (and so the lab nodes') loopback. */
  port: number;
  bulk(url: string): Promise<number>;
  /** Each round trip's time, in ms. */
  roundTrip(url: string, count: number): Promise<number[]>;
  close(): void;
}

/** Forks this script as the page-and-display process. */
export async function startConsolePage(): Promise<ConsolePage> {
  const child: ChildProcess = fork(process.argv[1]!, [], {
    env: { ...process.env, BENCH_ROLE: ROLE },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`the console page process exited (${code})`)));
  });
  let next = 0;
  const waiting = new Map<number, (a: Answer) => void>();
  child.on('message', (a: Answer) => waiting.get(a.id)?.(a));
  const ask = <T extends number | number[]>(kind: Ask['kind'], url: string, count = 0) =>
    new Promise<T>((resolve, reject) => {
      const id = next++;
      waiting.set(id, (a) => {
        waiting.delete(id);
        if (a.error !== undefined) reject(new Error(a.error));
        else resolve(a.value as T);
      });
      child.send({ id, kind, url, count } satisfies Ask);
    });
  return {
    port,
    bulk: (url) => ask<number>('bulk', url),
    roundTrip: (url, count) => ask<number[]>('rtt', url, count),
    close: () => child.kill(),
  };
}
