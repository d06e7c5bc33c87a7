// New Cluster's "High availability" (issue 14): the HA preflight with its
// package installs (each a confirmed task), the fence agents a node has and
// their parameters, a fencing test that fences nothing, and the steps that
// form the Corosync + Pacemaker cluster, which New Cluster's plan appends
// (core/services/clusters.ts). The logic lives in core/drivers/pacemaker/.
import type { ClusterSpec } from '../../shared/cluster';
import { ClusterdeckError } from '../../shared/errors';
import type { FenceDevice } from '../../shared/ha-form';
import type { Host } from '../../shared/model';
import {
  LIST_AGENTS_ARGV,
  metadataArgv,
  parseAgentMetadata,
  parseInstalledAgents,
  statusTest,
  takesPlug,
} from '../drivers/pacemaker/fencing';
import { haFormSteps, type HaDevices, type HaMember } from '../drivers/pacemaker/form';
import { COROSYNC_CONF, haInstallArgv } from '../drivers/pacemaker/ha-facts';
import { haDissolveSteps, haLeaveSteps } from '../drivers/pacemaker/membership';
import { haJoinSteps } from '../drivers/pacemaker/grow';
import { haFindings, readHaFacts, type HaNode } from '../drivers/pacemaker/ha-preflight';
import { taskTarget, type TaskContext } from '../tasks/runner';
import { commandReason, runPlan, stepView, type PlannedStep } from '../wizards/plan';
import type { ServiceContext } from './context';
import type { HandlersOf } from './handlers';
import { PlannedOperation, planView, runSteps, type StepsPlan } from './planned-operation';

export class HaFormService {
  private readonly install: PlannedOperation<{ hostId: string }, StepsPlan & { host: Host }>;

  constructor(private readonly ctx: ServiceContext) {
    this.install = new PlannedOperation(ctx.tasks, {
      plan: ({ hostId }) => this.planInstall(hostId),
      task: (_input, { host }) => ({
        title: 'Install the high-availability packages',
        target: taskTarget(host.name),
      }),
      run: runSteps(ctx.connection),
    });
  }

  readonly handlers: HandlersOf<
    | 'haPreflight'
    | 'planHaInstall'
    | 'haInstall'
    | 'haFenceAgents'
    | 'haFenceAgent'
    | 'testFenceDevice'
  > = {
    haPreflight: async ({ hostIds, clusterName }) => {
      const nodes = this.nodes(hostIds);
      const down = nodes.filter((n) => n.host.state !== 'connected');
      if (down.length)
        return {
          findings: [
            {
              check: 'Nodes connected',
              level: 'problem',
              detail: `${down.map((n) => n.host.name).join(', ')} not connected.`,
              fix: 'Reconnect them, then check again.',
            },
          ],
          installs: [],
          members: [],
        };
      const { facts, failed } = await readHaFacts(nodes);
      const installs: { hostId: string; node: string; command: string }[] = [];
      const findings = [...failed, ...haFindings(facts, installs, clusterName)];
      const members = facts
        .filter(
          (f) => clusterName && f.facts.running.yes && f.facts.running.cluster === clusterName,
        )
        .map((f) => f.host.id);
      return { findings, installs, members };
    },
    planHaInstall: async (p) => planView(await this.install.plan(p)),
    haInstall: (p) => this.install.start(p),
    haFenceAgents: async ({ hostId }) => {
      const r = await this.ctx
        .connection(hostId)
        .exec([...LIST_AGENTS_ARGV], { timeoutMs: 60_000 });
      if (r.code !== 0) throw this.failed(hostId, LIST_AGENTS_ARGV, r);
      return { agents: parseInstalledAgents(r.stdout) };
    },
    haFenceAgent: async ({ hostId, agent }) => {
      const argv = metadataArgv(agent);
      const r = await this.ctx.connection(hostId).exec(argv, { timeoutMs: 60_000 });
      if (r.code !== 0) throw this.failed(hostId, argv, r);
      return parseAgentMetadata(agent, r.stdout);
    },
    testFenceDevice: async ({ hostIds, device }) => this.testDevice(hostIds, device),
  };

  private nodes(hostIds: readonly string[]): HaNode[] {
    return hostIds.map((id) => {
      const host = this.ctx.store.get('hosts', id);
      if (!host) throw new ClusterdeckError('not-found', 'A chosen node is no longer added.');
      return { host, conn: this.ctx.connection(id) };
    });
  }

