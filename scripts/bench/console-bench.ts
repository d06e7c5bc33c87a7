// Console tunnels: Clusterdeck's bridge (loopback WebSocket -> ssh2
// direct-tcpip, run by the node's data worker as in the app) against what an administrator would set up by hand,
// `ssh -L` plus websockify. Both reach the same TCP service on the node's
// loopback: an echo for round trips, a source for bulk throughput. That
// service and the page's WebSocket run in a process of their own
// (console-page.ts); the two sides' runs alternate.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mean, measure, median, waitForPort, type BenchContext, type Measure } from './common';
import { startConsolePage } from './console-page';

const PEER = 'ssh -L + websockify';
/** Round trips per side, in blocks that alternate between the two. */
const ROUND_TRIPS = 300;
const RTT_BLOCKS = 3;
/** Bulk downloads per side, alternating; the median counts. */
const BULK_ROUNDS = 3;

/**
 * A measure retried (twice at most) when it fails: websockify now and then
 * closes before the last bytes are through; said on stderr rather than
 * failing the whole bench.
 */
async function retried(what: () => Promise<number>, tries = 3): Promise<number> {
  for (let i = 1; ; i++) {
    try {
      return await what();
    } catch (err) {
      if (i >= tries) throw err;
      process.stderr.write(`bench: ${(err as Error).message}; measured again\n`);
    }
  }
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
  // The page and the display run in a process of their own, as in the app.
  const page = await startConsolePage();
  const servicePort = page.port;
  // The app's path: the node's data worker runs the bridge on its own connection.
  const worker = await ctx.dataWorker();
  const children: ChildProcess[] = [];
  try {
    // Clusterdeck: a new bridge per connection, as each console gets one.
    const bridgeUrl = async () =>
      (
        await worker.openConsole({
          route: { kind: 'tcp', host: '127.0.0.1', port: servicePort },
          what: 'the bench service',
          guard: {},
        })
      ).url;

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

    // A warm-up for both first: a bulk transfer each, so that the bridge's
    // code is compiled (V8 optimizes a function after many calls; the app's
    // bridge has run long before anyone waits on it) and websockify's and
    // ssh's buffers are grown.
    await retried(async () => page.bulk(await bridgeUrl()));
    await retried(() => page.bulk(peerUrl));
    // The two alternate, so a change in the machine's load falls on both.
    const cdRtt: number[] = [];
    const peerRtt: number[] = [];
    const perBlock = ROUND_TRIPS / RTT_BLOCKS;
    for (let i = 0; i < RTT_BLOCKS; i++) {
      cdRtt.push(...(await page.roundTrip(await bridgeUrl(), perBlock)));
      peerRtt.push(...(await page.roundTrip(peerUrl, perBlock)));
    }
    const cdRate: number[] = [];
    const peerRate: number[] = [];
    for (let i = 0; i < BULK_ROUNDS; i++) {
      cdRate.push(await retried(async () => page.bulk(await bridgeUrl())));
      peerRate.push(await retried(() => page.bulk(peerUrl)));
    }
    return [
      measure('console round trip, 64 B, mean', 'ms', mean(cdRtt), PEER, mean(peerRtt)),
      // On a loaded machine the mean is its slowest few trips (a process
      // waiting for a core); the median is the typical trip.
      measure('console round trip, 64 B, median', 'ms', median(cdRtt), PEER, median(peerRtt)),
      measure('console bulk throughput, 64 MiB', 'MiB/s', median(cdRate), PEER, median(peerRate)),
    ];
  } finally {
    for (const c of children) c.kill();
    worker.close();
    page.close();
  }
}
