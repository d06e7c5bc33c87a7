// The Proxmox VE driver as the tests against the simulator (test/pve-sim)
// run it: the real API client over HTTPS with the certificate pinned, a
// local TCP connection standing in for the SSH-forwarded channel (the
// driver's openTunnel seam), and a fake SSH session answering only what
// bootstrap runs over SSH (openssl for the fingerprint, pveum for the
// token), which registers the token it makes with the simulator as pveum
// would with the cluster. `simSuite` is a suite's whole set-up around it.
import { randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, expect } from 'vitest';
import type { CommandRecord } from '../../shared/model';
import { parseProbe } from '../../core/drivers/detect';
import { ProxmoxDriver } from '../../core/drivers/proxmox/driver';
import type { DriverSecrets } from '../../core/drivers/registry';
import { InventoryStore } from '../../core/inventory/store';
import type { ExecResult } from '../../core/ssh/session';
import type { TaskContext } from '../../core/tasks/runner';
import type { PveVersion } from '../pve-sim/schema';
import { startPveSim, type PveSim, type SimOptions } from '../pve-sim/server';

/** detect.ts's probe of a PVE node running that pve-manager version. */
export const probeFor = (manager: string): string =>
  [
    'has:pveversion',
    'has:pmxcfs',
    `pve:pve-manager/${manager}/faa83925c9641325 (running kernel: 6.8.8-2-pve)`,
    'hostname:pve1',
    'uptime:5000',
    'cpu:Intel Xeon',
  ].join('\n');

export const PROBE = probeFor('8.2.4');

/**
 * The SSH side of a PVE node: the commands bootstrap runs, answered as the
 * node would; `other` answers a suite's own commands (ha-manager).
 */
export function fakeSession(
  sim: PveSim,
  tokens: Record<string, string>,
  other?: (argv: readonly string[]) => ExecResult | undefined,
) {
  const ran: string[] = [];
  return {
    ran,
    target: { label: 'pve1' },
    exec(argv: readonly string[]): Promise<ExecResult> {
      ran.push(argv.join(' '));
      const ok = (stdout: string) => Promise.resolve({ code: 0, stdout, stderr: '' });
      if (argv[0] === 'sh' && argv[2]?.includes('openssl x509'))
        return ok(`sha256 Fingerprint=${sim.fingerprint}\n`);
      if (argv[0] === 'pveum' && argv[3] === 'add') {
        const id = `${argv[4]}!${argv[5]}`;
        if (tokens[id])
          return Promise.resolve({
            code: 255,
            stdout: '',
            stderr: `Token '${argv[5]}' for user '${argv[4]}' already exists\n`,
          });
        tokens[id] = randomUUID();
        return ok(JSON.stringify({ 'full-tokenid': id, info: { privsep: 0 }, value: tokens[id] }));
      }
      if (argv[0] === 'pveum' && argv[3] === 'delete') {
        delete tokens[`${argv[4]}!${argv[5]}`];
        return ok('');
      }
      const answer = other?.(argv);
      if (answer) return Promise.resolve(answer);
      return Promise.resolve({ code: 127, stdout: '', stderr: `${argv[0]}: not found\n` });
    },
  };
}

export function memorySecrets(): DriverSecrets & { kept: Map<string, string> } {
  const kept = new Map<string, string>();
  return {
    kept,
    installationId: () => Promise.resolve('t3st'),
    candidates: (name) => (kept.has(name) ? [kept.get(name)!] : []),
    save: async (name, value) => void kept.set(name, value),
  };
}

export function taskContext(abort = new AbortController()) {
  const records: CommandRecord[] = [];
  const details: string[] = [];
  const progress: number[] = [];
  const steps: string[] = [];
  /** Each step's states as `index:state`. */
  const states: string[] = [];
  const ctx: TaskContext = {
    signal: abort.signal,
    log: (r) => records.push(r),
    progress: (f) => progress.push(f),
    setSteps: (titles) => steps.push(...titles),
    stepState: (i, st) => states.push(`${i}:${st}`),
    detail: (t) => details.push(t),
    vmJob: () => {},
    vmQueue: () => {},
    offerUndo: () => {},
    offer: () => {},
  };
  const commands = () => records.map((r) => r.command);
  return { ctx, records, details, progress, steps, states, commands, abort };
}

