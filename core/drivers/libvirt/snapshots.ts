// One function per snapshot operation. Snapshots are read on demand (the
// Snapshots tab), not with the inventory: a node with many VMs should not
// pay for them on every load. Snapshot names, which anyone on the node may
// choose, go after `--snapshotname`/`--name`, never as bare words.
import type { Snapshot, Vm } from '../../../shared/model';
import { ClusterdeckError } from '../../../shared/errors';
import type { DriverStep, SnapshotOp } from '../driver';
import { virshArgv } from './commands';
import { parseSnapshotXml } from './parse';
import { canQuote } from '../../ssh/quote';
import type { VirshShell } from './virsh-shell';

export async function readSnapshots(shell: VirshShell, vm: Vm): Promise<Snapshot[]> {
  const list = await shell.run(['snapshot-list', '--domain', vm.uuid, '--name']);
  if (!list.ok) {
    throw new ClusterdeckError(
      'command-failed',
      `Could not list the snapshots of ${vm.name}: ${list.stderr.trim().replace(/^error: /gm, '')}`,
    );
  }
  const current = await shell.run(['snapshot-current', '--domain', vm.uuid, '--name']);
  // Names as virsh prints them, one a line: spaces at either end are theirs.
  const currentName = current.ok ? current.stdout.replace(/\n+$/, '') : '';
  // A name with a control character cannot be sent back to read it: left out.
  const names = list.stdout.split('\n').filter((l) => l !== '' && canQuote(l));
  const snaps = await Promise.all(
    names.map(async (name) => {
      const r = await shell.run(['snapshot-dumpxml', '--domain', vm.uuid, '--snapshotname', name]);
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
            '--domain',
            vm.uuid,
            '--name',
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
          argv: virshArgv(['snapshot-revert', '--domain', vm.uuid, '--snapshotname', s.name]),
        },
      ];
    case 'delete':
      return [
        {
          title: `Delete the snapshot ${s.name}`,
          argv: virshArgv(['snapshot-delete', '--domain', vm.uuid, '--snapshotname', s.name]),
        },
      ];
  }
}
