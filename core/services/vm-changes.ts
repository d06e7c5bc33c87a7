// VM changes that act at once (shared/vm-change.ts): the CD/DVD medium, a
// disk's size, a NIC's link, the notes. Planned (the commands and when they
// take effect) for the dialog to show, planned again on Apply, run as a task;
// a change with an exact inverse stays undoable from the Tasks pane after it
// succeeded (eject -> put the medium back, link down -> up, old notes).
import type { Vm } from '../../shared/model';
import type { VmChange } from '../../shared/vm-change';
import { formatBytes } from '../../shared/units';
import { onNode, reread, runPlan, stepView, type PlannedStep } from '../wizards/plan';
import { taskTarget } from '../tasks/runner';
import { freeVmOrThrow, vmOrThrow, type ServiceContext } from './context';
import type { HandlersOf } from './handlers';
import { refuseProblems } from './planned-operation';

/** The task's title, in the user's words. */
function changeTitle(vm: Vm, c: VmChange): string {
  switch (c.op) {
    case 'media':
      return c.source
        ? `Insert ${c.source.volume} into ${c.target} of ${vm.name}`
        : `Eject ${c.target} of ${vm.name}`;
    case 'resize':
      return `Grow ${c.target} of ${vm.name} to ${formatBytes(c.bytes)}`;
    case 'link':
      return `Link ${c.state} on ${c.mac} of ${vm.name}`;
    case 'description':
      return `Notes of ${vm.name}`;
  }
}

export class VmChangeService {
  constructor(private readonly ctx: ServiceContext) {}

  private async plan(vm: Vm, change: VmChange) {
    const conn = this.ctx.connection(vm.hostId);
    const plan = await conn.getDriver().vmChangePlan(vm, change);
    return { conn, plan, steps: onNode(conn, plan.steps) };
  }

  readonly handlers: HandlersOf<'planVmChange' | 'applyVmChange' | 'vmDiskCapacity'> = {
    planVmChange: async ({ vmId, change }) => {
      const vm = vmOrThrow(this.ctx, vmId);
      const { plan, steps } = await this.plan(vm, change);
      const undo = steps.map((s) => s.undo?.('', true)).filter((u): u is PlannedStep => !!u);
      return {
        steps: steps.map(stepView),
        problems: plan.problems,
        ...(plan.note ? { note: plan.note } : {}),
        undo: undo.reverse().map(stepView),
      };
    },

    applyVmChange: async ({ vmId, change }) => {
      const vm = freeVmOrThrow(this.ctx, vmId, 'A change');
      const { conn, plan, steps } = await this.plan(vm, change);
      refuseProblems(plan.problems);
      const connection = this.ctx.connection;
      const taskId = this.ctx.tasks.start(
        changeTitle(vm, change),
        taskTarget(conn.config.name, vm.name),
        async (task) => {
          await runPlan(task, steps, connection, 'vms');
          // A volume resized through its pool: its new capacity shows in the pool view.
          if (change.op === 'resize') await reread([conn], 'pools');
          const undo = steps
            .map((s) => s.undo?.('', true))
            .filter((u): u is PlannedStep => !!u)
            .reverse();
          if (undo.length)
            task.offerUndo(undo.map(stepView), (c) => runPlan(c, undo, connection, 'vms'), {
              afterSuccess: true,
            });
        },
      );
      return { taskId };
    },

    vmDiskCapacity: async ({ vmId, target }) => {
      const vm = vmOrThrow(this.ctx, vmId);
      const bytes = await this.ctx.connection(vm.hostId).getDriver().diskCapacity(vm, target);
      return { bytes };
    },
  };
}
