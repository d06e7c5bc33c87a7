// The Proxmox lab (scripts/lab-pve, docs/lab.md "Proxmox lab") as the PVE
// bench drives it: its lab.json, OpenSSH to a node (a new connection per
// command, or through a ControlMaster), the requests each node's API took
// (the lab daemon's counters, dumped on SIGUSR2) and the CPU time the node
// side spent (/proc/<pid>/stat of every process in the node's namespaces,
// its SSH forwarder and the lab daemon). Asynchronous, so that the backend
// measured in the same process keeps running meanwhile.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface PveLabJson {
  version: string;
  keyPath: string;
  user: string;
  clusterName: string;
  guests?: number;
  nodes: { name: string; host: string; port: number; hostKeyFingerprint: string }[];
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a program; its exit code, output and wall time (never throws). */
export function run(
  file: string,
  args: string[],
  env?: NodeJS.ProcessEnv,
  timeoutMs = 300_000,
): Promise<Run> {
  const t = performance.now();
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { env: env ?? process.env, timeout: timeoutMs, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr, ms: performance.now() - t });
      },
    );
  });
}

/** User time + system time of a process and of its waited-for children, in clock ticks. */
function cpuTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command's closing parenthesis: state is field 3, utime 14 … cstime 17.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return [11, 12, 13, 14].reduce((sum, i) => sum + Number(f[i]), 0);
  } catch {
    return undefined; // gone meanwhile
  }
}

/** Clock ticks per second (sysconf(_SC_CLK_TCK)), 100 on Linux here. */
const TICK_MS =
  1000 / Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout || 100);

/** The node side's CPU at one moment: each process's ticks (own and reaped children's). */
export type CpuSnapshot = Map<number, { ticks: number; what: 'daemon' | 'node' }>;

export class PveLabAccess {
  readonly dir: string;
  private readonly script: string;
  private readonly env: NodeJS.ProcessEnv;

  constructor(repo: string) {
    this.dir = process.env['PVE_LAB_DIR'] ?? join(repo, '.lab-pve');
    this.script = join(repo, 'scripts', 'lab-pve');
    this.env = { ...process.env, PVE_LAB_DIR: this.dir };
  }

  read(): PveLabJson {
    return JSON.parse(readFileSync(join(this.dir, 'lab.json'), 'utf8')) as PveLabJson;
  }

  isUpSync(): boolean {
    if (!existsSync(join(this.dir, 'lab.json'))) return false;
    const r = spawnSync(this.script, ['exec', 'pve1', 'true'], { env: this.env, timeout: 30_000 });
    return r.status === 0;
  }

  /** `scripts/lab-pve ARGS`, waited for; throws on failure. */
  async command(args: string[]): Promise<void> {
    const r = await run(this.script, args, this.env);
    if (r.code !== 0) throw new Error(`bench: lab-pve ${args.join(' ')}: ${r.stderr.trim()}`);
  }

  /** OpenSSH options for a node, trusting only the lab's known_hosts. */
  sshArgs(node: string, extra: string[] = []): string[] {
    const l = this.read();
    const n = l.nodes.find((x) => x.name === node)!;
    return [
      ...['-i', l.keyPath, '-p', String(n.port)],
      ...['-o', `UserKnownHostsFile=${join(this.dir, 'known_hosts')}`],
      ...['-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR'],
      ...extra,
      `${l.user}@${n.host}`,
    ];
  }

  /** `ssh node REMOTE` (REMOTE is the bench's own, fixed text); throws on failure. */
  async ssh(node: string, remote: string, extra: string[] = []): Promise<Run> {
    const r = await run('ssh', [...this.sshArgs(node, extra), remote]);
    if (r.code !== 0) throw new Error(`bench: ssh ${node} ${remote}: ${r.stderr.trim()}`);
    return r;
  }

  /** The requests each node's API listener took so far (the lab daemon's counters). */
  async requests(): Promise<Record<string, Record<string, number>>> {
    const file = join(this.dir, 'daemon.counts.json');
    const seq = () => {
      try {
        return (JSON.parse(readFileSync(file, 'utf8')) as { seq: number }).seq;
      } catch {
        return 0;
      }
    };
    const before = seq();
    process.kill(Number(readFileSync(join(this.dir, 'daemon.pid'), 'utf8')), 'SIGUSR2');
    const end = Date.now() + 5000;
    while (seq() === before) {
      if (Date.now() > end)
        throw new Error(
          'bench: the lab daemon does not dump its request counts (a lab started before they existed? run scripts/lab-pve down and let the bench start it)',
        );
      await new Promise((r) => setTimeout(r, 20));
    }
    return (
      JSON.parse(readFileSync(file, 'utf8')) as { requests: Record<string, Record<string, number>> }
    ).requests;
  }

  /**
   * Every process of the node side: those in the node's network namespace
   * (its sshd sessions and what they run, its 127.0.0.1:8006 forwarder),
   * its SSH address's forwarder on the machine (which reaps each connection's
   * sshd) and the lab daemon (the API of every node).
   */
  cpu(node: string): CpuSnapshot {
    const ns = readFileSync(join(this.dir, node, 'netns'), 'utf8').trim();
    const out: CpuSnapshot = new Map();
    const add = (pid: number, what: 'daemon' | 'node') => {
      const ticks = cpuTicks(pid);
      if (ticks !== undefined) out.set(pid, { ticks, what });
    };
    add(Number(readFileSync(join(this.dir, 'daemon.pid'), 'utf8')), 'daemon');
    add(Number(readFileSync(join(this.dir, node, 'ssh-forward.pid'), 'utf8')), 'node');
    for (const e of readdirSync('/proc')) {
      if (!/^\d+$/.test(e)) continue;
      try {
        if (String(statSync(`/proc/${e}/ns/net`).ino) !== ns) continue;
        add(Number(e), 'node');
      } catch {
        // gone, or not ours to read
      }
    }
    return out;
  }
}

/**
 * Waits (up to 10 s) until no process is on the node side that was not at
 * `before`: a session that ended has exited and been reaped, its CPU time
 * in its parent's (until then it is in neither).
 */
export async function settled(lab: PveLabAccess, node: string, before: CpuSnapshot) {
  const end = Date.now() + 10_000;
  while ([...lab.cpu(node).keys()].some((pid) => !before.has(pid)) && Date.now() < end)
    await new Promise((r) => setTimeout(r, 50));
}

/**
 * CPU milliseconds the node side spent between two snapshots: `daemon` (the
 * API), `node` (sshd, shells, the stand-ins, the forwarders) and `total`. A
 * process that ended meanwhile is in its parent's reaped-children time (the
 * forwarders, sshd): the sum at the end minus the sum at the start counts
 * it once, and what it had spent before the start not at all.
 */
export function cpuSpent(a: CpuSnapshot, b: CpuSnapshot): Record<string, number> {
  const by: Record<string, number> = { total: 0 };
  const put = (what: string, ticks: number) => {
    by[what] = (by[what] ?? 0) + ticks * TICK_MS;
    by['total']! += ticks * TICK_MS;
  };
  for (const [, v] of b) put(v.what, v.ticks);
  for (const [, v] of a) put(v.what, -v.ticks);
  return by;
}
