// Proxmox VE, against the Proxmox lab (scripts/lab-pve up 3 --guests 50,
// started here when it is not up, and taken down again), through real SSH to
// pve1 on both sides. The node side is the lab's: the simulator (Node.js)
// answers the API, and pvesh and qm are Node stand-ins that call it over
// HTTPS, not Proxmox's Perl pveproxy and pvesh (whose start, loading the
// Perl API tree, is absent here): absolute figures are the lab's.
// (a) The cluster's view: Clusterdeck's refresh (/cluster/status with HA's
//     status beside it, and /cluster/resources, through the kept SSH tunnel
//     and pinned TLS, into the store), and its poll's single read of
//     /cluster/resources, against `ssh pve1 pvesh get /cluster/resources
//     --output-format json`, with a new OpenSSH connection per command and
//     through a ControlMaster.
// (b) Start of a stopped VM on pve1 through the backend (the PVE worker
//     followed by UPID until it ends, the cluster read again) against
//     `ssh pve1 qm start VMID` (the lab's qm waits for the task as qm does).
// (c) Idle cost over a minute: API requests the node's listener took (the
//     lab daemon's counters) and CPU time of the node side (every process
//     of pve1's namespaces, its SSH forwarder, the lab daemon), with the
//     host added and polling, against one SSH session running a pvesh call
//     every 3 s (`watch -n 3 pvesh get /cluster/resources`, as a loop).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Backend } from '../../core/backend';
import type { ProxmoxDriver } from '../../core/drivers/proxmox/driver';
import { proxmoxStack } from '../../core/drivers/proxmox/stack';
import { DriverRegistry } from '../../core/drivers/registry';
import { NO_PERSISTENT_SECRETS } from '../../core/store/secrets';
import { measure, type Measure } from './common';
import { cpuSpent, PveLabAccess, settled, type PveLabJson } from './pve-lab-access';

const GUESTS = 50;
const VIEW_RUNS = 15;
const START_RUNS = 5;
const IDLE_MS = 60_000;
const BASELINE_MS = 20_000;
const PVESH = 'pvesh get /cluster/resources --output-format json';

const say = (s: string) => process.stderr.write(`bench: ${s}\n`);

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(xs: number[]): Spread {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, min: s[0]!, max: s[s.length - 1]! };
}

const range = (s: Spread, digits = 1) => `${s.min.toFixed(digits)}–${s.max.toFixed(digits)}`;

