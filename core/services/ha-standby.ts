// Maintenance mode of a node in a Pacemaker cluster (drivers/pacemaker/
// standby.ts): the node goes into standby and Pacemaker moves its VMs; the
// plan shows where Pacemaker says each will go. MigrationService asks here
// first; libvirt's own evacuation never runs on such a node.
import type { Finding } from '../../shared/cluster';
import { ClusterdeckError } from '../../shared/errors';
import { isResourceId } from '../drivers/pacemaker/commands';
import {
  parseTransitionSummary,
  simulateNodeDownArgv,
  standbyStep,
} from '../drivers/pacemaker/standby';
import { taskTarget } from '../tasks/runner';
import { runPlan, stepView, type PlannedStep } from '../wizards/plan';
import type { ServiceContext } from './context';
import type { HaService } from './ha';
import type { HostService } from './hosts';

export class HaStandby {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly ha: HaService,
    private readonly hosts: HostService,
  ) {}

  /**
   * The Pacemaker cluster and member name of a node, when it is in one
   * (Proxmox VE's HA has its own node maintenance: the driver's cluster-moves).
   */
  memberOf(hostId: string) {
    for (const c of this.ctx.store.all('clusters')) {
      if (c.ha?.stack !== 'pacemaker') continue;
      const n = c.ha.nodes.find((x) => x.hostId === hostId);
      if (c.ha && n) return { ha: c.ha, node: n.name };
    }
    return undefined;
  }

  private step(hostId: string, on: boolean): PlannedStep {
    const m = this.memberOf(hostId)!;
    const host = this.ctx.store.get('hosts', hostId);
    if (!host || host.state !== 'connected' || !isResourceId(m.node))
      throw new ClusterdeckError('invalid-state', `${m.node} is not connected here.`);
    return { ...standbyStep(m.node, on), hostId, node: host.name };
  }

  async plan(hostId: string) {
    const m = this.memberOf(hostId);
    if (!m) return undefined;
    const step = this.step(hostId, true);
    const r = await this.ctx.connection(hostId).run(simulateNodeDownArgv(m.node));
    const problems: string[] = [];
    if (r.code !== 0)
      problems.push(`${m.node}: crm_simulate failed: ${r.stderr.trim() || `exit ${r.code}`}.`);
    const moves = parseTransitionSummary(r.stdout);
    const vms = m.ha.resources.filter((x) => x.domain && x.nodes.includes(m.node));
    const findings: Finding[] = vms.map((vm) => {
      const mv = moves.find((x) => x.resource === vm.id);
      const to = mv && mv.action !== 'Stop' ? mv.to : undefined;
      return to
        ? {
            check: `Where Pacemaker puts ${vm.id}`,
            level: 'ok',
            // A node down shows Start (recovery) where standby migrates live: the node it names is the answer.
            detail: `${vm.id}: Pacemaker puts it on ${to}`,
          }
        : {
            check: `Where Pacemaker puts ${vm.id}`,
            level: 'warning',
            detail: `${vm.id}: Pacemaker would stop it (no other node can run it).`,
          };
    });
    return { findings, steps: [stepView(step)], problems };
  }

  enter(hostId: string): string {
    const step = this.step(hostId, true);
    const { ha, node } = this.memberOf(hostId)!;
    return this.ctx.tasks.start(
      `Maintenance mode for ${step.node} (Pacemaker standby)`,
      taskTarget(step.node, ha.clusterName),
      async (task) => {
        await runPlan(task, [step], this.ctx.connection, 'vms');
        await this.ha.monitor.readNow(ha.clusterName);
        const left = this.memberOf(hostId)?.ha.resources.filter(
          (r) => r.domain && r.nodes.includes(node),
        );
        if (left?.length)
          throw new ClusterdeckError(
            'command-failed',
            `${node}: Pacemaker still runs ${left.map((r) => r.id).join(', ')} there.`,
          );
        await this.hosts.setMaintenance(hostId, { since: Date.now(), bringBack: [] });
      },
    );
  }

  exit(hostId: string): string {
    const step = this.step(hostId, false);
    const { ha } = this.memberOf(hostId)!;
    return this.ctx.tasks.start(
      `End maintenance mode of ${step.node} (Pacemaker online)`,
      taskTarget(step.node, ha.clusterName),
      async (task) => {
        await runPlan(task, [step], this.ctx.connection, 'vms');
        await this.hosts.setMaintenance(hostId, undefined);
        await this.ha.monitor.readNow(ha.clusterName);
      },
    );
  }
}
