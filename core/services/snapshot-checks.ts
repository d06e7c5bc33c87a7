// What the node cannot do with a snapshot, refused before any command runs
// (the Snapshots tab does not offer these; a stale page or another client
// still could ask): a quiesced disk-only snapshot without a running guest
// agent, and a revert the node's hypervisor does not support.
import { ClusterdeckError } from '../../shared/errors';
import type { Vm } from '../../shared/model';
import type { SnapshotOp } from '../../shared/vm';
import type { Driver } from '../drivers/driver';

export async function refuseSnapshotOp(
  driver: Pick<Driver, 'guestInfo' | 'readSnapshots' | 'snapshotCreateRefusals'>,
  vm: Vm,
  op: SnapshotOp,
): Promise<void> {
  if (op.op === 'create') {
    const why = driver.snapshotCreateRefusals(vm, await driver.readSnapshots(vm))[op.kind];
    if (why) throw new ClusterdeckError('invalid-input', why);
  }
  if (op.op === 'create' && op.kind === 'disk-only-quiesce') {
    const guest = await driver.guestInfo(vm);
    if (guest.agent !== 'running')
      throw new ClusterdeckError(
        'invalid-input',
        `A disk-only snapshot of ${vm.name} is quiesced through its guest agent, which is not running (${guest.reason}). ` +
          'Take a snapshot with memory instead, or start the agent in the guest.',
      );
  }
  if (op.op === 'revert') {
    const snap = (await driver.readSnapshots(vm)).find((s) => s.name === op.name);
    if (snap?.cannotRevert) throw new ClusterdeckError('unsupported', snap.cannotRevert);
  }
}
