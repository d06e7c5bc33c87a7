// New VM and Edit settings where the cluster places VMs (a driver with
// `placedVms`, Ganeti): the plan shows the exact command and what stands in
// the way; Create and Apply run the driver's jobs as one task.
import { ClusterdeckError } from '../../shared/errors';
import type { InstanceOptions, InstanceSpec } from '../../shared/instance';
import type { Vm } from '../../shared/model';
import type { PlacedVms } from '../drivers/capabilities';
import { taskTarget } from '../tasks/runner';
import { freeVmOrThrow, vmOrThrow, type ServiceContext } from './context';
import type { HandlersOf } from './handlers';
import { refuseProblems } from './planned-operation';

/** How long New VM's plan and Create reuse the options the wizard read (a read asks every node). */
const OPTIONS_FRESH_MS = 60_000;

export class InstanceService {
  private readonly options = new Map<string, { at: number; read: Promise<InstanceOptions> }>();

  constructor(private readonly ctx: ServiceContext) {}

  private readOptions(hostId: string, reuse: boolean): Promise<InstanceOptions> {
    const had = this.options.get(hostId);
    if (reuse && had && Date.now() - had.at < OPTIONS_FRESH_MS) return had.read;
    const read = this.placed(hostId).readInstanceOptions();
    this.options.set(hostId, { at: Date.now(), read });
    read.catch(() => this.options.delete(hostId));
    return read;
  }

  private placed(hostId: string): PlacedVms {
    const conn = this.ctx.connection(hostId);
    const p = conn.getDriver().placedVms;
    if (!p)
      throw new ClusterdeckError(
        'unsupported',
        `${conn.config.name} places no VMs by cluster; use New VM's node steps.`,
      );
    return p;
  }

  /**
   * Edit settings: the cluster-placing stack's (Ganeti), or the API-edited
   * one's (Proxmox VE, `guestSettings`), with how its commands are titled.
   */
  private editor(vm: Vm) {
    const driver = this.ctx.connection(vm.hostId).getDriver();
    if (driver.guestSettings)
      return { edit: driver.guestSettings, title: driver.guestSettings.settingsStepTitle(vm) };
    return { edit: this.placed(vm.hostId), title: `Change ${vm.name} as a Ganeti job` };
  }

  private step(hostId: string, title: string, command: string) {
    return { hostId, node: this.ctx.connection(hostId).config.name, title, command };
  }

  private async plan(hostId: string, spec: InstanceSpec) {
    const options = await this.readOptions(hostId, true);
    const { commands, problems } = await this.placed(hostId).planInstance(spec, options);
    const cluster = this.ctx.store.all('clusters').find((c) => c.hostIds.includes(hostId));
    if (
      this.ctx.store
        .all('vms')
        .some(
          (v) =>
            v.name === spec.name && (v.hostId === hostId || cluster?.hostIds.includes(v.hostId)),
        )
    )
      problems.push(`${options.cluster} already has a VM named ${spec.name}.`);
    return {
      problems,
      steps: commands.map((c) => this.step(hostId, `Add ${spec.name} as a Ganeti job`, c)),
    };
  }

  private async settingsPlan(
    vmId: string,
    settings: Parameters<PlacedVms['planInstanceSettings']>[1],
  ) {
    const vm = vmOrThrow(this.ctx, vmId);
    const { edit, title } = this.editor(vm);
    const p = await edit.planInstanceSettings(vm, settings);
    return {
      changes: p.changes,
      problems: p.problems,
      now: p.now,
      steps: p.commands.map((c) => this.step(vm.hostId, title, c)),
    };
  }

  readonly handlers: HandlersOf<
    | 'getInstanceOptions'
    | 'planInstance'
    | 'createInstance'
    | 'planInstanceSettings'
    | 'applyInstanceSettings'
  > = {
    getInstanceOptions: ({ hostId }) => this.readOptions(hostId, false),
    planInstance: ({ hostId, spec }) => this.plan(hostId, spec),
    createInstance: async ({ hostId, spec }) => {
      const plan = await this.plan(hostId, spec);
      refuseProblems(plan.problems);
      const conn = this.ctx.connection(hostId);
      const placed = this.placed(hostId);
      const taskId = this.ctx.tasks.start(
        `New VM ${spec.name}`,
        taskTarget(conn.config.name, spec.name),
        (ctx) => placed.createInstance(spec, ctx),
      );
      return { taskId };
    },
    planInstanceSettings: ({ vmId, settings }) => this.settingsPlan(vmId, settings),
    applyInstanceSettings: async ({ vmId, settings }) => {
      const vm = freeVmOrThrow(this.ctx, vmId, 'A settings change');
      const plan = await this.settingsPlan(vmId, settings);
      refuseProblems(plan.problems);
      if (!plan.steps.length)
        throw new ClusterdeckError('invalid-input', `Nothing in ${vm.name}'s settings changed.`);
      const conn = this.ctx.connection(vm.hostId);
      const { edit } = this.editor(vm);
      const taskId = this.ctx.tasks.start(
        `Settings of ${vm.name}`,
        taskTarget(conn.config.name, vm.name),
        (ctx) => edit.applyInstanceSettings(vm, settings, ctx),
      );
      return { taskId };
    },
  };
}
