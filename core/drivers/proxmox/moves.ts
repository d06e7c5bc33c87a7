// Migrate VM on Proxmox VE (capability 'cluster-moves'): the options read
// fresh from PVE's own precondition check of the guest (move-options.ts
// turns it into the ways and targets), the same check for the chosen target
// as the preflight, and the migration as PVE's worker task followed by UPID
// (tasks.ts), its log lines in the task, its progress from the figures they
// give, Cancel stopping the PVE task. Node maintenance is HA's
// (maintenance.ts): `ha-manager crm-command node-maintenance` over SSH, then
// HA's status followed until the CRM has moved the HA-managed guests.
import type { Finding } from '../../../shared/cluster';
import { ClusterdeckError } from '../../../shared/errors';
import type { Vm } from '../../../shared/model';
import { quoteArgv } from '../../ssh/quote';
import type { ExecResult } from '../../ssh/session';
import { runAsOneStep } from '../../tasks/one-step';
import type { TaskContext } from '../../tasks/runner';
import type { ClusterMove, ClusterMoves } from '../capabilities';
import type { PveApiClient } from './api-client';
import {
  inMaintenance,
  maintenanceArgv,
  maintenanceFindings,
  maintenanceSettled,
  stuckServices,
  parseHaStatus,
  type PveHaStatus,
} from './maintenance';
import {
  MigrationProgress,
  migrateCall,
  parseLxcCheck,
  parseQemuCheck,
  pveMoveOptions,
  pveshArgv,
  type PveMigrateCheck,
  type PveMoveGuest,
  type PveNodeState,
} from './move-options';
import { parseClusterResources } from './parse';
import { runWorker } from './tasks';

/** What the moves need of the driver. */
export interface PveMovesAccess {
  /** The API client (throws while disconnected). */
  api(): PveApiClient;
  /** The node the driver is connected to, as the cluster names it. */
  selfName(): string;
  /** The cluster's nodes and whether each is online, as last read. */
  nodeStates(): PveNodeState[];
  guestOf(vm: Vm): { node: string; vmid: number; type: 'qemu' | 'lxc' };
  /** Reads the cluster again into the store. */
  load(): Promise<unknown>;
  /** Runs a command on the connected node over SSH. */
  exec(argv: readonly string[]): Promise<ExecResult>;
  readonly taskPollMs?: number | undefined;
  /** Between two reads of HA's status while the CRM moves guests. */
  readonly crmPollMs?: number | undefined;
}

const CHECK = { label: "Proxmox VE's migration check", stack: 'Proxmox VE' };

export class ProxmoxMoves implements ClusterMoves {
  constructor(private readonly d: PveMovesAccess) {}

  private guest(vm: Vm): PveMoveGuest {
    return { ...this.d.guestOf(vm), name: vm.name, running: vm.state === 'running' };
  }

  /** PVE's precondition check of the guest (a container's is PVE 9's; PVE 8 answers 501). */
  private async check(g: PveMoveGuest, target?: string): Promise<PveMigrateCheck> {
    const path = `/nodes/${g.node}/${g.type}/${g.vmid}/migrate`;
    const params = target ? { target } : {};
    if (g.type === 'qemu') return parseQemuCheck(await this.d.api().get(path, params));
    try {
      return parseLxcCheck(await this.d.api().get(path, params), g.running);
    } catch (err) {
      if ((err as { status?: number }).status !== 501) throw err;
      return parseLxcCheck(undefined, g.running);
    }
  }

  async moveOptions(vm: Vm) {
    const g = this.guest(vm);
    return pveMoveOptions(g, await this.check(g), this.d.nodeStates());
  }

  async checkMove(vm: Vm, move: ClusterMove) {
    const g = this.guest(vm);
    const target = move.targetNode ?? '';
    const check = await this.check(g, move.targetNode);
    const option = pveMoveOptions(g, check, this.d.nodeStates()).find((o) => o.how === move.how);
    const refusal = !option
      ? `Proxmox VE has no ${move.how} migration.`
      : (option.refused ??
        (target === g.node
          ? `${vm.name} is on ${target} already.`
          : option.targets.find((t) => t.node === target)?.refused));
    const step = option && !option.refused ? this.step(vm, g, move, check) : undefined;
    return {
      node: g.node,
      step: step ?? { title: `Migrate ${vm.name}`, argv: [] },
      check: CHECK,
      ...(refusal ? { refusal } : {}),
    };
  }

  private step(vm: Vm, g: PveMoveGuest, move: ClusterMove, check: PveMigrateCheck) {
    if (!move.targetNode) return undefined;
    const call = migrateCall(g, move.how, move.targetNode, check);
    return {
      title: `Migrate ${vm.name} from ${g.node} to ${move.targetNode}`,
      argv: pveshArgv('create', call.path, call.params),
    };
  }

