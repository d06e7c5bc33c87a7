// Migrate VM and maintenance mode on Ganeti: the options read fresh from the
// master (migrate.ts mirrors Ganeti's checks on them), Ganeti's own dry run
// as the preflight, the move as a job followed as the task; maintenance
// drains the node (no new instance lands on it), then `gnt-node migrate`,
// whose migration jobs (one per primary instance) are followed one by one.
import type { Finding } from '../../../shared/cluster';
import { ClusterdeckError } from '../../../shared/errors';
import type { Vm } from '../../../shared/model';
import { quoteArgv } from '../../ssh/quote';
import type { SshSession } from '../../ssh/session';
import type { TaskContext } from '../../tasks/runner';
import type { ClusterMove, ClusterMoves, DriverStep } from '../capabilities';
import type { ClusterState } from './commands';
import { streamCommand } from './jobs';
import {
  drainArgv,
  EXTERNALLY_MIRRORED,
  ganetiRefusal,
  INTERNALLY_MIRRORED,
  jobResultArgv,
  jobSummaryArgv,
  moveArgv,
  moveInstanceArgv,
  moveNodesArgv,
  moveOptions,
  nodeInstancesArgv,
  nodeMigrateArgv,
  parseChildJobs,
  parseJobSummaries,
  parseMoveInstance,
  parseMoveNodes,
  parseNodeInstances,
} from './migrate';
import { jobError } from './parse';

/** What the moves need of the driver. */
export interface MovesAccess {
  readonly session: SshSession;
  readState(): Promise<ClusterState>;
  toMaster(argv: readonly string[]): Promise<string[]>;
  /** Submits and follows a job as the task, then reads the cluster again. */
  job(argv: string[], ctx: TaskContext): Promise<string>;
  load(): Promise<unknown>;
}

const MIRRORED = [...INTERNALLY_MIRRORED, ...EXTERNALLY_MIRRORED];

export class GanetiMoves implements ClusterMoves {
  constructor(private readonly d: MovesAccess) {}

  private get label(): string {
    return this.d.session.target.label;
  }

  /** A read on the master: its stdout, or an error naming the command and node. */
  private async read(argv: readonly string[]): Promise<string> {
    const r = await this.d.session.exec(await this.d.toMaster(argv), { timeoutMs: 60_000 });
    if (r.code !== 0)
      throw new ClusterdeckError(
        'command-failed',
        `\`${quoteArgv(argv)}\` failed on ${this.label}: ${r.stderr.trim() || `exit ${r.code}`}`,
      );
    return r.stdout;
  }

  async moveOptions(vm: Vm) {
    const [inst, nodes] = await Promise.all([
      this.read(moveInstanceArgv(vm.name)),
      this.read(moveNodesArgv()),
    ]);
    return moveOptions(parseMoveInstance(inst), parseMoveNodes(nodes));
  }

  async checkMove(vm: Vm, move: ClusterMove) {
    const state = await this.d.readState();
    const step: DriverStep = {
      title: `${describeMove(move)} ${vm.name}`,
      argv: moveArgv(vm.name, move.how, move.targetNode),
    };
    // Ganeti's own prerequisite checks, nothing changed: its refusal is the preflight's answer.
    const r = await this.d.session.exec(
      await this.d.toMaster(moveArgv(vm.name, move.how, move.targetNode, true)),
      { timeoutMs: 120_000 },
    );
    return {
      node: state.master,
      step,
      ...(r.code === 0 ? {} : { refusal: ganetiRefusal(`${r.stdout}\n${r.stderr}`) }),
    };
  }

  async runMove(vm: Vm, move: ClusterMove, ctx: TaskContext): Promise<void> {
    await this.d.job(moveArgv(vm.name, move.how, move.targetNode), ctx);
  }

  async selfNode(): Promise<string> {
    return (await this.d.readState()).self;
  }

