// The commands of a migration, run on the source node: `virsh migrate` to
// the target over SSH (the trust New Cluster set up, through the peer's
// alias in the node's ~/.ssh/config: the cluster key, from the node's
// address), the data stream straight to the target's address (plain or TLS)
// or through the source libvirtd's own SSH connection to the target
// (tunnelled), and the job's progress and abort.
import type { MigrateOptions } from '../capabilities';
import { nodeUri } from './cluster/sshConfig';
import { virshArgv } from './commands';

export type { MigrateOptions } from '../capabilities';

export interface MigrationTarget {
  address: string;
  port: number;
  user: string;
}

export function migrateArgv(uuid: string, target: MigrationTarget, o: MigrateOptions): string[] {
  const host = target.address.includes(':') ? `[${target.address}]` : target.address;
  // An offline move sends the definition only, over the (SSH) libvirt connection.
  const transport = o.live ? (o.transport ?? 'plain') : 'plain';
  return virshArgv([
    'migrate',
    ...(o.live ? ['--live'] : ['--offline']),
    // The source libvirtd opens the target URI itself, with its own SSH trust,
    // and QEMU's stream goes through that connection.
    ...(transport === 'tunnelled' ? ['--p2p', '--tunnelled'] : []),
    ...(transport === 'tls' ? ['--tls'] : []),
    ...(o.persist || !o.live ? ['--persistent', '--undefinesource'] : []),
    ...(o.copyStorage ? ['--copy-storage-all'] : []),
    ...(o.bandwidthMiBs ? ['--bandwidth', String(o.bandwidthMiBs)] : []),
    uuid,
    `${nodeUri(target)}?no_tty=1`,
    // The data goes to the address Clusterdeck reaches the node by, not to
    // whatever the target's host name resolves to.
    ...(o.live && transport !== 'tunnelled' ? ['--migrateuri', `tcp://${host}`] : []),
  ]);
}

export const jobAbortArgv = (uuid: string) => virshArgv(['domjobabort', uuid]);

/**
 * After a failed or cancelled move with its disks, the files libvirt made on
 * the target for them: they were not there before (the preflight checked).
 * Only while the target has no such domain: a move that failed late may have
 * left the guest running there, from those very files.
 */
export const removeCopiesArgv = (uuid: string, paths: readonly string[]) => [
  'sh',
  '-c',
  'virsh -c qemu:///system domstate "$1" >/dev/null 2>&1 && exit 0; shift; rm -f -- "$@"',
  'clusterdeck-remove-copies',
  uuid,
  ...paths,
];
