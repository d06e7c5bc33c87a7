// The scale case (issue 16): 10 lab nodes with 100 defined guests each,
// the browser shell's real backend as its own process (`serve.cjs`, as
// `npm run serve` runs it) and the real renderer in Chromium. The 10 nodes
// are added at once through the page's own WebSocket (the contract's
// addHost, each with the fingerprint from the lab's known_hosts, as Add
// Host's "Trust and connect" sends it); measured:
//  - tree ready: from the last addHost sent until the tree has a row for
//    every VM (median of LOADS loads, each with a new backend and page),
//    against `virsh list --all` over OpenSSH on the 10 nodes in a row;
//  - the backend's resident memory then (and its peak), the page's JS heap
//    (after a garbage collection, through CDP);
//  - a burst of 20 state changes made on the nodes (`virsh start` of two
//    guests on each node at once, then `virsh destroy`), until the tree
//    shows all 20 in their new state.
// BENCH_PROFILE=<dir> writes the backend's CPU profile (node --cpu-prof)
// and the renderer's Chromium trace of each load there.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type ChromiumBrowser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_EXECUTABLE } from '../../test/e2e/browser-server';
import { measure, median, solo, type LabJson, type Measure } from './common';
import { loadsAlone, prepareScaleLab, stopSeededGuests, type ScaleLab } from './scale-lab';
import { addHostsAndWait, waitForRows, wrapPageSocket, type AddHost } from './scale-page';

const NODES = 10;
const LOADS = 3;
const BURST_PER_NODE = 2;
const GOAL_MS = 2000;

interface Backend {
  child: ChildProcess;
  url: string;
  /** VmRSS and VmHWM of the backend process, MiB. */
  memory(): { rss: number; peak: number };
  stop(): Promise<void>;
}

