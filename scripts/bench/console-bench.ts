// Console tunnels: Clusterdeck's bridge (loopback WebSocket -> ssh2
// direct-tcpip) against what an administrator would set up by hand,
// `ssh -L` plus websockify. Both reach the same TCP service on the node's
// loopback: an echo for round trips, a source for bulk throughput.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo, type Server } from 'node:net';
import WebSocket from 'ws';
import { openConsoleBridge } from '../../core/consoles/bridge';
import { mean, measure, ms, waitForPort, type BenchContext, type Measure } from './common';

const PEER = 'ssh -L + websockify';
const BULK_BYTES = 64 * 1024 * 1024;
const ROUND_TRIPS = 300;

/** 'E' first: echo everything. 'S' first: send BULK_BYTES, then close. */
function startService(): Promise<Server> {
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
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function openSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['binary']);
    ws.binaryType = 'nodebuffer';
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Mean round trip of a 64-byte message, in ms. */
async function roundTrip(url: string): Promise<number> {
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
  for (let i = 0; i < ROUND_TRIPS + 20; i++) {
    got = 0;
    const t = process.hrtime.bigint();
    const back = new Promise<void>((r) => (wake = r));
    ws.send(payload);
    await back;
    if (i >= 20) times.push(ms(t)); // the first ones warm up
  }
  ws.close();
  return mean(times);
}

/**
 * MiB/s of a bulk download through the tunnel. websockify now and then
 * closes before the last bytes are through; such a run is retried (twice
 * at most) and said on stderr rather than failing the whole bench.
 */
async function throughput(url: () => Promise<string>, tries = 3): Promise<number> {
  for (let i = 1; ; i++) {
    try {
      return await throughputOnce(await url());
    } catch (err) {
      if (i >= tries) throw err;
      process.stderr.write(`bench: ${(err as Error).message}; measured again\n`);
    }
  }
}

async function throughputOnce(url: string): Promise<number> {
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

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export async function benchConsole(ctx: BenchContext): Promise<Measure[]> {
  if (spawnSync('sh', ['-c', 'command -v websockify']).status !== 0) {
    process.stderr.write(
      'bench: console measures skipped: websockify is not installed (apt-get install websockify)\n',
    );
    return [];
  }
  const service = await startService();
  const servicePort = (service.address() as AddressInfo).port;
  const session = await ctx.connect();
  const children: ChildProcess[] = [];
  try {
    // Clusterdeck: a new bridge per connection, as each console gets one.
    const bridgeUrl = async () =>
      (await openConsoleBridge(() => session.forwardOut('127.0.0.1', servicePort))).url;

    // The peer: OpenSSH forwards a local port, websockify serves WebSocket on it.
    const forwardPort = await freePort();
    const wsPort = await freePort();
    children.push(
      spawn(
        'ssh',
        [
          ...ctx.sshBase,
          '-N',
          '-L',
          `127.0.0.1:${forwardPort}:127.0.0.1:${servicePort}`,
          ctx.target,
        ],
        { stdio: 'ignore' },
      ),
    );
    await waitForPort(forwardPort);
    children.push(
      spawn('websockify', [`127.0.0.1:${wsPort}`, `127.0.0.1:${forwardPort}`], { stdio: 'ignore' }),
    );
    await waitForPort(wsPort);
    const peerUrl = `ws://127.0.0.1:${wsPort}/`;

    const cdRtt = await roundTrip(await bridgeUrl());
    const peerRtt = await roundTrip(peerUrl);
    const peer = async () => peerUrl;
    await throughput(bridgeUrl); // warm-up for both
    await throughput(peer);
    const cdRate = mean([await throughput(bridgeUrl), await throughput(bridgeUrl)]);
    const peerRate = mean([await throughput(peer), await throughput(peer)]);
    return [
      measure('console round trip, 64 B, mean', 'ms', cdRtt, PEER, peerRtt),
      measure('console bulk throughput, 64 MiB', 'MiB/s', cdRate, PEER, peerRate),
    ];
  } finally {
    for (const c of children) c.kill();
    session.close();
    service.close();
  }
}
