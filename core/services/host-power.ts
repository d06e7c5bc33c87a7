// Reboot and Shut down a node, each a task: the exact command, then the
// node seen going down (its connection drops) and, for a reboot, coming
// back (the connection's own reconnect with backoff). Refused while the node
// runs VMs: they would stop with it; maintenance mode moves them first.
import { ClusterdeckError } from '../../shared/errors';
import type { HostPowerAction, HostPowerPlan } from '../../shared/host-power';
import type { Host } from '../../shared/model';
import { powerArgv, SYSTEMD_PROBE } from '../hosts/power';
import { quoteArgv } from '../ssh/quote';
import { taskTarget, type TaskContext } from '../tasks/runner';
import type { ServiceContext } from './context';
import type { HandlersOf } from './handlers';

const DOWN_WITHIN_MS = 120_000;
const BACK_WITHIN_MS = 600_000;
const WORDS: Record<HostPowerAction, string> = { reboot: 'Reboot', shutdown: 'Shut down' };

export class HostPowerService {
  constructor(private readonly ctx: ServiceContext) {}

  private host(hostId: string): Host {
    const host = this.ctx.store.get('hosts', hostId);
    if (!host) throw new ClusterdeckError('not-found', 'That host is no longer in the inventory.');
    return host;
  }

  private async plan(hostId: string, action: HostPowerAction): Promise<HostPowerPlan> {
    const host = this.host(hostId);
    const conn = this.ctx.connection(hostId);
    const probe = await conn.run(SYSTEMD_PROBE, { timeoutMs: 15_000 });
    const runningVms = this.ctx.store
      .all('vms')
      .filter((v) => v.hostId === host.id && v.state !== 'shutoff')
      .map((v) => v.name);
    return {
      command: quoteArgv(powerArgv(action, probe.stdout.trim() === 'systemd')),
      runningVms,
      maintenance: this.ctx.store.all('clusters').some((c) => c.hostIds.includes(host.id)),
    };
  }

  readonly handlers: HandlersOf<'planHostPower' | 'hostPower'> = {
    planHostPower: async ({ hostId, action }) => this.plan(hostId, action),

    hostPower: async ({ hostId, action }) => {
      const host = this.host(hostId);
      const plan = await this.plan(hostId, action);
      if (plan.runningVms.length)
        throw new ClusterdeckError(
          'invalid-input',
          `${host.name} runs ${plan.runningVms.join(', ')}: ${WORDS[action].toLowerCase()} would stop ${plan.runningVms.length === 1 ? 'it' : 'them'}. ` +
            (plan.maintenance
              ? 'Enter maintenance mode to move them to other nodes first, or shut them down.'
              : 'Shut them down or migrate them first.'),
        );
      const systemd = plan.command.startsWith('systemctl');
      const argv = powerArgv(action, systemd);
      const taskId = this.ctx.tasks.start(
        `${WORDS[action]} ${host.name}`,
        taskTarget(host.name),
        (t) => this.run(host, action, argv, t),
      );
      return { taskId };
    },
  };

  private async run(host: Host, action: HostPowerAction, argv: string[], t: TaskContext) {
    t.setSteps([
      `Run ${quoteArgv(argv)} on ${host.name}`,
      `Wait for ${host.name} to go down`,
      ...(action === 'reboot' ? [`Wait for ${host.name} to come back`] : []),
    ]);
    t.stepState(0, 'running');
    const conn = this.ctx.connection(host.id);
    // The connection may drop before the command's exit status arrives: that
    // is the node going down, not a failure.
    const r = await conn
      .exec(argv, { signal: t.signal, log: t.log, timeoutMs: 60_000 })
      .catch((e: unknown) => (this.state(host) === 'connected' ? Promise.reject(e) : null));
    if (r && r.code !== 0 && this.state(host) === 'connected') {
      t.stepState(0, 'failed');
      throw new ClusterdeckError(
        'command-failed',
        `${host.name}: \`${quoteArgv(argv)}\` failed: ${r.stderr.trim() || `exit code ${r.code}`}.`,
      );
    }
    t.stepState(0, 'done');
    t.stepState(1, 'running');
    t.detail(`Waiting for ${host.name} to go down…`);
    await this.until(
      t,
      () => this.state(host) !== 'connected',
      DOWN_WITHIN_MS,
      () => {
        t.stepState(1, 'failed');
        return `${host.name} still answers ${DOWN_WITHIN_MS / 1000} s after \`${quoteArgv(argv)}\`.`;
      },
    );
    t.stepState(1, 'done');
    if (action === 'shutdown') return;
    t.stepState(2, 'running');
    t.detail(`Waiting for ${host.name} to come back…`);
    await this.until(
      t,
      () => this.state(host) === 'connected',
      BACK_WITHIN_MS,
      () => {
        t.stepState(2, 'failed');
        return `${host.name} did not come back within ${BACK_WITHIN_MS / 60_000} min of its reboot.`;
      },
    );
    t.stepState(2, 'done');
    t.detail('');
  }

  private state(host: Host) {
    return this.ctx.store.get('hosts', host.id)?.state;
  }

  /** Polls the inventory (the connection writes the host's state there). */
  private async until(t: TaskContext, ok: () => boolean, ms: number, late: () => string) {
    const end = Date.now() + ms;
    while (!ok()) {
      if (t.signal.aborted) throw new ClusterdeckError('cancelled', 'Stopped waiting.');
      if (Date.now() > end) throw new ClusterdeckError('timeout', late());
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
