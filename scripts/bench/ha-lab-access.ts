// The HA lab (scripts/lab-ha, docs/lab.md "HA") as the HA bench drives it:
// its lab.json, commands inside its nodes, and what Pacemaker and libvirt
// on a node say. Asynchronous where the bench polls, so that the backend it
// measures in the same process keeps running meanwhile.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface HaLabJson {
  kvm: boolean;
  keyPath: string;
  user: string;
  sharedDir: string;
  nodeSharedDir: string;
  guest: { name: string; config: string; disk: string };
  nodes: { name: string; host: string; port: number; hostKeyFingerprint: string }[];
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class HaLabAccess {
  readonly dir: string;
  private readonly script: string;
  private readonly env: NodeJS.ProcessEnv;

  constructor(repo: string) {
    this.dir = process.env['HA_LAB_DIR'] ?? join(repo, '.lab-ha');
    this.script = join(repo, 'scripts', 'lab-ha');
    this.env = { ...process.env, HA_LAB_DIR: this.dir };
  }

  read(): HaLabJson {
    return JSON.parse(readFileSync(join(this.dir, 'lab.json'), 'utf8')) as HaLabJson;
  }

  /** `scripts/lab-ha ARGS`, waited for (up, down, power-on, fence). */
  command(args: string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      execFile(this.script, args, { env: this.env }, (err, _out, stderr) =>
        err ? reject(new Error(`bench: lab-ha ${args.join(' ')}: ${stderr}`)) : resolve(),
      );
    });
  }

  /** A command inside a node; its exit code (-1 when it could not run) and output. */
  run(node: string, argv: string[], timeoutMs = 120_000): Promise<RunResult> {
    return new Promise((resolve) => {
      execFile(
        this.script,
        ['exec', node, ...argv],
        { env: this.env, timeout: timeoutMs, maxBuffer: 16 << 20 },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  /** The same, throwing on a non-zero exit. */
  async exec(node: string, argv: string[]): Promise<string> {
    const r = await this.run(node, argv);
    if (r.code !== 0) throw new Error(`bench: ${argv.join(' ')} on ${node}: ${r.stderr.trim()}`);
    return r.stdout;
  }

  /** Synchronous, for the start: is a node's namespace up (not fenced, not down)? */
  isOnSync(node: string): boolean {
    const r = spawnSync(this.script, ['exec', node, 'true'], { env: this.env, timeout: 30_000 });
    return r.status === 0;
  }

  isUpSync(): boolean {
    return (
      existsSync(join(this.dir, 'lab.json')) && this.read().nodes.some((n) => this.isOnSync(n.name))
    );
  }

  async isOn(node: string): Promise<boolean> {
    return (await this.run(node, ['true'], 30_000)).code === 0;
  }

  /** `virsh domstate` on the node's own libvirtd ('' when the node or the domain is not there). */
  async domstate(node: string, domain: string): Promise<string> {
    const r = await this.run(node, ['virsh', '-c', 'qemu:///system', 'domstate', domain], 30_000);
    return r.code === 0 ? r.stdout.trim() : '';
  }

  /** The nodes Pacemaker on `node` sees online ([] when it cannot tell). */
  async online(node: string): Promise<string[]> {
    const r = await this.run(node, ['crm_mon', '-1', '--output-as=xml'], 30_000);
    if (r.code !== 0) return [];
    return [...r.stdout.matchAll(/<node name="([^"]+)"[^>]*online="true"/g)].map((m) => m[1]!);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `get` every `everyMs` until it gives a value; throws after `ms`. */
export async function until<T>(
  get: () => T | undefined | Promise<T | undefined>,
  what: string,
  ms = 180_000,
  everyMs = 100,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`bench: timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}
