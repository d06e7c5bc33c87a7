// One function per snapshot operation. Snapshots are read on demand (the
// Snapshots tab), not with the inventory: a node with many VMs should not
// pay for them on every load.
import type { Snapshot, Vm } from '../../../../shared/model';
import { ClusterdeckError } from '../../../../shared/errors';
import type { DriverStep, SnapshotOp } from '../driver';
import { virshArgv } from './commands';
import { parseList, parseSnapshotXml } from './parse';
import type { VirshShell } from './virsh-shell';

export async function readSnapshots(shell: VirshShell, vm: Vm): Promise<Snapshot[]> {
  const list = await shell.run(['snapshot-list', vm.uuid, '--name']);
  if (!list.ok) {
    throw new ClusterdeckError(
      'command-failed',
      `Could not list the snapshots of ${vm.name}: ${list.stderr.trim().replace(/^error: /gm, '')}`,
    );
  }
  const current = await shell.run(['snapshot-current', vm.uuid, '--name']);
  const currentName = current.ok ? current.stdout.trim() : '';
  const snaps = await Promise.all(
    parseList(list.stdout).map(async (name) => {
      const r = await shell.run(['snapshot-dumpxml', vm.uuid, name]);
      return r.ok ? { ...parseSnapshotXml(r.stdout), current: name === currentName } : undefined;
    }),
  );
  return snaps
    .filter((s): s is Snapshot => s !== undefined)
    .sort((a, b) => a.createdAt - b.createdAt);
}

export function snapshotSteps(vm: Vm, s: SnapshotOp): DriverStep[] {
  switch (s.op) {
    case 'create':
      return [
        {
          title: `Take the snapshot ${s.name}`,
          argv: virshArgv([
            'snapshot-create-as',
            vm.uuid,
            s.name,
            ...(s.description ? ['--description', s.description] : []),
            '--atomic',
          ]),
        },
      ];
    case 'revert':
      return [
        {
          title: `Revert ${vm.name} to ${s.name}`,
          argv: virshArgv(['snapshot-revert', vm.uuid, s.name]),
        },
      ];
    case 'delete':
      return [
        {
          title: `Delete the snapshot ${s.name}`,
          argv: virshArgv(['snapshot-delete', vm.uuid, s.name]),
        },
      ];
  }
}
