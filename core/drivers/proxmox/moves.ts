// Migrate VM on Proxmox VE (capability 'cluster-moves'): the options read
// fresh from PVE's own precondition check of the guest (move-options.ts
// turns it into the ways and targets), the same check for the chosen target
// as the preflight, and the migration as PVE's worker task followed by UPID
// (tasks.ts), its log lines in the task, its progress from the figures they
// give, Cancel stopping the PVE task. Node maintenance (HA's
// node-maintenance over SSH) is not done yet and refuses as unsupported.
import { ClusterdeckError } from '../../../shared/errors';
import type { Vm } from '../../../shared/model';
import type { TaskContext } from '../../tasks/runner';
import type { ClusterMove, ClusterMoves } from '../capabilities';
import type { PveApiClient } from './api-client';
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
  readonly taskPollMs?: number | undefined;
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
    ctx.setSteps([`Migrate ${vm.name} from ${g.node} to ${move.targetNode}`]);
    ctx.stepState(0, 'running');
    try {
      await runWorker(this.d.api(), call.path, call.params, followed, this.d.taskPollMs);
      ctx.progress(1);
      ctx.stepState(0, 'done');
    } catch (err) {
      ctx.stepState(0, 'failed');
      throw err;
    } finally {
      await this.d.load().catch(() => undefined);
    }
  }

  selfNode(): Promise<string> {
    return Promise.resolve(this.d.selfName());
  }

  maintenancePlan(): Promise<never> {
    return Promise.reject(maintenanceUnsupported());
  }

  runMaintenance(): Promise<never> {
    return Promise.reject(maintenanceUnsupported());
  }
}

const maintenanceUnsupported = () =>
  new ClusterdeckError(
    'unsupported',
    "Clusterdeck does not put Proxmox VE nodes into maintenance mode yet (PVE's own way is `ha-manager crm-command node-maintenance enable NODE`, which moves HA-managed guests only): migrate the guests with Migrate VM.",
  );
