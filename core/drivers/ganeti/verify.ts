// Health: `gnt-cluster verify` on demand, read into one finding per problem
// with the node (or instance) it names. `--error-codes` makes Ganeti print
// its problems as `ERROR:ENODESETUP:node:node3.example.org:text`; a few
// lines (hooks, communication failures) name a node by its UUID, which the
// node list turns back into its name. Verify has no `--submit`: it submits
// its two jobs itself ("Submitted jobs 40, 41") and waits, so the task
// streams its output and Cancel asks `gnt-job cancel` for those jobs.
import type { HealthFinding } from '../../../shared/cluster-moves';
import { ClusterdeckError } from '../../../shared/errors';
import type { InventoryStore } from '../../inventory/store';
import { quoteArgv } from '../../ssh/quote';
import type { SshSession } from '../../ssh/session';
import type { TaskContext } from '../../tasks/runner';
import type { ClusterChecks } from '../capabilities';
import { jobCancelArgv, type ClusterState } from './commands';
import { streamCommand } from './jobs';

export const VERIFY_ARGV = ['gnt-cluster', 'verify', '--error-codes'];
export const UUIDS_ARGV = [
  'sh',
  '-c',
  'gnt-node list --no-headers --separator="|" -o uuid,name; gnt-instance list --no-headers --separator="|" -o uuid,name',
];

const LEVELS: Record<string, HealthFinding['level']> = {
  ERROR: 'error',
  WARNING: 'warning',
  NOTICE: 'notice',
};

/** `uuid|name` lines into a map. */
export function parseUuidNames(stdout: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const l of stdout.split('\n')) {
    const [uuid, name] = l.trim().split('|');
    if (uuid && name) m.set(uuid, name);
  }
  return m;
}

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g;

/**
 * The problems of a verify run, in its order, each once. Lines look like
 * "<date>   - ERROR:ENODESETUP:node:node3.gnt.test:node setup error: …",
 * without --error-codes "- ERROR: node node3.gnt.test: …", and free-form
 * "- WARNING: Communication failure to node <uuid>: …" or "- NOTICE: …".
 */
export function parseVerify(
  stdout: string,
  names: ReadonlyMap<string, string> = new Map(),
): HealthFinding[] {
  const named = (s: string) => s.replace(UUID, (u) => names.get(u) ?? u);
  const out: HealthFinding[] = [];
  const seen = new Set<string>();
  for (const raw of stdout.split('\n')) {
    const m = /\s-\s(ERROR|WARNING|NOTICE):\s*(.*)$/.exec(raw);
    if (!m) continue;
    const level = LEVELS[m[1]!]!;
    const rest = m[2]!.trim();
    let f: HealthFinding;
    const coded = /^(E[A-Z0-9]+):(\w+):([^:]*):\s*(.*)$/.exec(rest);
    const plain = /^(node|instance|cluster|group) ([^\s:]+):\s*(.*)$/.exec(rest);
    if (coded) {
      const [, code, kind, item, text] = coded;
      f = { level, code, kind, ...(item ? { item: named(item) } : {}), text: named(text!) };
    } else if (plain) {
      f = { level, kind: plain[1], item: named(plain[2]!), text: named(plain[3]!) };
    } else {
      const node = /\bnode ([^\s:]+)/.exec(named(rest));
      f = { level, ...(node ? { kind: 'node', item: node[1] } : {}), text: named(rest) };
    }
    const key = JSON.stringify(f);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(f);
  }
  return out;
}

/** The jobs verify submitted ("Submitted jobs 40, 41"). */
export function parseSubmittedJobs(line: string): string[] {
  const m = /Submitted jobs? ([\d, ]+)/.exec(line);
  return m ? m[1]!.split(/[ ,]+/).filter(Boolean) : [];
}

/** One line for the task: "3 errors, 1 warning" or "no problems". */
export function describeFindings(findings: readonly HealthFinding[]): string {
  const count = (l: HealthFinding['level'], word: string) => {
    const n = findings.filter((f) => f.level === l).length;
    return n ? `${n} ${word}${n === 1 ? '' : 's'}` : '';
  };
  const parts = [count('error', 'error'), count('warning', 'warning'), count('notice', 'notice')];
  return parts.filter(Boolean).join(', ') || 'no problems';
}

/** What verify needs of the driver: the session, the master, the store and its cluster. */
export interface VerifyAccess {
  readonly session: SshSession;
  readonly store: InventoryStore;
  readState(): Promise<ClusterState>;
  toMaster(argv: readonly string[]): Promise<string[]>;
  clusterEntityId(cluster: string): string;
}

export class GanetiVerify implements ClusterChecks {
  constructor(private readonly d: VerifyAccess) {}

  async verifyCluster(ctx: TaskContext): Promise<void> {
    const { session } = this.d;
    const state = await this.d.readState();
    ctx.setSteps(['Verify the cluster', 'Read the findings']);
    ctx.stepState(0, 'running');
    const lines: string[] = [];
    const jobs: string[] = [];
    const onAbort = () => {
      for (const id of jobs)
        void this.d
          .toMaster(jobCancelArgv(id))
          .then((a) => session.exec(a, { log: ctx.log, timeoutMs: 60_000 }))
          .catch(() => undefined);
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    let r: { code: number | null; stderr: string };
    try {
      r = await streamCommand(session, await this.d.toMaster(VERIFY_ARGV), ctx, (l) => {
        lines.push(l);
        jobs.push(...parseSubmittedJobs(l));
        ctx.detail(l.replace(/^\w{3} \w{3} +\d+ [\d:]+ \d{4} +/, ''));
      });
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
    }
    if (ctx.signal.aborted)
      throw new ClusterdeckError('cancelled', 'The cluster check was cancelled.');
    // Exit 1 means problems were found; anything without a verify step ran is a failure to run.
    if (!lines.some((l) => /\* Verifying/.test(l)))
      throw new ClusterdeckError(
        'command-failed',
        `\`${quoteArgv(VERIFY_ARGV)}\` failed on the master of ${session.target.label}'s cluster: ${r.stderr.trim() || `exit ${r.code}`}`,
      );
    ctx.stepState(0, 'done');
    ctx.stepState(1, 'running');
    const ids = await session.exec(await this.d.toMaster(UUIDS_ARGV), { timeoutMs: 60_000 });
    const findings = parseVerify(lines.join('\n'), parseUuidNames(ids.stdout));
    const id = this.d.clusterEntityId(state.cluster);
    const cluster = this.d.store.get('clusters', id);
    if (cluster)
      this.d.store.put('clusters', id, {
        ...cluster,
        health: { checkedAt: Date.now(), command: quoteArgv(VERIFY_ARGV), findings },
      });
    ctx.stepState(1, 'done');
    ctx.detail(`Verified: ${describeFindings(findings)}.`);
  }
}
