// What every service of the backend shares: the inventory, the task runner,
// the settings file, host trust and the open connections. Each service reads
// all of it, but writes only its own part of the settings and the inventory
// (hosts their configs and connections, clusters theirs, tasks theirs).
import type { Network, Vm, StoragePool } from '../../shared/model';
import { ClusterdeckError } from '../../shared/errors';
import { runningVmJob } from '../../shared/vm-jobs';
import type { HostConnection } from '../hosts/connection';
import type { InventoryStore } from '../inventory/store';
import type { JumpHosts } from '../ssh/jump';
import type { KnownHosts } from '../ssh/known-hosts';
import type { SecretBox } from '../store/secrets';
import type { SettingsStore } from '../store/settings';
import type { DriverRegistry } from '../drivers/registry';
import type { TaskRunner } from '../tasks/runner';
import type { PageGuard } from '../transfers/page-guard';

export interface BackendOptions {
  dataDir: string;
  secretBox: SecretBox;
  /** The user's own known_hosts, read but never written. */
  userKnownHosts?: string;
  sshConfig?: string;
  /**
   * The desktop app's native open dialog: the path the user chose, or
   * undefined when cancelled. Absent in the browser shell, where the page
   * sends a file's bytes instead.
   */
  pickFile?: () => Promise<string | undefined>;
  /** How long a console tunnel or transfer waits for its page (default 60 s). */
  pageWaitMs?: number;
  /** The stacks Clusterdeck drives (default: every stack this build supports). */
  drivers?: DriverRegistry;
}

/** Who made a call: the exact origin of the page, as its transport vouches for it. */
export interface Caller {
  /** Undefined for a caller that is no page (a script, a test). */
  pageOrigin?: string | undefined;
}

/** The open node connections by host id; only the hosts service adds or removes one. */
export class Connections {
  private readonly byHost = new Map<string, HostConnection>();

  /** The host's connection; not-found once the host was removed. */
  get(hostId: string): HostConnection {
    const c = this.byHost.get(hostId);
    if (!c) throw new ClusterdeckError('not-found', 'That host is no longer in Clusterdeck.');
    return c;
  }

  all(): HostConnection[] {
    return [...this.byHost.values()];
  }

  set(conn: HostConnection): void {
    this.byHost.set(conn.id, conn);
  }

  delete(hostId: string): void {
    this.byHost.delete(hostId);
  }
}

export interface ServiceContext {
  readonly opts: BackendOptions;
  readonly store: InventoryStore;
  readonly tasks: TaskRunner;
  readonly settings: SettingsStore;
  readonly knownHosts: KnownHosts;
  readonly jumps: JumpHosts;
  readonly connections: Connections;
  /** Which driver (and cluster membership) each detected stack gets. */
  readonly drivers: DriverRegistry;
  /** The host's connection (`connections.get`), handy as a callback for plans. */
  readonly connection: (hostId: string) => HostConnection;
}

export function poolOrThrow(ctx: ServiceContext, poolId: string): StoragePool {
  const pool = ctx.store.get('pools', poolId);
  if (!pool) throw new ClusterdeckError('not-found', 'That storage pool is no longer on its node.');
  return pool;
}

export function networkOrThrow(ctx: ServiceContext, networkId: string): Network {
  const net = ctx.store.get('networks', networkId);
  if (!net) throw new ClusterdeckError('not-found', 'That network is no longer on its node.');
  return net;
}

export function vmOrThrow(ctx: ServiceContext, vmId: string): Vm {
  const vm = ctx.store.get('vms', vmId);
  if (!vm) throw new ClusterdeckError('not-found', 'That VM is no longer on its node.');
  return vm;
}

/** "Migrating to node2" while a running task moves the VM. */
export function vmBusy(ctx: ServiceContext, vm: Vm): string | undefined {
  return runningVmJob(ctx.store.all('tasks'), ctx.store.snapshotOf('hosts'), vm)?.words;
}

/** The VM, unless a running task (a migration) holds it: `what` waits for that task. */
export function freeVmOrThrow(ctx: ServiceContext, vmId: string, what: string): Vm {
  const vm = vmOrThrow(ctx, vmId);
  const busy = vmBusy(ctx, vm);
  if (busy) {
    const node = ctx.store.get('hosts', vm.hostId)?.name ?? 'its node';
    throw new ClusterdeckError(
      'invalid-state',
      `${vm.name} on ${node} is busy: ${busy}. ${what} is refused until that task ends; cancel it in the Tasks pane to stop the migration.`,
    );
  }
  return vm;
}

/** A loopback listener for this caller's page only, waiting for it as long as configured. */
export function guardFor(ctx: ServiceContext, caller: Caller): PageGuard {
  return { pageOrigin: caller.pageOrigin, pageWaitMs: ctx.opts.pageWaitMs };
}