  private failed(
    hostId: string,
    argv: readonly string[],
    r: { code: number | null; stderr: string },
  ): ClusterdeckError {
    const name = this.ctx.store.get('hosts', hostId)?.name ?? hostId;
    return new ClusterdeckError(
      'command-failed',
      `${name}: \`${argv.join(' ')}\` said: ${commandReason(r.stderr, r.code)}.`,
    );
  }

  private async planInstall(hostId: string): Promise<StepsPlan & { host: Host }> {
    const [node] = this.nodes([hostId]);
    const { facts, failed } = await readHaFacts([node!]);
    const f = facts[0];
    const argv = f ? haInstallArgv(f.facts.os) : undefined;
    const problems = failed.map((x) => x.detail);
    if (f && !argv)
      problems.push(
        `${node!.host.name} runs ${f.facts.os.id}: Clusterdeck knows the packages of Debian, Ubuntu and RHEL-like systems only.`,
      );
    const steps: PlannedStep[] = argv
      ? [
          {
            hostId,
            node: node!.host.name,
            title: 'Install corosync, pacemaker, resource-agents and fence-agents',
            argv,
          },
        ]
      : [];
    return { steps, problems, host: node!.host };
  }

  /**
   * The agent's `status` of the node it would fence, asked from another node
   * of the cluster (where Pacemaker will run the device), options on stdin.
   */
  private async testDevice(hostIds: readonly string[], device: FenceDevice) {
    const target = this.ctx.store.get('hosts', device.hostId);
    if (!target) throw new ClusterdeckError('not-found', 'That node is no longer added.');
    const runOn =
      hostIds
        .filter((id) => id !== device.hostId)
        .find((id) => this.ctx.store.get('hosts', id)?.state === 'connected') ?? device.hostId;
    const runner = this.ctx.store.get('hosts', runOn)?.name ?? runOn;
    const conn = this.ctx.connection(runOn);
    const meta = await conn.exec(metadataArgv(device.agent), { timeoutMs: 60_000 });
    if (meta.code !== 0) throw this.failed(runOn, metadataArgv(device.agent), meta);
    const name = target.info?.hostname || target.name;
    const { argv, stdin } = statusTest(device.agent, name, device.params, takesPlug(meta.stdout));
    const r = await conn.exec(argv, { timeoutMs: 60_000, stdin });
    const said = (r.stdout.trim() || r.stderr.trim()).split('\n').slice(-3).join(' ');
    // fence-agents: 0 on, 2 off (both answers from a working device), 1 failure.
    const ok = r.code === 0 || r.code === 2;
    return {
      ok,
      message: ok
        ? `${device.agent} on ${runner} reached ${target.name}'s power: ${said || (r.code === 0 ? 'on' : 'off')}.`
        : `${device.agent} on ${runner} could not read ${target.name}'s power status (exit code ${r.code}): ${said || 'no output'}`,
    };
  }
}

/**
 * New Cluster's HA steps for these nodes, and what stands in the way: every
 * preflight problem, and a fencing choice that leaves a node without a device.
 */
