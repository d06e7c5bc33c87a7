// The backup pieces of the simulator put into its route table: the jobs and
// extractconfig (backups.ts), vzdump (backup-run.ts), the archives in the
// storages' content and restore (wrappers of content.ts's and guests.ts's routes);
// an archive deleted, protected or its notes changed (backup-volumes.ts).
import type { Handler } from './context';
import { backupJobRoutes, withBackupContent } from './backups';
import { vzdumpRoutes } from './backup-run';
import { withBackupRestore } from './backup-restore';
import { backupVolumeRoutes } from './backup-volumes';

export function withBackups(routes: Record<string, Handler>): void {
  Object.assign(routes, backupJobRoutes, vzdumpRoutes);
  withBackupContent(routes);
  withBackupRestore(routes);
  Object.assign(routes, backupVolumeRoutes);
}
