// A VM action (start, shut down, reboot, …) run and followed until libvirt
// shows its effect: the state in the inventory (kept current by the event
// stream) or, for a reboot, the domain's reboot event. Nothing polls the node.
import { VM_ACTION_LABELS, type VmAction } from '../../../shared/api';
import { ClusterdeckError } from '../../../shared/errors';
import type { Vm } from '../../../shared/model';
import { quoteArgv } from '../../ssh/quote';
import type { TaskContext } from '../../tasks/runner';
import { VM_ACTION_ARGS, virshArgv } from './commands';
import { EFFECTS, isDomainEvent, waitUntil } from './effects';
import type { LibvirtInventory } from './inventory';
import type { LibvirtNode } from './node';

/** Runs the action, then waits, up to `waitSeconds`, for its effect. */
export async function runVmAction(
  node: LibvirtNode,
  inventory: LibvirtInventory,
  vm: Vm,
  action: VmAction,
  ctx: TaskContext,
  waitSeconds: number,
): Promise<void> {
  const effect = EFFECTS[action];
  let eventSeen = false;
  let wake = () => {};
  // Listening starts before the command: a reboot's event may come before it returns.
  const listener = (line: string) => {
    if (effect.event && isDomainEvent(line, effect.event, vm.name)) {
      eventSeen = true;
      wake();
    }
  };
  inventory.lineListeners.add(listener);
  const unsubscribe = node.store.onPatch(() => wake());
  try {
    const run = (argv: string[]) =>
      node.session.exec(argv, { signal: ctx.signal, log: ctx.log, timeoutMs: 120_000 });
    let argv = virshArgv(VM_ACTION_ARGS[action](vm.uuid));
    let r;
    if (action === 'shutdown') {
      // The guest agent when it answers, else the ACPI power button; the
      // task's step says which it was (the log has both commands).
      r = await run(virshArgv([...VM_ACTION_ARGS.shutdown(vm.uuid), '--mode', 'agent']));
      if (r.code === 0) ctx.setSteps(['Shut down through the guest agent']);
      else {
        const why =
          r.stderr
            .trim()
            .replace(/^error: /gm, '')
            .split('\n')
            .pop() ?? '';
        ctx.setSteps([`Shut down with the ACPI power button (guest agent: ${why})`]);
        argv = virshArgv([...VM_ACTION_ARGS.shutdown(vm.uuid), '--mode', 'acpi']);
        r = await run(argv);
      }
      ctx.stepState(0, r.code === 0 ? 'done' : 'failed');
    } else r = await run(argv);
    if (r.code !== 0) {
      const why = r.stderr.trim().replace(/^error: /gm, '') || `exit code ${r.code}`;
      throw new ClusterdeckError(
        'command-failed',
        `${node.label}: \`${quoteArgv(argv)}\` failed: ${why}. See the task log for the full output.`,
      );
    }
    ctx.detail(effect.waiting);
    await inventory.refresh('vms');
    const seen = () => (effect.reached ? effect.reached(node.store.get('vms', vm.id)) : eventSeen);
    const wait = waitUntil(
      seen,
      waitSeconds * 1000,
      ctx.signal,
      () => new ClusterdeckError('cancelled', `Stopped waiting for ${vm.name}.`),
    );
    wake = wait.wake;
    const ok = await wait.result;
    if (!ok) {
      if (effect.offer === 'destroy')
        ctx.offer({ label: VM_ACTION_LABELS.destroy, vmId: vm.id, action: 'destroy' });
      throw new ClusterdeckError('timeout', effect.late(vm.name, node.label, waitSeconds));
    }
  } finally {
    ctx.detail('');
    inventory.lineListeners.delete(listener);
    unsubscribe();
  }
}
