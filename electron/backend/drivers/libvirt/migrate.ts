// The commands of a migration, run on the source node: `virsh migrate` to
// the target over SSH (the trust New Cluster set up, through the peer's
// alias in the node's ~/.ssh/config: the cluster key, from the node's address), the data stream
// straight to the target's address, and the job's progress and abort.
import { nodeUri } from '../../clusters/sshConfig';
import { virshArgv } from './commands';

export interface MigrationTarget {
  address: string;
  port: number;
  user: string;
}

export interface MigrateOptions {
  /** Running (or paused) guests move live; a shut-off one moves its definition only. */
  live: boolean;
  copyStorage: boolean;
  persist: boolean;
  bandwidthMiBs?: number | undefined;
}

export function migrateArgv(uuid: string, target: MigrationTarget, o: MigrateOptions): string[] {
  const host = target.address.includes(':') ? `[${target.address}]` : target.address;
  return virshArgv([
    'migrate',
    ...(o.live ? ['--live'] : ['--offline']),
    ...(o.persist || !o.live ? ['--persistent', '--undefinesource'] : []),
    ...(o.copyStorage ? ['--copy-storage-all'] : []),
    ...(o.bandwidthMiBs ? ['--bandwidth', String(o.bandwidthMiBs)] : []),
    uuid,
    `${nodeUri(target)}?no_tty=1`,
    // The data goes to the address Clusterdeck reaches the node by, not to
    // whatever the target's host name resolves to.
    ...(o.live ? ['--migrateuri', `tcp://${host}`] : []),
  ]);
}

export const jobAbortArgv = (uuid: string) => virshArgv(['domjobabort', uuid]);
