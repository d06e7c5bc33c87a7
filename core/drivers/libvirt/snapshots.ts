// One function per snapshot operation. Snapshots are read in full on demand
// (the Snapshots tab); the inventory keeps only the disks they hold, read
// for the VMs that have any (kept-snapshots.ts). Snapshot names, which
// anyone on the node may choose, go after `--snapshotname`/`--name`, never
// as bare words.
import type { KeptSnapshot, Snapshot, Vm } from '../../../shared/model';
import { ClusterdeckError } from '../../../shared/errors';
import type { DriverStep, SnapshotOp } from '../driver';
import { virshArgv } from './commands';
import { parseSnapshotXml } from './parse-domain';
import { canQuote } from '../../ssh/quote';
import type { VirshShell } from './virsh-shell';

async function snapshotNames(shell: VirshShell, uuid: string, vmName: string): Promise<string[]> {
  const list = await shell.run(['snapshot-list', '--domain', uuid, '--name']);
  if (!list.ok) {
    throw new ClusterdeckError(
      'command-failed',
      `Could not list the snapshots of ${vmName}: ${list.stderr.trim().replace(/^error: /gm, '')}`,
    );
  }
  // Names as virsh prints them, one a line: spaces at either end are theirs.
  // A name with a control character cannot be sent back to read it: left out.
  return list.stdout.split('\n').filter((l) => l !== '' && canQuote(l));
}

export async function readSnapshots(shell: VirshShell, vm: Vm): Promise<Snapshot[]> {
  const names = await snapshotNames(shell, vm.uuid, vm.name);
  const current = await shell.run(['snapshot-current', '--domain', vm.uuid, '--name']);
  const currentName = current.ok ? current.stdout.replace(/\n+$/, '') : '';
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

/**
 * The disks each snapshot of a VM keeps, for the inventory: its snapshots'
 * names, then each one's definition (no current-snapshot lookup, no sort),
 * through the open virsh. A snapshot gone meanwhile is left out.
 */
export async function readKeptSnapshots(shell: VirshShell, uuid: string): Promise<KeptSnapshot[]> {
  const names = await snapshotNames(shell, uuid, uuid);
  const kept = await Promise.all(
    names.map(async (name) => {
      const r = await shell.run(['snapshot-dumpxml', '--domain', uuid, '--snapshotname', name]);
      return r.ok ? { name, disks: parseSnapshotXml(r.stdout).disks } : undefined;
    }),
  );
  return kept.filter((k): k is KeptSnapshot => k !== undefined);
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
