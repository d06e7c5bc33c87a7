// What the Proxmox VE driver does not offer yet: it reads the cluster and
// runs VM and container power actions; storage changes, networks, New VM,
// settings, snapshots, migration and counters come later (consoles: console.ts). Each
// rejects with an 'unsupported' error naming it, and the driver leaves them
// out of `capabilities` so the renderer hides them.
import type { Finding } from '../../../shared/cluster';
import { ClusterdeckError } from '../../../shared/errors';
import type { TlsReadiness } from '../../../shared/migration';
import type { OsCatalog } from '../../../shared/osinfo';
import type {
  DriverStep,
  GuestNeeds,
  MigrationProgress,
  NodeCounters,
  NodeMemory,
  VmChangePlan,
} from '../capabilities';

const unsupported = (what: string) =>
  new ClusterdeckError('unsupported', `Clusterdeck does not manage ${what} on Proxmox VE yet.`);
const reject = (what: string) => Promise.reject(unsupported(what));

export abstract class ProxmoxUnsupported {
  serialConsoleArgv(): string[] {
    throw unsupported('serial consoles');
  }
  createPoolSteps(): DriverStep[] {
    throw unsupported('storage pools');
  }
  poolActionSteps(): DriverStep[] {
    throw unsupported('storage pools');
  }
  volumeSteps(): DriverStep[] {
    throw unsupported('storage pools');
  }
  createNetworkSteps(): DriverStep[] {
    throw unsupported('networks');
  }
  networkActionSteps(): DriverStep[] {
    throw unsupported('networks');
  }
  readHostInterfaces(): Promise<never> {
    return reject('host interfaces');
  }
  scanSourcesArgv(): string[] {
    throw unsupported('pool scans');
  }
  parseFoundSources(): never[] {
    throw unsupported('pool scans');
  }
  createVmSteps(): DriverStep[] {
    throw unsupported('New VM');
  }
  readOsCatalog(): Promise<OsCatalog> {
    return reject('OS variants');
  }
  deleteVmSteps(): DriverStep[] {
    throw unsupported('Delete VM as plain commands');
  }
  vmSettingsPlan(): Promise<{ diff: string; steps: DriverStep[] }> {
    return reject('VM settings');
  }
  cloneVmSteps(): Promise<DriverStep[]> {
    return reject('Clone VM');
  }
  vmTagsSteps(): DriverStep[] {
    throw unsupported('tags');
  }
  vmChangePlan(): Promise<VmChangePlan> {
    return reject('VM changes');
  }
  diskCapacity(): Promise<number> {
    return reject('disk sizes');
  }
  /** A guest agent's facts: not read on Proxmox VE yet. */
  guestInfo(): Promise<never> {
    return reject('guest agents');
  }
  /** No snapshots, so nothing to refuse one by one. */
  snapshotCreateRefusals(): Record<string, never> {
    return {};
  }
  readSnapshots(): Promise<never[]> {
    return reject('snapshots');
  }
  async vmsWithSnapshots(): Promise<string[]> {
    return [];
  }
  async snapshotsChanged(): Promise<void> {}
  snapshotSteps(): DriverStep[] {
    throw unsupported('snapshots');
  }
  memAvailable(): Promise<number> {
    return reject('migration');
  }
  guestNeeds(): Promise<GuestNeeds> {
    return reject('migration');
  }
  async cpuRuns(): Promise<boolean | undefined> {
    return undefined;
  }
  migrateArgv(): string[] {
    throw unsupported('migration');
  }
  async readMigration(): Promise<MigrationProgress | undefined> {
    return undefined;
  }
  abortMigrationArgv(): string[] {
    throw unsupported('migration');
  }
  removeCopiesArgv(): string[] {
    throw unsupported('migration');
  }
  transportFinding(): Promise<Finding> {
    return reject('migration');
  }
  tlsReadiness(): Promise<TlsReadiness> {
    return reject('migration');
  }
  readMemory(): Promise<NodeMemory> {
    return reject('performance counters');
  }
  readCounters(): Promise<NodeCounters> {
    return reject('performance counters');
  }
}
