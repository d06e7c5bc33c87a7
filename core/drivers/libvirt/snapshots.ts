// One function per snapshot operation. Snapshots are read in full on demand
// (the Snapshots tab); the inventory keeps only the disks they hold, read
// for the VMs that have any (kept-snapshots.ts). Snapshot names, which
// anyone on the node may choose, go after `--snapshotname`/`--name`, never
// as bare words.
import type { KeptSnapshot, Snapshot, Vm } from '../../../shared/model';
import { ClusterdeckError } from '../../../shared/errors';
import type { DriverStep, SnapshotOp } from '../driver';
import type { SnapshotRefusals } from '../../../shared/vm';
import { virshArgv } from './commands';
import { parseSnapshotXml } from './parse-domain';
import { parseVersion } from './parse';
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

/**
 * libvirt reverts to external (disk-only) snapshots from 9.7 on; 9.0
 * (Debian 12) answers "revert to external snapshot not supported yet".
 * Deleting one (its overlay merged back) works from 9.0.
 */
const REVERTS_EXTERNAL = [9, 7];

function revertsExternal(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return (
    major > REVERTS_EXTERNAL[0]! || (major === REVERTS_EXTERNAL[0] && minor >= REVERTS_EXTERNAL[1]!)
  );
}

export async function readSnapshots(shell: VirshShell, vm: Vm, node: string): Promise<Snapshot[]> {
  const names = await snapshotNames(shell, vm.uuid, vm.name);
  const version = await shell.run(['version']);
  const libvirt = version.ok ? parseVersion(version.stdout).libvirt : '';
  const cannotRevert =
    libvirt && revertsExternal(libvirt)
      ? undefined
      : `libvirt ${libvirt || ''} on ${node} cannot revert to a disk-only snapshot: it keeps the disks in overlay files (an external snapshot), which libvirt reverts to only from 9.7 on. Delete merges it back into the disks.`.replace(
          '  ',
          ' ',
        );
  const current = await shell.run(['snapshot-current', '--domain', vm.uuid, '--name']);
  const currentName = current.ok ? current.stdout.replace(/\n+$/, '') : '';
  const snaps = await Promise.all(
    names.map(async (name) => {
      const r = await shell.run(['snapshot-dumpxml', '--domain', vm.uuid, '--snapshotname', name]);
      if (!r.ok) return undefined;
      const s = { ...parseSnapshotXml(r.stdout), current: name === currentName };
      return s.storage === 'external' && cannotRevert ? { ...s, cannotRevert } : s;
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
    case 'create': {
      // A running VM's snapshot without --disk-only is internal and keeps
      // its memory (all disks qcow2); --disk-only makes overlay files.
      if (s.kind === 'memory' && vm.state !== 'running')
        throw new ClusterdeckError(
          'invalid-input',
          `${vm.name} is not running: a snapshot with memory needs a running VM.`,
        );
      const kind =
        s.kind === 'memory'
          ? ' with its memory (running state)'
          : s.kind === 'disk-only-quiesce'
            ? ' of the disks only, quiesced by the guest agent'
            : '';
      return [
        {
          title: `Take the snapshot ${s.name}${kind}`,
          argv: virshArgv([
            'snapshot-create-as',
            '--domain',
            vm.uuid,
            '--name',
            s.name,
            ...(s.description ? ['--description', s.description] : []),
            ...(s.kind === 'disk-only-quiesce' ? ['--disk-only', '--quiesce'] : []),
            '--atomic',
          ]),
        },
      ];
    }
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

/**
 * libvirt 9.0 cannot mix the two storages in one VM: a disk-only (external)
 * snapshot whose parent is internal cannot be deleted ("deleting external
 * snapshot that has internal snapshot as parent not supported"), and an
 * internal one cannot be deleted once the disks moved to an overlay ("disk
 * image 'vda' for internal snapshot … is not the same as disk image
 * currently used by VM"). So a VM keeps to the kind it has.
 */
export function snapshotCreateRefusals(vm: Vm, snapshots: readonly Snapshot[]): SnapshotRefusals {
  const external = snapshots.some((s) => s.storage === 'external');
  const internal = snapshots.some((s) => s.storage === 'internal');
  const out: SnapshotRefusals = {};
  if (external) {
    const why = `${vm.name} has disk-only snapshots in overlay files; libvirt could not delete them after a snapshot kept inside the disk images. Delete the disk-only snapshots first.`;
    out.default = why;
    out.memory = why;
  }
  if (internal)
    out['disk-only-quiesce'] =
      `${vm.name} has snapshots kept inside its disk images; libvirt could not delete a disk-only snapshot taken after them, nor them once the disks moved to overlay files. Delete those snapshots first.`;
  if (vm.state !== 'running')
    out.memory ??= `${vm.name} is not running: there is no memory to keep.`;
  if (vm.state !== 'running')
    out['disk-only-quiesce'] ??=
      `${vm.name} is not running: there is no guest agent to quiesce it.`;
  return out;
}
