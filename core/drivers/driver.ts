// What a node's driver offers the rest of the core: the capability
// interfaces of capabilities.ts, each a feature's view of a stack. The
// libvirt driver implements them all; a driver for a stack without one
// leaves its name out of `capabilities` (so the renderer hides the feature)
// and rejects its methods with an 'unsupported' ClusterdeckError.
import type { HaGuests } from './ha-guests';
import type { Backups } from './capabilities';
import type { Capability, Stack } from '../../shared/model';
import type {
  ClusterChecks,
  ClusterMoves,
  Consoles,
  EntityIds,
  GuestAgent,
  GuestCreation,
  Inventory,
  Migration,
  Networks,
  PerformanceCounters,
  PlacedVms,
  PoolScan,
  SerialConsoles,
  Snapshots,
  Storage,
  StorageApi,
  VmLifecycle,
  VmDevices,
  VmProvisioning,
  GuestSettingsEditor,
  SnapshotTasks,
  GuestCloning,
} from './capabilities';

export type { ClusterMove, DriverStep, SnapshotOp, VolumeOp } from './capabilities';

export interface Driver
  extends
    Inventory,
    EntityIds,
    VmLifecycle,
    Consoles,
    SerialConsoles,
    Storage,
    Networks,
    PoolScan,
    VmProvisioning,
    VmDevices,
    Snapshots,
    GuestAgent,
    Migration,
    PerformanceCounters {
  readonly stack: Stack;
  /** How the user's findings name the node's hypervisor management ("libvirt"). */
  readonly hypervisorName: string;
  /** Published as `host.capabilities`. */
  readonly capabilities: readonly Capability[];
  /** New VM and Edit settings of a stack whose cluster places VMs ('instance-create'). */
  readonly placedVms?: PlacedVms;
  /** New VM and New Container from per-node choices ('guest-create'). */
  readonly guestCreation?: GuestCreation;
  /** A stack that places its VMs itself (capability 'cluster-moves'). */
  readonly clusterMoves?: ClusterMoves;
  /** A stack that checks its cluster itself (capability 'cluster-health'). */
  readonly clusterChecks?: ClusterChecks;
  /** A stack whose own HA engine protects guests (ha-guests.ts). */
  readonly haGuests?: HaGuests;
  /** Edit settings through the stack's API ('instance-edit' without 'instance-create'). */
  readonly guestSettings?: GuestSettingsEditor;
  /** Snapshots as the stack's own tasks rather than commands. */
  readonly snapshotTasks?: SnapshotTasks;
  /** Clone by the stack itself, with a target node, an id and linked clones. */
  readonly guestCloning?: GuestCloning;
  /** Storage the cluster defines through its API ('storage-api'). */
  readonly storageApi?: StorageApi;
  /** Backup jobs, a guest's backups, restore (capability 'backups'). */
  readonly backups?: Backups;
}
