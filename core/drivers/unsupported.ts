// The capabilities a driver of a stack other than libvirt does not offer
// (yet, or at all: Ganeti places and moves its VMs its own way through
// `placedVms` and `clusterMoves`), as a base class: each method rejects with
// an 'unsupported' error naming what and the stack, and the driver leaves
// the capability out of `capabilities` so the renderer hides it. A driver
// overrides what it implements.
import type { Finding } from '../../shared/cluster';
import { ClusterdeckError } from '../../shared/errors';
import type { TlsReadiness } from '../../shared/migration';
import type { OsCatalog } from '../../shared/osinfo';
import type { Snapshot, Vm } from '../../shared/model';
import type { SnapshotRefusals } from '../../shared/vm';
import type {
  DriverStep,
  GuestNeeds,
  MigrationProgress,
  NodeCounters,
  NodeMemory,
  VmChangePlan,
} from './capabilities';

export abstract class UnsupportedByDefault {
  /** How the refusals name the stack ("Ganeti", "Proxmox VE"). */
  abstract readonly hypervisorName: string;

  private unsupported(what: string): ClusterdeckError {
    return new ClusterdeckError(
      'unsupported',
      `Clusterdeck does not manage ${what} on ${this.hypervisorName} yet.`,
    );
  }
  private reject(what: string): Promise<never> {
    return Promise.reject(this.unsupported(what));
  }

  serialConsoleArgv(): string[] {
    throw this.unsupported('serial consoles');
  }
  createPoolSteps(): DriverStep[] {
    throw this.unsupported('storage pools');
  }
  poolActionSteps(): DriverStep[] {
    throw this.unsupported('storage pools');
  }
  volumeSteps(): DriverStep[] {
    throw this.unsupported('storage pools');
  }
  createNetworkSteps(): DriverStep[] {
    throw this.unsupported('networks');
  }
  networkActionSteps(): DriverStep[] {
    throw this.unsupported('networks');
  }
  readHostInterfaces(): Promise<never> {
    return this.reject('host interfaces');
  }
  scanSourcesArgv(): string[] {
    throw this.unsupported('pool scans');
  }
  parseFoundSources(): never[] {
    throw this.unsupported('pool scans');
  }
  createVmSteps(): DriverStep[] {
    throw this.unsupported('New VM');
  }
  readOsCatalog(): Promise<OsCatalog> {
    return this.reject('OS variants');
  }
  deleteVmSteps(): DriverStep[] {
    throw this.unsupported('Delete VM as plain commands');
  }
  vmSettingsPlan(): Promise<{ diff: string; steps: DriverStep[] }> {
    return this.reject('VM settings');
  }
  cloneVmSteps(): Promise<DriverStep[]> {
    return this.reject('Clone VM');
  }
  vmTagsSteps(): DriverStep[] {
    throw this.unsupported('tags');
  }
  vmChangePlan(): Promise<VmChangePlan> {
    return this.reject('VM changes');
  }
  diskCapacity(): Promise<number> {
    return this.reject('disk sizes');
  }
  /** A guest agent's facts: not read on this stack yet. */
  guestInfo(): Promise<never> {
    return this.reject('guest agents');
  }
  /** No snapshots, so nothing to refuse one by one. */
  snapshotCreateRefusals(_vm: Vm): SnapshotRefusals {
    return {};
  }
  readSnapshots(_vm: Vm): Promise<Snapshot[]> {
    return this.reject('snapshots');
  }
  async vmsWithSnapshots(): Promise<string[]> {
    return [];
  }
  async snapshotsChanged(): Promise<void> {}
  snapshotSteps(): DriverStep[] {
    throw this.unsupported('snapshots');
  }
  memAvailable(): Promise<number> {
    return this.reject('migration');
  }
  guestNeeds(): Promise<GuestNeeds> {
    return this.reject('migration');
  }
  async cpuRuns(): Promise<boolean | undefined> {
    return undefined;
  }
  migrateArgv(): string[] {
    throw this.unsupported('migration');
  }
  async readMigration(): Promise<MigrationProgress | undefined> {
    return undefined;
  }
  abortMigrationArgv(): string[] {
    throw this.unsupported('migration');
  }
  removeCopiesArgv(): string[] {
    throw this.unsupported('migration');
  }
  transportFinding(): Promise<Finding> {
    return this.reject('migration');
  }
  tlsReadiness(): Promise<TlsReadiness> {
    return this.reject('migration');
  }
  readMemory(): Promise<NodeMemory> {
    return this.reject('performance counters');
  }
  readCounters(): Promise<NodeCounters> {
    return this.reject('performance counters');
  }
}
