// Ganeti, against the real Ganeti lab (scripts/lab-ganeti, started and made
// here when it is not up, and taken down again): (a) the time until
// Clusterdeck shows a cluster of 50 instances (Add Host on node1 until all
// 50 are in the store, as the tree shows them) against `gnt-instance list`
// over OpenSSH; (b) the wall time of a live migration of a fake-hypervisor
// sharedfile instance through Clusterdeck (`gnt-instance migrate` as a job
// followed as a task through the backend's own session) against
// `gnt-instance migrate -f` over OpenSSH. The 50 diskless instances are
// made with `gnt-instance add --submit` in parallel jobs and removed at the end.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Backend } from '../../core/backend';
import type { GanetiDriver } from '../../core/drivers/ganeti/driver';
import { ganetiStack } from '../../core/drivers/ganeti/stack';
import { DriverRegistry } from '../../core/drivers/registry';
import { NO_PERSISTENT_SECRETS } from '../../core/store/secrets';
import { measure, type Measure } from './common';

const COUNT = 50;
const RUNS = 3;
const PREFIX = 'cd-bench-';
const MOVER = 'cd-bench-move.gnt.test';

interface GanetiLabJson {
  keyPath: string;
  user: string;
  nodes: { name: string; fqdn: string; host: string; port: number; hostKeyFingerprint: string }[];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function until<T>(get: () => T | undefined, what: string, ms = 300_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function benchGaneti(repo: string, tmp: string): Promise<Measure[]> {
  const labDir = process.env['GANETI_LAB_DIR'] ?? join(repo, '.lab-ganeti');
  const script = join(repo, 'scripts', 'lab-ganeti');
  const env = { ...process.env, GANETI_LAB_DIR: labDir };
  const run = (args: string[]) =>
    spawnSync(script, args, { env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const onNode = (node: string, argv: string[]): string => {
    const r = run(['exec', node, ...argv]);
    if (r.status !== 0) throw new Error(`bench: ${argv.join(' ')} on ${node}: ${r.stderr}`);
    return r.stdout;
  };
  const up = existsSync(join(labDir, 'lab.json')) && run(['exec', 'node1', 'true']).status === 0;
  if (!up) {
    process.stderr.write('bench: starting the Ganeti lab…\n');
    execFileSync(script, ['up', '3'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  try {
    if (run(['exec', 'node1', 'gnt-cluster', 'getmaster']).status !== 0)
      execFileSync(script, ['init-cluster'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    const lab = JSON.parse(readFileSync(join(labDir, 'lab.json'), 'utf8')) as GanetiLabJson;
    const master = onNode('node1', ['gnt-cluster', 'getmaster']).trim();
    const masterNode = lab.nodes.find((n) => n.fqdn === master)!;
    const gnt = (argv: string[]) => onNode(masterNode.name, argv);
    return await withInstances(lab, masterNode, gnt, tmp, labDir);
  } finally {
    if (!up) execFileSync(script, ['down'], { env, stdio: 'ignore' });
  }
}

/**
 * Submits every command line (each with `--submit`) from one shell on the
 * master, then waits for all the jobs; the wall time. Names are plain host
 * names, so the lines need no quoting.
 */
function jobs(gnt: (argv: string[]) => string, lines: string[]): number {
  const t = Date.now();
  const out = gnt(['sh', '-c', `{ ${lines.join('; ')}; } 2>&1`]);
  const ids = [...out.matchAll(/JobID:\s*(\d+)/g)].map((m) => m[1]!);
  if (ids.length !== lines.length) throw new Error(`bench: submitted ${ids.length}: ${out}`);
  for (const id of ids) gnt(['gnt-job', 'wait', id]);
  const failed = gnt(['gnt-job', 'list', '--no-headers', '-o', 'id,status', ...ids])
    .split('\n')
    .filter((l) => l.trim() && !/success$/.test(l.trim()));
  if (failed.length) throw new Error(`bench: jobs not successful: ${failed.join('; ')}`);
  return Date.now() - t;
}

async function withInstances(
  lab: GanetiLabJson,
  master: GanetiLabJson['nodes'][number],
  gnt: (argv: string[]) => string,
  tmp: string,
  labDir: string,
): Promise<Measure[]> {
  const names = Array.from({ length: COUNT }, (_, i) => `${PREFIX}${i + 1}.gnt.test`);
  const nodes = lab.nodes.map((n) => n.fqdn);
  const existing = () =>
    gnt(['gnt-instance', 'list', '--no-headers', '-o', 'name'])
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith(PREFIX));
  const removeAll = () => {
    const left = existing();
    if (left.length)
      jobs(
        gnt,
        left.map((n) => `gnt-instance remove --submit -f --shutdown-timeout=0 ${n}`),
      );
  };
  const home = mkdtempSync(join(tmp, 'ganeti-'));
  let driver: GanetiDriver | undefined;
  const backend = await Backend.start({
    dataDir: home,
    secretBox: NO_PERSISTENT_SECRETS,
    userKnownHosts: join(home, 'none'),
    sshConfig: join(home, 'none'),
    drivers: new DriverRegistry([
      {
        stack: 'ganeti',
        createDriver: (ctx) => (driver = ganetiStack.createDriver(ctx) as GanetiDriver),
      },
    ]),
  });
  try {
    // Add Host on the master until the instances are in the store.
    const add = async (all = true) => {
      const t = Date.now();
      const { hostId } = (await backend.call('addHost', {
        name: 'gnt-node1',
        address: master.host,
        port: master.port,
        user: lab.user,
        auth: 'key',
        keyPath: lab.keyPath,
        fingerprint: master.hostKeyFingerprint,
      })) as { hostId: string };
      await until(() => {
        const shown = backend.store.all('vms').filter((v) => v.name.startsWith(PREFIX));
        return shown.length >= (all ? COUNT : 0) && driver ? true : undefined;
      }, `the cluster shown`);
      return { ms: Date.now() - t, hostId };
    };
    const sshBase = [
      ...['-i', lab.keyPath, '-o', `UserKnownHostsFile=${join(labDir, 'known_hosts')}`],
      ...['-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR'],
      `${lab.user}@${master.host}`,
    ];
    const viaSsh = (remote: string): number => {
      const t = Date.now();
      execFileSync('ssh', [...sshBase, remote], { maxBuffer: 64 << 20 });
      return Date.now() - t;
    };
    // (b) Live migration of a fake-hypervisor sharedfile instance, before the
    // 50 instances exist: with them, the lab's 2-CPU nodes are over the
    // instance policy's vCPU ratio and Ganeti refuses a target (FailCPU).
    // The target is named (-n), as the allocator may pick another node.
    removeAll(); // what an interrupted run left
    const first = await add(false);
    gnt(['sh', '-c', `gnt-instance remove -f --shutdown-timeout=0 ${MOVER} 2>/dev/null; true`]);
    gnt([
      'gnt-instance',
      'add',
      ...['-t', 'sharedfile', '--disk', '0:size=1G', '-o', 'noop', '-H', 'fake'],
      ...['--no-name-check', '--no-ip-check', '-n', nodes[0]!, MOVER],
    ]);
    const primary = () =>
      gnt(['gnt-instance', 'list', '--no-headers', '-o', 'pnode', MOVER]).trim();
    const viaClusterdeck = async (to: string): Promise<number> => {
      const d = await until(() => driver, 'the Ganeti driver');
      const t = Date.now();
      // The migrate capability is another change: the driver's job runner
      // submits the same `gnt-instance migrate` as a job, followed as a task.
      const taskId = backend.tasks.start(`Migrate ${MOVER}`, MOVER, async (ctx) => {
        await d.job(['gnt-instance', 'migrate', '-f', '--submit', '-n', to, '--', MOVER], ctx);
      });
      const task = await until(() => {
        const x = backend.store.get('tasks', taskId);
        return x && x.state !== 'running' ? x : undefined;
      }, 'the migration');
      if (task.error) throw new Error(`bench: ${task.error}`);
      return Date.now() - t;
    };
    const cd: number[] = [];
    const ssh: number[] = [];
    try {
      // Each way moves the instance once: Clusterdeck there, OpenSSH back.
      for (let i = 0; i < RUNS; i++) {
        const from = primary();
        const to = nodes.find((n) => n !== from)!;
        cd.push(await viaClusterdeck(to));
        if (primary() !== to) throw new Error('bench: the instance did not move');
        ssh.push(viaSsh(`gnt-instance migrate -f -n ${from} ${MOVER}`));
        if (primary() !== from) throw new Error('bench: the instance did not move back');
      }
    } finally {
      gnt(['gnt-instance', 'remove', '-f', '--shutdown-timeout=0', MOVER]);
    }
    await backend.call('removeHost', { hostId: first.hostId });

    // (a) The cluster with its 50 instances.
    const addMs = jobs(
      gnt,
      names.map(
        (n, i) =>
          `gnt-instance add --submit -t diskless -o noop --no-name-check --no-ip-check --no-start -n ${nodes[i % nodes.length]} ${n}`,
      ),
    );
    process.stderr.write(`bench: ${COUNT} instances added in ${(addMs / 1000).toFixed(1)} s\n`);
    const shows: number[] = [];
    const lists: number[] = [];
    let hostId = '';
    for (let i = 0; i < RUNS; i++) {
      if (hostId) await backend.call('removeHost', { hostId });
      const r = await add();
      shows.push(r.ms);
      hostId = r.hostId;
      lists.push(viaSsh('gnt-instance list'));
    }

    return [
      measure(
        `Ganeti: show a cluster of ${COUNT} instances (Add Host until all are in the tree), median of ${RUNS}`,
        'ms',
        median(shows),
        '`ssh master gnt-instance list` (OpenSSH)',
        median(lists),
      ),
      measure(
        `Ganeti: live migration of a fake-hypervisor sharedfile instance, median of ${RUNS}`,
        'ms',
        median(cd),
        '`ssh master gnt-instance migrate -f` (OpenSSH)',
        median(ssh),
      ),
    ];
  } finally {
    backend.close();
    rmSync(home, { recursive: true, force: true });
    removeAll();
  }
}
