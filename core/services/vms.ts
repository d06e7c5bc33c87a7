// VMs: actions, snapshots, settings, clone, delete and New VM, each a task
// on the VM's node; refused while a running task (a migration) holds the VM.
import { ClusterdeckError } from '../../shared/errors';
import { VM_ACTION_LABELS, offersAction } from '../../shared/vm-actions';
import type { VmSpec } from '../../shared/vm';
import type { OsCatalog } from '../../shared/osinfo';
import { refuseSnapshotOp } from './snapshot-checks';
import { onNode, rereadSnapshots, runPlan, stepView } from '../wizards/plan';
import { freeVmOrThrow, vmOrThrow, type ServiceContext } from './context';
import { taskTarget } from '../tasks/runner';
import type { HandlersOf } from './handlers';
import { PlannedOperation, planView, runSteps, type StepsPlan } from './planned-operation';
import { planVm } from './vm-plan';
import type { HaVmActions } from './ha-vm-actions';

type NewVm = { hostId: string; spec: VmSpec };

export class VmService {
  private readonly newVm: PlannedOperation<NewVm, StepsPlan>;
  /** Each node's OS variants, read once: ~600 kB and a second or two of osinfo-query. */
  private readonly catalogs = new Map<string, Promise<OsCatalog>>();

  private osCatalog(hostId: string, reread = false): Promise<OsCatalog> {
    let read = reread ? undefined : this.catalogs.get(hostId);
    if (!read) {
      read = this.ctx.connection(hostId).getDriver().readOsCatalog();
      this.catalogs.set(hostId, read);
      // A failed read is tried again next time.
      read.catch(() => this.catalogs.delete(hostId));
    }
    return read;
  }

  constructor(
    private readonly ctx: ServiceContext,
    /** An HA resource's actions go through Pacemaker (ha-vm-actions.ts). */
    private readonly haActions?: HaVmActions,
  ) {
    this.newVm = new PlannedOperation(ctx.tasks, {
      plan: async ({ hostId, spec }) => {
        const hw = spec.hardware;
        // UEFI and a TPM need the node's ovmf and swtpm: checked from the same read.
        const needs = hw && (hw.firmware === 'efi' || hw.tpm);
        const catalog = needs ? await this.osCatalog(hostId).catch(() => undefined) : undefined;
        return planVm(ctx, hostId, spec, catalog?.firmware);
      },
      task: ({ hostId, spec }) => ({
        title: `New VM ${spec.name}`,
        target: taskTarget(ctx.connection(hostId).config.name, spec.name),
      }),
      run: runSteps(ctx.connection, 'pools', async (_task, _plan, { hostId }) => {
        await ctx.connection(hostId).getDriver().refresh('vms');
      }),
    });
  }