  async runMove(vm: Vm, move: ClusterMove, ctx: TaskContext): Promise<void> {
    const g = this.guest(vm);
    if (!move.targetNode)
      throw new ClusterdeckError('invalid-input', `Choose the node to migrate ${vm.name} to.`);
    const check = await this.check(g, move.targetNode);
    const call = migrateCall(g, move.how, move.targetNode, check);
    const progress = new MigrationProgress(move.how === 'live' && check.localDisks.length > 0);
    const followed: TaskContext = {
      ...ctx,
      detail: (text) => {
        ctx.detail(text);
        const p = progress.read(text);
        if (p !== undefined) ctx.progress(p);
      },
    };
    await runAsOneStep(
      ctx,
      `Migrate ${vm.name} from ${g.node} to ${move.targetNode}`,
      async () => {
        await runWorker(this.d.api(), call.path, call.params, followed, this.d.taskPollMs);
        ctx.progress(1);
      },
      () => this.d.load(),
    );
  }

  selfNode(): Promise<string> {
    return Promise.resolve(this.d.selfName());
  }

  /** Any node can ask HA's CRM, the one entering maintenance included. */
  readonly maintenanceFromItself = true;

  private async haStatus(): Promise<PveHaStatus> {
    return parseHaStatus(await this.d.api().get('/cluster/ha/status/current'));
  }

  async maintenancePlan(node: string, enter: boolean) {
    const step = {
      title: `${enter ? 'Enter' : 'End'} HA maintenance mode of ${node}`,
      argv: maintenanceArgv(node, enter),
    };
    const ha = await this.haStatus();
    if (!enter) {
      const findings: Finding[] = [
        inMaintenance(ha, node)
          ? { check: node, level: 'ok', detail: `HA brings back the guests it moved off ${node}.` }
          : {
              check: node,
              level: 'warning',
              detail: `HA does not have ${node} in maintenance mode.`,
            },
      ];
      return { findings, steps: [step] };
    }
    const resources = parseClusterResources(
      await this.d.api().get('/cluster/resources', { type: 'vm' }),
    );
    const online = this.d
      .nodeStates()
      .filter((n) => n.online)
      .map((n) => n.name);
    return { findings: maintenanceFindings(node, resources.guests, ha, online), steps: [step] };
  }

  async runMaintenance(node: string, enter: boolean, ctx: TaskContext): Promise<void> {
    const argv = maintenanceArgv(node, enter);
    const command = quoteArgv(argv);
    ctx.setSteps([
      `${enter ? 'Enter' : 'End'} HA maintenance mode of ${node}`,
      'HA moves the guests',
    ]);
    ctx.stepState(0, 'running');
    const started = Date.now();
    const r = await this.d.exec(argv);
    ctx.log({
      node: this.d.selfName(),
      command,
      exitCode: r.code,
      stderr: r.stderr,
      durationMs: Date.now() - started,
      at: started,
    });
    if (r.code !== 0) {
      ctx.stepState(0, 'failed');
      throw new ClusterdeckError(
        'command-failed',
        `${this.d.selfName()}: \`${command}\` failed: ${r.stderr.trim() || `exit ${r.code}`}`,
      );
    }
    ctx.stepState(0, 'done');
    ctx.stepState(1, 'running');
    try {
      await this.followCrm(node, enter, ctx);
      ctx.stepState(1, 'done');
    } catch (err) {
      ctx.stepState(1, 'failed');
      throw err;
    } finally {
      await this.d.load().catch(() => undefined);
    }
  }

  /** Reads HA's status until the CRM is done, each service's move shown as it changes. */
  private async followCrm(node: string, enter: boolean, ctx: TaskContext): Promise<void> {
    const seen = new Map<string, string>();
    let stuck = 0;
    const until = Date.now() + CRM_LIMIT_MS;
    for (;;) {
      if (ctx.signal.aborted)
        throw new ClusterdeckError(
          'cancelled',
          `Stopped following HA; the CRM goes on with ${node}'s maintenance (\`ha-manager status\` shows it).`,
        );
      const ha = await this.haStatus();
      for (const s of ha.services) {
        const now = `${s.state} on ${s.node}`;
        if (seen.get(s.sid) !== now) ctx.detail(`${s.sid}: ${now}`);
        seen.set(s.sid, now);
      }
      // A service the CRM tried to move and that is back on the node (its migration failed).
      const stayed = enter ? stuckServices(ha, node) : [];
      stuck = stayed.length ? stuck + 1 : 0;
      if (stuck >= STUCK_POLLS)
        throw new ClusterdeckError(
          'command-failed',
          `${node} is in HA maintenance mode, but HA did not move ${stayed.join(', ')} off it (see its migration task in ${node}'s task log); End maintenance mode, or migrate it by hand.`,
        );
      if (maintenanceSettled(ha, node, enter)) {
        ctx.detail(
          enter
            ? `${node} is in HA maintenance mode; the HA-managed guests left it.`
            : `${node} is out of HA maintenance mode.`,
        );
        return;
      }
      if (Date.now() > until)
        throw new ClusterdeckError(
          'timeout',
          `HA has not finished ${enter ? 'entering' : 'ending'} ${node}'s maintenance after 10 minutes; see \`ha-manager status\`.`,
        );
      await new Promise((res) => setTimeout(res, this.d.crmPollMs ?? CRM_POLL_MS));
    }
  }
}

const CRM_POLL_MS = 2000;
/** Reads of HA's status with a guest still on the node and nothing moving before the task gives up on it. */
const STUCK_POLLS = 5;
const CRM_LIMIT_MS = 10 * 60 * 1000;