async function until<T>(get: () => T | undefined, what: string, ms = 120_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function benchPve(repo: string, tmp: string): Promise<Measure[]> {
  const lab = new PveLabAccess(repo);
  const up = lab.isUpSync();
  const schemas = process.env['PVE_SCHEMA_DIR'] ?? join(repo, 'test', 'pve-sim', 'schema');
  const version = process.env['PVE_LAB_VERSION'] ?? 'pve9';
  if (!up && !['', '.gz'].some((x) => existsSync(join(schemas, `${version}.apidata.js${x}`)))) {
    // As the console part without websockify: said, and the rest of the bench runs.
    say(
      `skipping the Proxmox part: no ${version} schema in ${schemas} (test/pve-sim/schema/README.md)`,
    );
    return [];
  }
  if (!up) {
    say(`starting the Proxmox lab (3 nodes, ${GUESTS} guests)…`);
    await lab.command(['up', '3', '--guests', String(GUESTS)]);
  }
  try {
    const l = lab.read();
    say(
      `Proxmox lab ${l.version}, ${l.guests ?? '?'} guests; node side: the lab's simulator and Node stand-ins, not Proxmox's Perl`,
    );
    return await withBackend(lab, l, tmp);
  } finally {
    if (!up) await lab.command(['down']);
  }
}

async function withBackend(lab: PveLabAccess, l: PveLabJson, tmp: string): Promise<Measure[]> {
  const home = mkdtempSync(join(tmp, 'pve-'));
  let driver: ProxmoxDriver | undefined;
  const backend = await Backend.start({
    dataDir: home,
    secretBox: NO_PERSISTENT_SECRETS,
    userKnownHosts: join(home, 'none'),
    sshConfig: join(home, 'none'),
    drivers: new DriverRegistry([
      {
        stack: 'proxmox',
        createDriver: (ctx) => (driver = proxmoxStack.createDriver(ctx) as ProxmoxDriver),
      },
    ]),
  });
  const control = join(tmp, 'pve-cm');
  const cm = [
    '-o',
    'ControlMaster=auto',
    '-o',
    `ControlPath=${control}`,
    '-o',
    'ControlPersist=300',
  ];
  let hostId: string | undefined;
  try {
    const pve1 = l.nodes[0]!;
    const t = performance.now();
    ({ hostId } = (await backend.call('addHost', {
      name: pve1.name,
      address: pve1.host,
      port: pve1.port,
      user: l.user,
      auth: 'key',
      keyPath: l.keyPath,
      fingerprint: pve1.hostKeyFingerprint,
    })) as { hostId: string });
    const guests = l.guests ?? GUESTS;
    await until(() => (backend.store.all('vms').length >= guests ? true : undefined), 'the guests');
    say(
      `Add Host of pve1 until its ${guests} guests are in the store: ${ms(performance.now() - t)}`,
    );
    const d = await until(() => driver, 'the Proxmox driver');
    await lab.ssh(pve1.name, 'true', cm); // the ControlMaster's own connection, not measured

    const view = await clusterView(lab, d, cm);
    const start = await startVm(lab, backend, cm);
    const idle = await idleCost(lab, backend, hostId);
    hostId = undefined; // removed by idleCost
    return [...view, ...start, ...idle];
  } finally {
    if (hostId) await backend.call('removeHost', { hostId }).catch(() => undefined);
    backend.close();
    await lab.ssh('pve1', 'true', ['-O', 'exit', ...cm]).catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
  }
}

const ms = (x: number) => `${x.toFixed(0)} ms`;

/** (a) The cluster's view, each way VIEW_RUNS times, interleaved. */
async function clusterView(lab: PveLabAccess, d: ProxmoxDriver, cm: string[]): Promise<Measure[]> {
  const refresh: number[] = [];
  const read: number[] = [];
  const fresh: number[] = [];
  const master: number[] = [];
  let size = 0;
  for (let i = 0; i < VIEW_RUNS; i++) {
    let t = performance.now();
    await d.refresh();
    refresh.push(performance.now() - t);
    t = performance.now();
    size = JSON.stringify(await d.client.get('/cluster/resources')).length;
    read.push(performance.now() - t);
    const a = await lab.ssh('pve1', PVESH);
    if (JSON.parse(a.stdout).length === 0) throw new Error('bench: pvesh listed nothing');
    fresh.push(a.ms);
    master.push((await lab.ssh('pve1', PVESH, cm)).ms);
  }
  const [r, g, f, m] = [spread(refresh), spread(read), spread(fresh), spread(master)];
  say(
    `PVE view (${(size / 1024).toFixed(0)} KiB of /cluster/resources), ${VIEW_RUNS} runs each, min–max: ` +
      `refresh ${range(r)} ms, GET ${range(g)} ms, pvesh new connection ${range(f, 0)} ms, pvesh ControlMaster ${range(m, 0)} ms`,
  );
  const peer = '`ssh pve1 pvesh get /cluster/resources`';
  return [
    measure(
      `PVE: cluster view, refresh (status + HA + resources into the store), median of ${VIEW_RUNS} (${range(r)} ms vs ${range(f, 0)} ms)`,
      'ms',
      r.median,
      `${peer}, new connection`,
      f.median,
    ),
    measure(
      `PVE: cluster view, refresh, median of ${VIEW_RUNS} (${range(r)} ms vs ${range(m, 0)} ms)`,
      'ms',
      r.median,
      `${peer}, ControlMaster`,
      m.median,
    ),
    measure(
      `PVE: GET /cluster/resources (the poll's read), median of ${VIEW_RUNS} (${range(g)} ms vs ${range(m, 0)} ms)`,
      'ms',
      g.median,
      `${peer}, ControlMaster`,
      m.median,
    ),
  ];
}

interface Row {
  vmid: number;
  type: string;
  node: string;
  status: string;
  hastate?: string;
}

/** (b) Start of a stopped VM on pve1, START_RUNS times each way; stopped again (untimed) between. */
async function startVm(lab: PveLabAccess, backend: Backend, cm: string[]): Promise<Measure[]> {
  const rows = JSON.parse(
    (await lab.ssh('pve1', 'pvesh get /cluster/resources --type vm --output-format json', cm))
      .stdout,
  ) as Row[];
  const row = rows.find(
    (g) => g.type === 'qemu' && g.node === 'pve1' && g.status === 'stopped' && !g.hastate,
  );
  if (!row) throw new Error('bench: no stopped VM on pve1 outside HA');
  const vm = () => backend.store.all('vms').find((v) => v.id.endsWith(`:vm:${row.vmid}`));
  const shown = (state: string) =>
    until(() => (vm()?.state === state ? true : undefined), `VM ${row.vmid} ${state}`);
  const stop = async () => {
    await lab.ssh('pve1', `qm stop ${row.vmid}`, cm);
    await shown('shutoff');
  };
  const cd: number[] = [];
  const fresh: number[] = [];
  const master: number[] = [];
  try {
    await shown('shutoff');
    for (let i = 0; i < START_RUNS; i++) {
      const t = performance.now();
      const { taskId } = (await backend.call('vmAction', { vmId: vm()!.id, action: 'start' })) as {
        taskId: string;
      };
      const task = await until(() => {
        const x = backend.store.get('tasks', taskId);
        return x && x.state !== 'running' ? x : undefined;
      }, 'the start task');
      cd.push(performance.now() - t);
      if (task.state !== 'succeeded') throw new Error(`bench: start ${task.state}: ${task.error}`);
      await stop();
      fresh.push((await lab.ssh('pve1', `qm start ${row.vmid}`)).ms);
      await stop();
      master.push((await lab.ssh('pve1', `qm start ${row.vmid}`, cm)).ms);
      await stop();
    }
  } finally {
    await lab.ssh('pve1', `qm stop ${row.vmid}`, cm).catch(() => undefined);
  }
  const [c, f, m] = [spread(cd), spread(fresh), spread(master)];
  say(
    `PVE start of VM ${row.vmid}, ${START_RUNS} runs each, min–max: Clusterdeck ${range(c, 0)} ms, ` +
      `qm new connection ${range(f, 0)} ms, qm ControlMaster ${range(m, 0)} ms`,
  );
  const name = (peerRange: string) =>
    `PVE: start a VM, task followed to its end, median of ${START_RUNS} (${range(c, 0)} ms vs ${peerRange} ms)`;
  return [
    measure(
      name(range(f, 0)),
      'ms',
      c.median,
      '`ssh pve1 qm start VMID`, new connection',
      f.median,
    ),
    measure(name(range(m, 0)), 'ms', c.median, '`ssh pve1 qm start VMID`, ControlMaster', m.median),
  ];
}

/** Requests pve1's API took between two dumps of the daemon's counters. */
const requestsBetween = (
  a: Record<string, Record<string, number>>,
  b: Record<string, Record<string, number>>,
): { total: number; paths: string } => {
  const diff = Object.entries(b['pve1'] ?? {})
    .map(([k, n]) => [k, n - (a['pve1']?.[k] ?? 0)] as const)
    .filter(([, n]) => n > 0);
  return {
    total: diff.reduce((s, [, n]) => s + n, 0),
    paths: diff.map(([k, n]) => `${n} ${k.replace('/api2/json', '')}`).join(', '),
  };
};

/**
 * Requests and CPU per minute on pve1's side while `during` runs; `ended`:
 * its SSH session is waited for until it is gone (and its CPU time counted).
 */
async function window(lab: PveLabAccess, during: () => Promise<unknown>, ended = false) {
  const r0 = await lab.requests();
  const c0 = lab.cpu('pve1');
  const t = performance.now();
  await during();
  const elapsed = performance.now() - t;
  if (ended) await settled(lab, 'pve1', c0);
  const c1 = lab.cpu('pve1');
  const r1 = await lab.requests();
  const perMin = 60_000 / elapsed;
  const req = requestsBetween(r0, r1);
  const cpu = cpuSpent(c0, c1);
  return {
    requests: req.total * perMin,
    paths: req.paths,
    cpu: (cpu['total'] ?? 0) * perMin,
    daemon: (cpu['daemon'] ?? 0) * perMin,
    node: (cpu['node'] ?? 0) * perMin,
    elapsed,
  };
}

/** (c) The idle minute with the host added, the host removed, a baseline, the pvesh minute. */
async function idleCost(lab: PveLabAccess, backend: Backend, hostId: string): Promise<Measure[]> {
  await sleep(3500); // a poll after the last action's reads
  const cd = await window(lab, () => sleep(IDLE_MS));
  await backend.call('removeHost', { hostId });
  await sleep(1000);
  const base = await window(lab, () => sleep(BASELINE_MS));
  // `watch -n 3 pvesh get /cluster/resources` in one SSH session on the
  // node: a call, 3 s of sleep, for a minute.
  const loop = `end=$((SECONDS+${IDLE_MS / 1000})); while [ $SECONDS -lt $end ]; do ${PVESH} >/dev/null; sleep 3; done`;
  const peer = await window(lab, () => lab.ssh('pve1', loop), true);
  const line = (w: typeof cd) =>
    `${w.requests.toFixed(0)} requests/min (${w.paths || 'none'}), CPU ${w.cpu.toFixed(0)} ms/min (daemon ${w.daemon.toFixed(0)}, sshd and the rest ${w.node.toFixed(0)})`;
  say(`PVE idle, Clusterdeck polling: ${line(cd)}`);
  say(`PVE idle, nothing connected (baseline, not subtracted): ${line(base)}`);
  say(`PVE idle, pvesh every 3 s in one SSH session: ${line(peer)}`);
  const watch = '`watch -n 3 pvesh get /cluster/resources` (one SSH session)';
  return [
    measure(
      'PVE idle: API requests per minute on pve1, host added and polling',
      'req',
      cd.requests,
      watch,
      peer.requests,
    ),
    measure(
      `PVE idle: node-side CPU per minute (daemon + sshd + stand-ins; idle lab alone ${base.cpu.toFixed(0)} ms)`,
      'ms',
      cd.cpu,
      watch,
      peer.cpu,
    ),
  ];
}