export async function planHaForm(
  ctx: ServiceContext,
  spec: ClusterSpec & { ha: NonNullable<ClusterSpec['ha']> },
): Promise<StepsPlan & { joins: boolean }> {
  const hosts = spec.hostIds.map((id) => ctx.store.get('hosts', id)).filter((h) => !!h);
  const { facts, failed } = await readHaFacts(
    hosts.map((host) => ({ host, conn: ctx.connection(host.id) })),
  );
  // New Cluster again with more nodes: members already run this cluster, the others join it.
  const inIt = facts.filter((f) => f.facts.running.yes && f.facts.running.cluster === spec.name);
  const joins = inIt.length > 0;
  const member = (x: (typeof facts)[number]) => inIt.includes(x);
  const problems = [...failed, ...haFindings(facts, [], spec.name)]
    .filter((f) => f.level === 'problem')
    .map((f) => f.detail);
  const newcomers = facts.filter((x) => !member(x)).map((x) => x.host);
  if (joins && !newcomers.length) problems.push(`Every node already runs ${spec.name}.`);
  let devices: HaDevices = 'none';
  if (spec.ha.fencing.mode === 'devices') {
    const map = new Map<string, { agent: string; params: Record<string, string> }>();
    for (const d of spec.ha.fencing.devices) {
      if (!spec.hostIds.includes(d.hostId))
        problems.push('A fence device is for a node that is not in the cluster.');
      else if (map.has(d.hostId))
        problems.push(`${ctx.store.get('hosts', d.hostId)?.name} has two fence devices.`);
      map.set(d.hostId, { agent: d.agent, params: d.params });
    }
    // A member's device is in the CIB already.
    for (const h of joins ? newcomers : hosts)
      if (!map.has(h.id))
        problems.push(
          `${h.name} has no fence device: set one, or choose "No fencing" with its risk.`,
        );
    devices = map;
  }
  if (problems.length) return { steps: [], problems, joins };
  const toMember = ({ host, facts: f }: (typeof facts)[number]): HaMember => ({
    hostId: host.id,
    node: host.name,
    hostname: f.hostname,
    ring0: host.address,
    init: f.init,
  });
  try {
    if (!joins)
      return {
        steps: haFormSteps(spec.name, facts.map(toMember), spec.ha, devices),
        problems,
        joins,
      };
    const first = inIt[0]!;
    const conf = await ctx
      .connection(first.host.id)
      .exec(['cat', COROSYNC_CONF], { timeoutMs: 30_000 });
    if (conf.code !== 0)
      return {
        steps: [],
        problems: [`${first.host.name} could not read ${COROSYNC_CONF}: ${conf.stderr.trim()}`],
        joins,
      };
    const joining = facts.filter((x) => !member(x)).map(toMember);
    if (devices !== 'none')
      for (const id of [...devices.keys()])
        if (!joining.some((j) => j.hostId === id)) devices.delete(id);
    return {
      steps: haJoinSteps(inIt.map(toMember), joining, conf.stdout, devices),
      problems,
      joins,
    };
  } catch (err) {
    return { steps: [], problems: [(err as Error).message], joins };
  }
}

/**
 * After New Cluster formed an HA cluster: Undo, offered on the finished task,
 * takes back every step in reverse (the daemons stopped, the files put back,
 * the SSH trust), then forgets the cluster's record.
 */
export function offerFormUndo(
  ctx: ServiceContext,
  task: TaskContext,
  undo: PlannedStep[],
  clusterId: string,
): void {
  if (!undo.length) return;
  task.offerUndo(
    undo.map(stepView),
    async (c) => {
      await runPlan(c, undo, ctx.connection);
      await ctx.settings.update((s) => {
        s.clusters = s.clusters.filter((x) => x.id !== clusterId);
      });
      ctx.store.del('clusters', clusterId);
    },
    { afterSuccess: true },
  );
}

/**
 * Remove node (`leavingId`) or Remove cluster (none) on a cluster whose nodes
 * run corosync: the membership changes on the nodes. Nothing when no node of
 * the cluster runs corosync (a plain libvirt cluster).
 */
export async function planHaMembership(
  ctx: ServiceContext,
  hosts: readonly Host[],
  leavingId?: string,
): Promise<StepsPlan> {
  const connected = hosts.filter((h) => h.state === 'connected');
  const { facts } = await readHaFacts(
    connected.map((host) => ({ host, conn: ctx.connection(host.id) })),
  );
  const running = facts.filter((f) => f.facts.running.yes);
  if (!running.length) return { steps: [], problems: [] };
  const member = (h: Host): HaMember => {
    const f = facts.find((x) => x.host.id === h.id)?.facts;
    return {
      hostId: h.id,
      node: h.name,
      hostname: f?.hostname || h.info?.hostname || h.name,
      ring0: h.address,
      init: f?.init ?? 'systemd',
    };
  };
  if (leavingId === undefined)
    return { steps: haDissolveSteps(connected.map(member)), problems: [] };
  const leaving = hosts.find((h) => h.id === leavingId);
  const staying = hosts.filter((h) => h.id !== leavingId);
  const problems = staying
    .filter((h) => !running.some((r) => r.host.id === h.id))
    .map((h) => `${h.name} does not run corosync now: its membership cannot be changed.`);
  const first = staying[0];
  if (!leaving || !first || problems.length) return { steps: [], problems };
  if (staying.length < 2)
    return {
      steps: [],
      problems: [
        `${leaving.name} is one of the last two nodes of a high-availability cluster: remove the cluster instead.`,
      ],
    };
  const conf = await ctx.connection(first.id).exec(['cat', COROSYNC_CONF], { timeoutMs: 30_000 });
  if (conf.code !== 0)
    return {
      steps: [],
      problems: [`${first.name} could not read ${COROSYNC_CONF}: ${conf.stderr.trim()}`],
    };
  return {
    steps: haLeaveSteps(
      member(leaving),
      running.some((r) => r.host.id === leavingId),
      staying.map(member),
      conf.stdout,
    ),
    problems: [],
  };
}