  async maintenancePlan(node: string, enter: boolean) {
    const steps: DriverStep[] = [];
    const findings: Finding[] = [];
    if (!enter) {
      steps.push({ title: `Undrain ${node}`, argv: drainArgv(node, false) });
      return { findings, steps };
    }
    const dry = await this.d.session.exec(await this.d.toMaster(drainArgv(node, true, true)), {
      timeoutMs: 120_000,
    });
    findings.push(
      dry.code === 0
        ? { check: 'Drain', level: 'ok', detail: `Ganeti can drain ${node}.` }
        : {
            check: 'Drain',
            level: 'problem',
            detail: `Ganeti refuses to drain ${node}: ${ganetiRefusal(`${dry.stdout}\n${dry.stderr}`)}`,
            fix: 'Make another node the master first (gnt-cluster master-failover on it).',
          },
    );
    steps.push({ title: `Drain ${node}`, argv: drainArgv(node, true) });
    const instances = parseNodeInstances(await this.read(nodeInstancesArgv()), node);
    for (const i of instances) {
      const running = i.status === 'running' || i.status === 'ERROR_up';
      if (running && MIRRORED.includes(i.template))
        findings.push({
          check: i.name,
          level: 'ok',
          detail: `${i.name} (${i.template}) migrates live to the node Ganeti's allocator picks.`,
        });
      else if (running)
        findings.push({
          check: i.name,
          level: 'problem',
          detail: `${i.name} runs on ${node} and its disk template ${i.template} does not allow migrations.`,
          fix: `Move it to another node first (Migrate… > Move the disks), or shut it down.`,
        });
      else
        findings.push({
          check: i.name,
          level: 'warning',
          detail: `${i.name} is not running (${i.status}): it stays on ${node}; gnt-node migrate's job for it fails, which is expected.`,
        });
    }
    if (instances.length)
      steps.push({
        title: `Migrate the primary instances away from ${node}`,
        argv: nodeMigrateArgv(node),
      });
    return { findings, steps };
  }

  async runMaintenance(node: string, enter: boolean, ctx: TaskContext): Promise<void> {
    const { steps } = await this.maintenancePlan(node, enter);
    try {
      const [drain, migrate] = steps;
      await this.d.job(drain!.argv, ctx);
      if (!enter || !migrate) return;
      const parent = await this.d.job(migrate.argv, ctx);
      await this.followChildren(parent, node, ctx);
    } finally {
      await this.d.load().catch(() => undefined);
    }
  }

  /** Follows the migration jobs `gnt-node migrate` submitted; fails if a running instance stayed. */
  private async followChildren(parent: string, node: string, ctx: TaskContext): Promise<void> {
    const children = parseChildJobs(await this.read(jobResultArgv(parent)));
    if (!children.length) return;
    const names = parseJobSummaries(await this.read(jobSummaryArgv(children)));
    const stayed: string[] = [];
    ctx.setSteps(children.map((id) => `Job ${id}: migrate ${names.get(id) ?? 'an instance'}`));
    for (const [i, id] of children.entries()) {
      ctx.stepState(i, 'running');
      const r = await streamCommand(
        this.d.session,
        await this.d.toMaster(['gnt-job', 'watch', '--', id]),
        ctx,
        (l) => ctx.detail(`Job ${id}: ${l}`),
      );
      ctx.stepState(i, r.code === 0 ? 'done' : 'failed');
      if (r.code !== 0) stayed.push(`${names.get(id) ?? `job ${id}`}: ${jobError(r.stderr)}`);
    }
    // An instance that is off cannot migrate: its job fails and it stays, harmlessly.
    const left = parseNodeInstances(await this.read(nodeInstancesArgv()), node).filter(
      (i) => i.status === 'running' || i.status === 'ERROR_up',
    );
    if (left.length)
      throw new ClusterdeckError(
        'command-failed',
        `${node} is drained but still runs ${left.map((i) => i.name).join(', ')}. ${stayed.join(' ')} Exit maintenance mode undrains it.`,
      );
    ctx.detail(
      `${node} is in maintenance: drained, its running instances migrated` +
        (stayed.length ? `; ${stayed.length} stopped instance(s) stayed.` : '.'),
    );
  }
}

export function describeMove(move: ClusterMove): string {
  const to = move.targetNode ? ` to ${move.targetNode}` : '';
  switch (move.how) {
    case 'live':
      return `Migrate (live)${to}:`;
    case 'non-live':
      return `Migrate (non-live)${to}:`;
    case 'failover':
      return `Fail over${to}:`;
    case 'move':
      return `Move${to}:`;
    case 'offline':
      return `Migrate (offline)${to}:`;
    case 'restart':
      return `Migrate (restart)${to}:`;
  }
}
