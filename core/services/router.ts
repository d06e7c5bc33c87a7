// The router: one service per area, their handler maps spread into one map
// of the whole contract. The compiler checks both halves of "every contract
// method has exactly one handler": the spread must be a complete `Handlers`
// (a missing method fails), and `EachMethodOnce` fails on a method that two
// services both handle (the spread would silently keep the last one).
import { AppService } from './app';
import { ClusterService } from './clusters';
import { ClusterMovesService } from './cluster-moves';
import { ConsoleService } from './consoles';
import { GanetiClusterService } from './ganeti-cluster';
import { PveClusterService } from './pve-cluster';
import { BackupService } from './backups';
import { GanetiNodeService } from './ganeti-nodes';
import { HaFormService } from './ha-form';
import { HaService } from './ha';
import { HaProtectService } from './ha-protect';
import { HaVmActions } from './ha-vm-actions';
import { HaStandby } from './ha-standby';
import type { ServiceContext } from './context';
import type { Handlers } from './handlers';
import { HostService } from './hosts';
import { HostPowerService } from './host-power';
import { MigrationService } from './migration';
import { NetworkService } from './networks';
import { PerformanceService } from './performance';
import { StorageService } from './storage';
import { TaskService } from './tasks';
import { TransferService } from './transfers';
import { VmChangeService } from './vm-changes';
import { VmService } from './vms';
import { InstanceService } from './instances';
import { GuestService } from './guests';
import { StorageApiService } from './storage-api';

export interface Services {
  app: AppService;
  hosts: HostService;
  hostPower: HostPowerService;
  clusters: ClusterService;
  ganetiClusters: GanetiClusterService;
  pveClusters: PveClusterService;
  ganetiNodes: GanetiNodeService;
  haForm: HaFormService;
  ha: HaService;
  haProtect: HaProtectService;
  storage: StorageService;
  networks: NetworkService;
  vms: VmService;
  instances: InstanceService;
  guests: GuestService;
  vmChanges: VmChangeService;
  migration: MigrationService;
  clusterMoves: ClusterMovesService;
  transfers: TransferService;
  consoles: ConsoleService;
  performance: PerformanceService;
  tasks: TaskService;
  storageApi: StorageApiService;
  backups: BackupService;
}

/** The services over one context, each given the others it asks. */
export function createServices(ctx: ServiceContext): Services {
  const clusters = new ClusterService(ctx);
  const hosts = new HostService(ctx, clusters);
  const ha = new HaService(ctx);
  const haActions = new HaVmActions(ctx, ha);
  return {
    app: new AppService(ctx, () => [...ctx.settings.notices, ...hosts.notices]),
    hosts,
    hostPower: new HostPowerService(ctx),
    clusters,
    ganetiClusters: new GanetiClusterService(ctx),
    pveClusters: new PveClusterService(ctx),
    ganetiNodes: new GanetiNodeService(ctx),
    haForm: new HaFormService(ctx),
    ha,
    haProtect: new HaProtectService(ctx, ha),
    storage: new StorageService(ctx),
    networks: new NetworkService(ctx),
    vms: new VmService(ctx, haActions),
    instances: new InstanceService(ctx),
    guests: new GuestService(ctx),
    vmChanges: new VmChangeService(ctx),
    migration: new MigrationService(ctx, hosts, haActions, new HaStandby(ctx, ha, hosts)),
    clusterMoves: new ClusterMovesService(ctx),
    transfers: new TransferService(ctx),
    consoles: new ConsoleService(ctx),
    performance: new PerformanceService(ctx),
    tasks: new TaskService(ctx),
    storageApi: new StorageApiService(ctx),
    backups: new BackupService(ctx),
  };
}

type HandlerMaps = { [S in keyof Services]: Services[S]['handlers'] };

/** Every method that more than one service handles (none, or this file fails to compile). */
type HandledTwice = {
  [S in keyof HandlerMaps]: {
    [T in Exclude<keyof HandlerMaps, S>]: keyof HandlerMaps[S] & keyof HandlerMaps[T];
  }[Exclude<keyof HandlerMaps, S>];
}[keyof HandlerMaps];

// A method routed twice turns this type into its name, and `true` no longer fits.
const _eachMethodOnce: [HandledTwice] extends [never] ? true : HandledTwice = true;

/** The one handler of each contract method. */
export function route(s: Services): Handlers {
  return {
    ...s.app.handlers,
    ...s.hosts.handlers,
    ...s.hostPower.handlers,
    ...s.clusters.handlers,
    ...s.ganetiClusters.handlers,
    ...s.pveClusters.handlers,
    ...s.ganetiNodes.handlers,
    ...s.haForm.handlers,
    ...s.ha.handlers,
    ...s.haProtect.handlers,
    ...s.storage.handlers,
    ...s.networks.handlers,
    ...s.vms.handlers,
    ...s.instances.handlers,
    ...s.guests.handlers,
    ...s.vmChanges.handlers,
    ...s.migration.handlers,
    ...s.clusterMoves.handlers,
    ...s.transfers.handlers,
    ...s.consoles.handlers,
    ...s.performance.handlers,
    ...s.tasks.handlers,
    ...s.storageApi.handlers,
    ...s.backups.handlers,
  };
}