async function startBackend(repo: string, home: string, profileDir?: string): Promise<Backend> {
  const args = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  // Its own HOME: the user's known_hosts and ssh config stay out of it.
  const child = spawn(process.execPath, [...args, join(repo, 'dist', 'electron', 'serve.cjs')], {
    env: { ...process.env, HOME: home, CLUSTERDECK_HOME: join(home, 'data') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Clusterdeck UI: (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the backend exited (${code}): ${err}`)));
  });
  const status = (field: string) =>
    Number(
      new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
        readFileSync(`/proc/${child.pid}/status`, 'utf8'),
      )?.[1],
    ) / 1024;
  return {
    child,
    url,
    memory: () => ({ rss: status('VmRSS'), peak: status('VmHWM') }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM'); // serve.ts stops cleanly (and writes its profile)
      }),
  };
}

interface LoadFigures {
  treeMs: number;
  /** From the last addHost sent until every addHost answered (each node connected and loaded). */
  answeredMs: number;
  rss: number;
  peak: number;
  heapMiB: number;
}

/** The page's JS heap in use after a collection, MiB (CDP Performance.getMetrics). */
async function pageHeap(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  await cdp.detach();
  return (metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? NaN) / 2 ** 20;
}

/** One load: a new backend and page, the nodes added, the tree waited for. */
async function oneLoad(
  browser: Browser,
  backend: Backend,
  hosts: AddHost[],
  vms: number,
  trace?: string,
): Promise<{ page: Page; figures: LoadFigures }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (e) => process.stderr.write(`bench: page error: ${e.message}\n`));
  await page.addInitScript(wrapPageSocket);
  await page.goto(backend.url);
  await page.getByRole('tree', { name: 'Resources' }).waitFor();
  if (trace) await (browser as ChromiumBrowser).startTracing(page, { path: trace });
  const r = await page.evaluate(addHostsAndWait, { hosts, vms, timeoutMs: 300_000 });
  if (trace) await (browser as ChromiumBrowser).stopTracing();
  const { rss, peak } = backend.memory();
  return {
    page,
    figures: {
      treeMs: r.readyAt - r.sentAt,
      answeredMs: r.answeredAt - r.sentAt,
      rss,
      peak,
      heapMiB: await pageHeap(page),
    },
  };
}

/** Burst of `virsh <verb>` on the nodes; ms until the tree shows them all, and after the last command returned. */
async function burst(
  page: Page,
  lab: ScaleLab,
  verb: 'start' | 'destroy',
): Promise<{ shownMs: number; afterLastMs: number }> {
  const state = verb === 'start' ? 'Running' : 'Shut off';
  const t0 = performance.timeOrigin + performance.now();
  const watching = page.evaluate(waitForRows, {
    pattern: `^cd-scale-\\d+-00[1-${BURST_PER_NODE}] ${state}$`,
    count: BURST_PER_NODE * NODES,
    timeoutMs: 300_000,
  });
  const commandsMs = await lab.burst(verb, BURST_PER_NODE);
  const shownAt = await watching;
  return { shownMs: shownAt - t0, afterLastMs: Math.max(0, shownAt - t0 - commandsMs) };
}

const spread = (xs: number[], digits = 0) =>
  `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;

export async function benchScale(
  repo: string,
  lab: LabJson,
  tmp: string,
  knownHosts: string,
  startedLab: boolean,
): Promise<Measure[]> {
  const nodes = lab.nodes.slice(0, NODES);
  if (nodes.length < NODES) {
    process.stderr.write(
      `bench: scale skipped: the lab has ${lab.nodes.length} nodes, not ${NODES} (scripts/lab down, then BENCH_ONLY=scale npm run bench starts 10)\n`,
    );
    return [];
  }
  const mode = lab.kvm ? 'KVM' : 'TCG, no KVM';
  const profileDir = process.env['BENCH_PROFILE'];
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  // Only the burst's guests run: the lab's own are stopped when the bench started the lab.
  if (startedLab) await stopSeededGuests(lab, nodes);
  const scale = await prepareScaleLab(lab, nodes);
  let browser: Browser | undefined;
  const backends: Backend[] = [];
  try {
    const hosts: AddHost[] = nodes.map((n) => ({
      name: n.name,
      address: n.host,
      port: n.port,
      user: lab.user,
      auth: 'key',
      keyPath: lab.keyPath,
      fingerprint: n.hostKeyFingerprint ?? '',
    }));
    const peer = median([0, 1, 2].map(() => scale.opensshListAll(knownHosts)));
    const alone: { ms: number; cpuMs: number }[] = [];
    for (let i = 0; i < LOADS; i++) alone.push(await loadsAlone(lab, nodes));
    browser = await chromium.launch({
      executablePath: CHROMIUM_EXECUTABLE,
      args: [...CHROMIUM_ARGS],
    });
    const loads: LoadFigures[] = [];
    let last: Page | undefined;
    for (let i = 0; i < LOADS; i++) {
      await last?.close();
      await backends.at(-1)?.stop();
      const home = mkdtempSync(join(tmp, 'scale-'));
      const backend = await startBackend(repo, home, profileDir);
      backends.push(backend);
      const trace = profileDir && join(profileDir, `renderer-load-${i + 1}.json`);
      const { page, figures } = await oneLoad(browser, backend, hosts, scale.domains, trace);
      last = page;
      loads.push(figures);
    }
    const started = await burst(last!, scale, 'start');
    const stopped = await burst(last!, scale, 'destroy');
    const tree = loads.map((l) => l.treeMs);
    const at = (f: (l: LoadFigures) => number) => median(loads.map(f));
    process.stderr.write(
      `bench: scale, ${NODES} nodes (${mode}), ${scale.domains} VMs: tree ready ${spread(tree)} ms ` +
        `(median, range of ${LOADS} loads; goal under ${GOAL_MS} ms: ${median(tree) < GOAL_MS ? 'met' : 'missed'}); ` +
        `every addHost answered ${spread(loads.map((l) => l.answeredMs))} ms; the same loads alone in the bench process ` +
        `${spread(alone.map((a) => a.ms))} ms, its CPU ${spread(alone.map((a) => a.cpuMs))} ms; backend RSS ${spread(loads.map((l) => l.rss))} MiB, ` +
        `peak ${spread(loads.map((l) => l.peak))} MiB; page heap ${spread(
          loads.map((l) => l.heapMiB),
          1,
        )} MiB; ` +
        `burst of ${BURST_PER_NODE * NODES} starts shown ${started.shownMs.toFixed(0)} ms ` +
        `(${started.afterLastMs.toFixed(0)} ms after the last virsh start returned), ` +
        `destroys ${stopped.shownMs.toFixed(0)} ms (${stopped.afterLastMs.toFixed(0)} ms after)\n`,
    );
    const what = `${NODES} nodes, ${scale.domains} VMs (${mode})`;
    return [
      measure(
        `scale: tree ready after the last node added, ${what}, median of ${LOADS}`,
        'ms',
        median(tree),
        'OpenSSH `virsh list --all` on each node in a row',
        peer,
      ),
      measure(
        `scale: tree ready after the last node added, ${what}, median of ${LOADS}`,
        'ms',
        median(tree),
        'the same 10 loads alone (bench process, no page)',
        median(alone.map((a) => a.ms)),
      ),
      solo(
        `scale: backend RSS after the tree, ${what}`,
        'MiB',
        at((l) => l.rss),
      ),
      solo(
        `scale: backend peak RSS during the load`,
        'MiB',
        at((l) => l.peak),
      ),
      solo(
        `scale: page JS heap after the tree (after GC)`,
        'MiB',
        at((l) => l.heapMiB),
      ),
      solo(`scale: burst of ${BURST_PER_NODE * NODES} virsh start shown`, 'ms', started.shownMs),
      solo(`scale: same, after the last start returned`, 'ms', started.afterLastMs),
      solo(`scale: burst of ${BURST_PER_NODE * NODES} virsh destroy shown`, 'ms', stopped.shownMs),
      solo(`scale: same, after the last destroy returned`, 'ms', stopped.afterLastMs),
    ];
  } finally {
    await browser?.close().catch(() => undefined);
    for (const b of backends) await b.stop();
    await scale
      .cleanUp()
      .catch((err: Error) => process.stderr.write(`bench: scale clean-up: ${err.message}\n`));
  }
}
