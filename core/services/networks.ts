// Networks: New network (plan, create), the network actions (start, stop,
// autostart, delete) as planned operations, and the node's own interfaces.
import { ClusterdeckError } from '../../shared/errors';
import type { Network } from '../../shared/model';
import {
  NETWORK_ACTION_TITLES,
  listNames,
  networkUsers,
  type NetworkAction,
  type NetworkSpec,
} from '../../shared/network';
import { taskTarget } from '../tasks/runner';
import { onNode, type PlannedStep } from '../wizards/plan';
import { networkOrThrow, type ServiceContext } from './context';
import type { HandlersOf } from './handlers';
import { PlannedOperation, planView, runSteps, type StepsPlan } from './planned-operation';

type NewNetwork = { hostId: string; spec: NetworkSpec };
type ActionInput = { networkId: string; action: NetworkAction };
type ActionPlan = StepsPlan & { warnings: string[]; net: Network; node: string };

export class NetworkService {
  private readonly newNetwork: PlannedOperation<NewNetwork, StepsPlan>;
  private readonly action: PlannedOperation<ActionInput, ActionPlan>;

  constructor(private readonly ctx: ServiceContext) {
    this.newNetwork = new PlannedOperation(ctx.tasks, {
      plan: (input) => this.planNew(input),
      task: ({ hostId, spec }) => ({
        title: `New network ${spec.name}`,
        target: taskTarget(ctx.connection(hostId).config.name, spec.name),
      }),
      run: runSteps(ctx.connection, 'networks'),
    });
    this.action = new PlannedOperation(ctx.tasks, {
      plan: (input) => this.planAction(input),
      task: ({ action }, { net, node }) => ({
        title: `${NETWORK_ACTION_TITLES[action]} ${net.name}`,
        target: taskTarget(node, net.name),
      }),
      run: runSteps(ctx.connection, 'networks'),
    });
  }

  private connected(hostId: string) {
    const conn = this.ctx.connection(hostId);
    const problems =
      this.ctx.store.get('hosts', hostId)?.state === 'connected'
        ? []
        : [`${conn.config.name} is not connected.`];
    return { conn, problems };
  }

  private planNew({ hostId, spec }: NewNetwork): StepsPlan {
    const { conn, problems } = this.connected(hostId);
    const node = conn.config.name;
    const nets = this.ctx.store.all('networks').filter((n) => n.hostId === hostId);
    if (nets.some((n) => n.name === spec.name))
      problems.push(`${node} already has a network named ${spec.name}.`);
    const sameBridge = spec.bridge && nets.find((n) => n.bridge === spec.bridge);
    if (sameBridge)
      problems.push(
        `The network ${sameBridge.name} on ${node} already uses the bridge ${spec.bridge}.`,
      );
    const steps = problems.length ? [] : onNode(conn, conn.getDriver().createNetworkSteps(spec));
    return { steps, problems };
  }

  private planAction({ networkId, action }: ActionInput): ActionPlan {
    const net = networkOrThrow(this.ctx, networkId);
    const { conn, problems } = this.connected(net.hostId);
    const node = conn.config.name;
    const users = networkUsers(net, this.ctx.store.all('vms'));
    const running = users.filter((u) => u.running).map((u) => u.name);
    const warnings: string[] = [];
    if (action === 'delete' && users.length)
      problems.push(
        `${listNames(users.map((u) => u.name))} on ${node} ${users.length > 1 ? 'use' : 'uses'} the network ${net.name}: give ${users.length > 1 ? 'them' : 'it'} another network first.`,
      );
    if (action === 'stop' && running.length)
      warnings.push(
        `${listNames(running)} ${running.length > 1 ? 'lose their' : 'loses its'} connection on ${net.name} until the network runs again (and ${running.length > 1 ? 'their NICs are' : 'its NIC is'} attached again).`,
      );
    if (action === 'start' && net.active)
      problems.push(`${net.name} on ${node} is already running.`);
    if (action === 'stop' && !net.active) problems.push(`${net.name} on ${node} is not running.`);
    const steps: PlannedStep[] = problems.length
      ? []
      : onNode(conn, conn.getDriver().networkActionSteps(net, action));
    return { steps, problems, warnings, net, node };
  }

  readonly handlers: HandlersOf<
    'planNetwork' | 'createNetwork' | 'planNetworkAction' | 'networkAction' | 'hostInterfaces'
  > = {
    planNetwork: async (p) => planView(await this.newNetwork.plan(p)),
    createNetwork: (p) => this.newNetwork.start(p),
    planNetworkAction: async (p) => {
      const plan = await this.action.plan(p);
      return { ...planView(plan), warnings: plan.warnings };
    },
    networkAction: (p) => this.action.start(p),
    hostInterfaces: async ({ hostId }) => {
      const conn = this.ctx.connection(hostId);
      if (this.ctx.store.get('hosts', hostId)?.state !== 'connected')
        throw new ClusterdeckError('disconnected', `${conn.config.name} is not connected.`);
      return conn.getDriver().readHostInterfaces();
    },
  };
}