  readonly handlers: HandlersOf<
    | 'vmAction'
    | 'listSnapshots'
    | 'guestInfo'
    | 'snapshotAction'
    | 'deleteVm'
    | 'planVmSettings'
    | 'applyVmSettings'
    | 'cloneVm'
    | 'setVmTags'
    | 'planVm'
    | 'getOsCatalog'
    | 'createVm'
    | 'cloneChoices'
    | 'convertToTemplate'
  > = {
    vmAction: async ({ vmId, action }) => {
      const vm = freeVmOrThrow(this.ctx, vmId, VM_ACTION_LABELS[action]);
      // The renderer offers only what the guest's stack has; the contract holds to it too.
      if (!offersAction(vm, action))
        throw new ClusterdeckError(
          'unsupported',
          `${vm.name} has no ${VM_ACTION_LABELS[action]}: its ${vm.kind ?? 'VM'}'s stack does not offer it.`,
        );
      const haTask = this.haActions?.start(vm, action);
      if (haTask) return { taskId: haTask };
      const conn = this.ctx.connection(vm.hostId);
      const driver = conn.getDriver();
      const taskId = this.ctx.tasks.start(
        `${VM_ACTION_LABELS[action]} ${vm.name}`,
        taskTarget(conn.config.name, vm.name),
        (ctx) => driver.vmAction(vm, action, ctx, this.ctx.settings.current.vmActionTimeoutSeconds),
      );
      return { taskId };
    },

    guestInfo: async ({ vmId }) => {
      const vm = vmOrThrow(this.ctx, vmId);
      return this.ctx.connection(vm.hostId).getDriver().guestInfo(vm);
    },

    listSnapshots: async ({ vmId }) => {
      const vm = vmOrThrow(this.ctx, vmId);
      const driver = this.ctx.connection(vm.hostId).getDriver();
      const snapshots = await driver.readSnapshots(vm);
      return { snapshots, cannotCreate: driver.snapshotCreateRefusals(vm, snapshots) };
    },

    snapshotAction: async ({ vmId, snapshot }) => {
      const vm = freeVmOrThrow(this.ctx, vmId, 'A snapshot change');
      const conn = this.ctx.connection(vm.hostId);
      await refuseSnapshotOp(conn.getDriver(), vm, snapshot);
      // A stack that runs snapshots as its own tasks (Proxmox VE's workers).
      const own = conn.getDriver().snapshotTasks;
      if (own)
        return {
          taskId: this.ctx.tasks.start(
            `Snapshot ${snapshot.name} of ${vm.name}`,
            taskTarget(conn.config.name, vm.name),
            (ctx) => own.runSnapshotOp(vm, snapshot, ctx),
          ),
        };
      const steps = onNode(conn, conn.getDriver().snapshotSteps(vm, snapshot));
      const taskId = this.ctx.tasks.start(
        steps[0]!.title,
        taskTarget(conn.config.name, vm.name),
        (ctx) =>
          runPlan(ctx, steps, this.ctx.connection, 'vms').finally(() =>
            // A revert keeps the same snapshots, and libvirt's snapshot event re-reads them
            // (the driver's inventory); a take or a delete sends no event: read here.
            snapshot.op === 'revert' ? undefined : rereadSnapshots(conn, vm),
          ),
      );
      return { taskId };
    },

    deleteVm: async ({ vmId, disks }) => {
      const vm = freeVmOrThrow(this.ctx, vmId, 'Delete');
      const conn = this.ctx.connection(vm.hostId);
      for (const d of disks) {
        if (!vm.disks.some((x) => x.target === d))
          throw new ClusterdeckError('invalid-input', `${vm.name} has no disk ${d}.`);
      }
      const driver = conn.getDriver();
      if (driver.deleteVm) {
        const remove = driver.deleteVm.bind(driver);
        return {
          taskId: this.ctx.tasks.start(
            `Delete ${vm.name}`,
            taskTarget(conn.config.name, vm.name),
            (ctx) => remove(vm, ctx),
          ),
        };
      }
      const steps = onNode(conn, driver.deleteVmSteps(vm, disks));
      const taskId = this.ctx.tasks.start(
        `Delete ${vm.name}`,
        taskTarget(conn.config.name, vm.name),
        async (ctx) => {
          await runPlan(ctx, steps, this.ctx.connection, 'vms');
          if (disks.length) await conn.getDriver().refresh('pools');
        },
      );
      return { taskId };
    },

    planVmSettings: async ({ vmId, settings }) => {
      const vm = vmOrThrow(this.ctx, vmId);
      const conn = this.ctx.connection(vm.hostId);
      const { diff, steps } = await conn.getDriver().vmSettingsPlan(vm, settings);
      return {
        diff,
        steps: onNode(conn, steps).map(stepView),
        ...(vm.state !== 'shutoff'
          ? {
              note: `${vm.name} is running: CPU, memory, boot and device changes apply at its next start.`,
            }
          : {}),
      };
    },

    applyVmSettings: async ({ vmId, settings }) => {
      const vm = freeVmOrThrow(this.ctx, vmId, 'A settings change');
      const conn = this.ctx.connection(vm.hostId);
      const { steps } = await conn.getDriver().vmSettingsPlan(vm, settings);
      if (!steps.length)
        throw new ClusterdeckError('invalid-input', `Nothing in ${vm.name}'s settings changed.`);
      const planned = onNode(conn, steps);
      const taskId = this.ctx.tasks.start(
        `Settings of ${vm.name}`,
        taskTarget(conn.config.name, vm.name),
        (ctx) => runPlan(ctx, planned, this.ctx.connection, 'vms'),
      );
      return { taskId };
    },

    cloneVm: async ({ vmId, name, extras }) => {
      const vm = freeVmOrThrow(this.ctx, vmId, 'Clone');
      const conn = this.ctx.connection(vm.hostId);
      // A stack that copies guests itself (Proxmox VE) refuses what it cannot clone.
      const cloning = conn.getDriver().guestCloning;
      if (cloning)
        return {
          taskId: this.ctx.tasks.start(
            `Clone ${vm.name} as ${name}`,
            taskTarget(conn.config.name, vm.name),
            (ctx) => cloning.cloneGuest(vm, name, extras ?? {}, ctx),
          ),
        };
      if (vm.state !== 'shutoff') {
        throw new ClusterdeckError(
          'invalid-state',
          `${vm.name} is running; shut it down first, so its disks are copied whole.`,
        );
      }
      if (this.ctx.store.all('vms').some((v) => v.hostId === vm.hostId && v.name === name)) {
        throw new ClusterdeckError(
          'invalid-input',
          `${conn.config.name} already has a VM named ${name}.`,
        );
      }
      const steps = onNode(conn, await conn.getDriver().cloneVmSteps(vm, name));
      const taskId = this.ctx.tasks.start(
        `Clone ${vm.name} as ${name}`,
        taskTarget(conn.config.name, vm.name),
        async (ctx) => {
          await runPlan(ctx, steps, this.ctx.connection, 'pools');
          await conn.getDriver().refresh('vms');
        },
      );
      return { taskId };
    },

    setVmTags: async ({ vmId, tags }) => {
      const vm = freeVmOrThrow(this.ctx, vmId, 'A tag change');
      const conn = this.ctx.connection(vm.hostId);
      const steps = onNode(conn, conn.getDriver().vmTagsSteps(vm, tags));
      const taskId = this.ctx.tasks.start(
        steps[0]!.title,
        taskTarget(conn.config.name, vm.name),
        (ctx) => runPlan(ctx, steps, this.ctx.connection, 'vms'),
      );
      return { taskId };
    },

    getOsCatalog: ({ hostId, reread }) => this.osCatalog(hostId, reread),
    convertToTemplate: async ({ vmId }) => {
      const vm = freeVmOrThrow(this.ctx, vmId, 'Convert to template');
      const conn = this.ctx.connection(vm.hostId);
      const cloning = conn.getDriver().guestCloning;
      if (!cloning)
        throw new ClusterdeckError('unsupported', `${conn.config.name} has no templates to make.`);
      return {
        taskId: this.ctx.tasks.start(
          `Convert ${vm.name} to a template`,
          taskTarget(conn.config.name, vm.name),
          (ctx) => cloning.convertToTemplate(vm, ctx),
        ),
      };
    },
    cloneChoices: async ({ vmId }) => {
      const vm = vmOrThrow(this.ctx, vmId);
      const cloning = this.ctx.connection(vm.hostId).getDriver().guestCloning;
      if (!cloning)
        throw new ClusterdeckError(
          'unsupported',
          `${vm.name}'s node copies VMs with Clone's name only.`,
        );
      return cloning.cloneChoices(vm);
    },
    planVm: async (p) => planView(await this.newVm.plan(p)),
    createVm: (p) => this.newVm.start(p),
  };
}
