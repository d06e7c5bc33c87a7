// Which VMs use a volume, from the disks of every VM defined on the pool's
// node (running or not; a running VM's persistent definition too). One function for the pool view's "Used by", the
// refusal to delete a volume a running VM uses, and New VM's ISO list.
// "Used by" also names the VMs whose snapshots alone keep it (the inventory
// carries their disks), since reverting to those snapshots needs it.
import type { KeptSnapshot, StoragePool, Vm, VmDisk, Volume } from './model';

export interface VolumeUser {
  vmId: string;
  vm: string;
  /** The VM is active (running, paused, stopping…) with the volume open. */
  running: boolean;
  /** Every disk of the VM on this volume is read-only media (a CD-ROM or `<readonly/>`). */
  readonly: boolean;
}

/** libvirt's inactive states; any other (also 'unknown') may have the disk open. */
const OFF_STATES: readonly string[] = ['shutoff', 'crashed'];

export function diskIsVolume(disk: VmDisk, pool: StoragePool, volume: Volume): boolean {
  // A file or block disk names the path; a type='volume' disk names pool and
  // volume; an RBD disk names 'cephpool/image', which is the volume's path too.
  if (disk.pool) return disk.pool === pool.name && disk.source === volume.name;
  return disk.source !== '' && disk.source === volume.path;
}

export function volumeUsers(pool: StoragePool, volume: Volume, vms: readonly Vm[]): VolumeUser[] {
  const users: VolumeUser[] = [];
  for (const vm of vms) {
    if (vm.hostId !== pool.hostId) continue;
    const open = vm.disks.filter((d) => diskIsVolume(d, pool, volume));
    const disks = [
      ...open,
      ...(vm.definedDisks ?? []).filter((d) => diskIsVolume(d, pool, volume)),
    ];
    // A backing file (an external snapshot's base) is open read-only under another image.
    const under = vm.disks.some((d) => d.backing?.includes(volume.path));
    if (disks.length === 0 && !under) continue;
    users.push({
      vmId: vm.id,
      vm: vm.name,
      running: (open.length > 0 || under) && !OFF_STATES.includes(vm.state),
      readonly: disks.every((d) => d.device === 'cdrom' || d.readonly === true),
    });
  }
  return users;
}

export interface SnapshotUse {
  vm: string;
  /** The snapshots whose kept definition has the volume as a disk. */
  snapshots: string[];
}

/** Which VMs' snapshots keep this volume as a disk: reverting to them needs it. */
export function snapshotUsers(
  pool: StoragePool,
  volume: Volume,
  kept: readonly { vm: Vm; snapshots: readonly KeptSnapshot[] }[],
): SnapshotUse[] {
  return kept
    .map(({ vm, snapshots }) => ({
      vm: vm.name,
      snapshots: snapshots
        .filter((s) => s.disks.some((d) => diskIsVolume(d, pool, volume)))
        .map((s) => s.name),
    }))
    .filter((u) => u.snapshots.length > 0);
}

/** "Snapshots of db (before-upgrade, nightly) keep it as a disk: reverting to them would fail without it." */
export function snapshotUseSentence(uses: readonly SnapshotUse[]): string {
  if (uses.length === 0) return '';
  const which = uses.map((u) => `${u.vm} (${u.snapshots.join(', ')})`).join('; ');
  return `Snapshots of ${which} keep it as a disk: reverting to them would fail without it.`;
}

/** "lab-linux (running), old-vm" */
export function namesOfUsers(users: readonly VolumeUser[]): string {
  return users.map((u) => (u.running ? `${u.vm} (running)` : u.vm)).join(', ');
}

/**
 * The pool view's "Used by": the VMs whose definitions hold the volume, then
 * those only a snapshot keeps it for: "db (running), old-vm (snapshot s1, s2)".
 */
export function usedBy(pool: StoragePool, volume: Volume, vms: readonly Vm[]): string {
  const users = volumeUsers(pool, volume, vms);
  const held = new Set(users.map((u) => u.vmId));
  const kept = snapshotUsers(
    pool,
    volume,
    vms
      .filter((vm) => vm.hostId === pool.hostId && !held.has(vm.id) && vm.snapshots)
      .map((vm) => ({ vm, snapshots: vm.snapshots ?? [] })),
  );
  return [
    namesOfUsers(users),
    ...kept.map(
      (k) => `${k.vm} (snapshot${k.snapshots.length > 1 ? 's' : ''} ${k.snapshots.join(', ')})`,
    ),
  ]
    .filter(Boolean)
    .join(', ');
}

/** Why a running VM's volume cannot be deleted, or undefined when it can. */
export function deleteVolumeProblem(
  pool: StoragePool,
  volume: Volume,
  vms: readonly Vm[],
  node: string,
): string | undefined {
  const running = volumeUsers(pool, volume, vms).filter((u) => u.running);
  if (running.length === 0) return undefined;
  return `${volume.name} in ${pool.name} on ${node} is in use by ${running.map((u) => u.vm).join(', ')}, which ${running.length > 1 ? 'are' : 'is'} running: shut ${running.length > 1 ? 'them' : 'it'} down or detach the disk first.`;
}

/**
 * Why a volume cannot be a new VM's install medium, or undefined when it
 * can: an ISO image by libvirt's probe of its content ('iso') or by its
 * name, and not a writable disk of another VM.
 */
export function isoProblem(
  pool: StoragePool,
  volume: Volume,
  vms: readonly Vm[],
): string | undefined {
  if (volume.format !== 'iso' && !/\.iso$/i.test(volume.name)) {
    return `${volume.name} is not an ISO image (libvirt reports ${volume.format ? `format ${volume.format}` : 'no format'}).`;
  }
  const writers = volumeUsers(pool, volume, vms).filter((u) => !u.readonly);
  if (writers.length > 0) {
    return `${volume.name} is a writable disk of ${namesOfUsers(writers)}.`;
  }
  return undefined;
}
