// New VM and Edit settings as the Ganeti driver offers them (PlacedVms):
// reads go to the master, changes are jobs followed as tasks (jobs.ts), and
// the commands shown in the review are the ones the job task then runs.
import { ClusterdeckError } from '../../../shared/errors';
import type { InstanceOptions, InstanceSettings, InstanceSpec } from '../../../shared/instance';
import type { Vm } from '../../../shared/model';
import { quoteArgv } from '../../ssh/quote';
import type { SshSession } from '../../ssh/session';
import type { TaskContext } from '../../tasks/runner';
import type { PlacedVms } from '../capabilities';
import {
  INSTANCE_OPTIONS_ARGV,
  instanceAddArgv,
  instanceProblems,
  parseInstanceOptions,
} from './new-vm';
import { instanceModifyPlan, instanceNowArgv, parseInstanceNow } from './modify';

/** What the placed-VM features need of the driver. */
export interface GanetiAccess {
  toMaster(argv: readonly string[]): Promise<string[]>;
  job(argv: string[], ctx: TaskContext): Promise<string>;
}

export class GanetiPlacedVms implements PlacedVms {
  constructor(
    private readonly session: SshSession,
    private readonly driver: GanetiAccess,
  ) {}

  private async onMaster(argv: readonly string[]): Promise<string> {
    const r = await this.session.exec(await this.driver.toMaster(argv), { timeoutMs: 60_000 });
    if (r.code !== 0)
      throw new ClusterdeckError(
        'command-failed',
        `\`${quoteArgv(argv)}\` failed on ${this.session.target.label}: ${r.stderr.trim() || `exit ${r.code}`}`,
      );
    return r.stdout;
  }

  /** The command as the connected node runs it (on the master, or through SSH to it). */
  private async shown(argv: readonly string[]): Promise<string> {
    return quoteArgv(await this.driver.toMaster(argv));
  }

  async readInstanceOptions(): Promise<InstanceOptions> {
    const out = await this.onMaster(INSTANCE_OPTIONS_ARGV);
    return parseInstanceOptions(out, [await this.shown(INSTANCE_OPTIONS_ARGV)]);
  }

  async planInstance(spec: InstanceSpec, options: InstanceOptions) {
    const problems = instanceProblems(spec, options);
    // A name the checks refuse shows as a problem, not as a failed plan.
    try {
      return { commands: [await this.shown(instanceAddArgv(spec))], problems };
    } catch (e) {
      return { commands: [], problems: [...problems, (e as Error).message] };
    }
  }

  async createInstance(spec: InstanceSpec, ctx: TaskContext): Promise<void> {
    await this.driver.job(instanceAddArgv(spec), ctx);
  }

  private async modifyPlan(vm: Vm, settings: InstanceSettings) {
    const now = parseInstanceNow(await this.onMaster(instanceNowArgv(vm.name)), vm.name);
    return { ...instanceModifyPlan(vm.name, now, settings), now };
  }

  async planInstanceSettings(vm: Vm, settings: InstanceSettings) {
    const plan = await this.modifyPlan(vm, settings);
    const commands = await Promise.all(plan.argvs.map((a) => this.shown(a)));
    return { changes: plan.changes, commands, problems: plan.problems, now: plan.now };
  }

  async applyInstanceSettings(vm: Vm, settings: InstanceSettings, ctx: TaskContext) {
    const plan = await this.modifyPlan(vm, settings);
    if (plan.problems.length) throw new ClusterdeckError('invalid-input', plan.problems.join(' '));
    if (!plan.argvs.length)
      throw new ClusterdeckError('invalid-input', `Nothing in ${vm.name}'s settings changed.`);
    // One job after the other: a grow-disk waits for the modify to be done.
    for (const argv of plan.argvs) await this.driver.job(argv, ctx);
  }
}