export const until = async (what: () => boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** What the tests opened, closed after them. */
function simCleanup() {
  const tunnels: Socket[] = [];
  const drivers: ProxmoxDriver[] = [];
  return {
    tunnels,
    drivers,
    run() {
      for (const d of drivers) d.stop();
      for (const t of tunnels) t.destroy();
    },
  };
}

/**
 * The driver's `openTunnel` seam as the tests fill it: a local TCP connection
 * to a simulated node's port instead of the SSH-forwarded channel, kept in
 * `sockets` to be destroyed after the tests.
 */
export const tunnelTo = (port: number, sockets: Socket[]) => (): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
    sockets.push(s);
  });

/** What a suite sets otherwise: its node's probe, its session, its polls, its errors. */
export interface SimDriverOptions {
  probe?: string;
  session?: ReturnType<typeof fakeSession>;
  pollMs?: number;
  taskPollMs?: number;
  crmPollMs?: number;
  /** A poll's error; by default thrown, failing the test. */
  onError?: (e: Error) => void;
}

/** A driver of host h1 connected to the simulator's node pve1. */
function simDriver(
  sim: PveSim,
  tokens: Record<string, string>,
  secrets: DriverSecrets,
  cleanup: ReturnType<typeof simCleanup>,
  store = new InventoryStore(),
  opts: SimDriverOptions = {},
) {
  const { tunnels, drivers } = cleanup;
  const session = opts.session ?? fakeSession(sim, tokens);
  const d = new ProxmoxDriver({
    session,
    hostId: 'h1',
    store,
    probe: parseProbe(opts.probe ?? PROBE),
    onError:
      opts.onError ??
      ((e) => {
        throw e;
      }),
    secrets,
    openTunnel: tunnelTo(sim.port, tunnels),
    pollMs: opts.pollMs ?? 100,
    taskPollMs: opts.taskPollMs ?? 20,
    ...(opts.crmPollMs !== undefined ? { crmPollMs: opts.crmPollMs } : {}),
  });
  drivers.push(d);
  return { d, store, session };
}

/** A driver of the suite: its own secrets or store where a test needs them. */
export interface SuiteDriverOptions extends SimDriverOptions {
  secrets?: DriverSecrets;
  store?: InventoryStore;
}

/**
 * One suite against the simulator of `version`, with what every such suite
 * repeated: the simulator started before its tests with the suite's tokens,
 * and after them its drivers stopped, their connections closed, the
 * simulator closed, and no answer that broke its schema. Call it inside the
 * suite's describe; `sim` is there from the suite's first beforeAll on (a
 * beforeAll of the suite registered after this call runs after it).
 */
export function simSuite(
  version: PveVersion,
  simOptions: Omit<SimOptions, 'version' | 'tokens'> = {},
) {
  const tokens: Record<string, string> = {};
  const secrets = memorySecrets();
  const cleanup = simCleanup();
  let started: PveSim | undefined;
  beforeAll(async () => {
    started = await startPveSim({ ...simOptions, version, tokens });
  });
  afterAll(async () => {
    cleanup.run();
    await started?.close();
    expect(started?.violations ?? []).toEqual([]);
  });
  const sim = (): PveSim => {
    if (!started) throw new Error('the simulator starts in the suite’s beforeAll');
    return started;
  };
  /** A driver of host h1 (not started), with the suite's secrets unless given others. */
  const driver = (o: SuiteDriverOptions = {}) =>
    simDriver(sim(), tokens, o.secrets ?? secrets, cleanup, o.store, o);
  return {
    get sim(): PveSim {
      return sim();
    },
    tokens,
    secrets,
    driver,
    /** A driver started: its token made or found, the cluster read. */
    async connected(o: SuiteDriverOptions = {}) {
      const c = driver(o);
      await c.d.start();
      return c;
    },
  };
}
