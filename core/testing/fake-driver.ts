// A driver that runs no commands, for unit tests of the logic above the
// drivers (maintenance planning, the connection's reconnect). Test-only: it
// answers from what the test set, and anything a test did not set is an
// 'unsupported' error, so a test cannot pass by accident on a default.
import type { Capability, NodeInfo, Stack, Vm } from '../../shared/model';
import type { Finding } from '../../shared/cluster';
import { ClusterdeckError } from '../../shared/errors';
import type { TlsReadiness } from '../../shared/migration';
import type { OsCatalog } from '../../shared/osinfo';
import type {
  ConsoleSource,
  DriverStep,
  GuestNeeds,
  LiveMove,
  MigrationProgress,
  NodeCounters,
  NodeMemory,
} from '../drivers/capabilities';
import type { Driver } from '../drivers/driver';
import type { DriverContext, StackSupport } from '../drivers/registry';
import type { ExecResult } from '../ssh/session';

export interface FakeNode {
  /** Bytes the node can still give a VM. */
  memAvailable: number;
  /** Whether the node runs a guest's CPU (undefined: cannot tell). */
  runsCpu?: boolean | undefined;
  /** What each VM (by id) needs of a node; a named QEMU CPU with no boot files otherwise. */
  needs?: Record<string, GuestNeeds>;
  capabilities?: Capability[];
  info?: Partial<NodeInfo>;
}

const unsupported = (what: string) =>
  new ClusterdeckError('unsupported', `The fake driver does not do ${what}.`);

export const FAKE_NODE_INFO: NodeInfo = {
  hostname: 'fake',
  cpuModel: 'Fake CPU',
  cpus: 4,
  memoryKiB: 8 * 1024 * 1024,
  software: [],
  virtualization: 'kvm',
  uptimeSeconds: 1,
};

export class FakeDriver implements Driver {
  readonly stack: Stack;
  readonly capabilities: readonly Capability[];
  readonly hypervisorName = 'the fake hypervisor';
  started = 0;
  stopped = 0;

  constructor(
    readonly node: FakeNode,
    private readonly hostId = 'fake',
    stack: Stack = 'unknown',
  ) {
    this.stack = stack;
    this.capabilities = node.capabilities ?? ['inventory', 'migration'];
  }

  async start(): Promise<NodeInfo> {
    this.started++;
    return { ...FAKE_NODE_INFO, ...this.node.info };
  }
  async refresh(): Promise<void> {}
  stop(): void {
    this.stopped++;
  }
  entityId(kind: 'vm' | 'pool' | 'net', nativeId: string): string {
    return `${this.hostId}:${kind}:${nativeId}`;
  }

  async memAvailable(): Promise<number> {
    return this.node.memAvailable;
  }
  async guestNeeds(vm: Vm): Promise<GuestNeeds> {
    return (
      this.node.needs?.[vm.id] ?? {
        cpu: { kind: 'named', model: 'qemu64' },
        bootFiles: [],
        cpuDescription: 'qemu64',
      }
    );
  }
  async cpuRuns(): Promise<boolean | undefined> {
    return this.node.runsCpu;
  }
  migrateArgv(vm: Vm, target: { name: string }): string[] {
    return ['fake-migrate', vm.id, target.name];
  }
  async readMigration(): Promise<MigrationProgress | undefined> {
    return undefined;
  }
  abortMigrationArgv(vm: Vm): string[] {
    return ['fake-abort', vm.id];
  }
  removeCopiesArgv(vm: Vm, paths: readonly string[]): string[] {
    return ['fake-remove', vm.id, ...paths];
  }
  async transportFinding(move: LiveMove): Promise<Finding> {
    return { check: `${move.vm.name}: transport`, level: 'ok', detail: 'Fake transport.' };
  }
  async tlsReadiness(): Promise<TlsReadiness> {
    return { ready: true };
  }

  vmAction(): Promise<void> {
    return Promise.reject(unsupported('VM actions'));
  }
  openConsole(): Promise<ConsoleSource> {
    return Promise.reject(unsupported('consoles'));
  }
  serialConsoleArgv(): string[] {
    throw unsupported('serial consoles');
  }
  createPoolSteps(): DriverStep[] {
    throw unsupported('storage');
  }
  poolActionSteps(): DriverStep[] {
    throw unsupported('storage');
  }
  volumeSteps(): DriverStep[] {
    throw unsupported('storage');
  }
  createNetworkSteps(): DriverStep[] {
    throw unsupported('networks');
  }
  networkActionSteps(): DriverStep[] {
    throw unsupported('networks');
  }
  readHostInterfaces(): Promise<never> {
    return Promise.reject(unsupported('networks'));
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
    return Promise.reject(unsupported('OS variants'));
  }
  deleteVmSteps(): DriverStep[] {
    throw unsupported('Delete VM');
  }
  vmSettingsPlan(): Promise<{ diff: string; steps: DriverStep[] }> {
    return Promise.reject(unsupported('VM settings'));
  }
  vmChangePlan(): Promise<never> {
    return Promise.reject(unsupported('VM changes'));
  }
  diskCapacity(): Promise<number> {
    return Promise.reject(unsupported('disk sizes'));
  }
  cloneVmSteps(): Promise<DriverStep[]> {
    return Promise.reject(unsupported('Clone VM'));
  }
  vmTagsSteps(): DriverStep[] {
    throw unsupported('tags');
  }
  guestInfo(): Promise<never> {
    return Promise.reject(unsupported('guest agents'));
  }
  snapshotCreateRefusals(): Record<string, never> {
    return {};
  }
  readSnapshots(): Promise<never[]> {
    return Promise.reject(unsupported('snapshots'));
  }
  vmsWithSnapshots(): Promise<string[]> {
    return Promise.reject(unsupported('snapshots'));
  }
  snapshotsChanged(): Promise<void> {
    return Promise.reject(unsupported('snapshots'));
  }
  snapshotSteps(): DriverStep[] {
    throw unsupported('snapshots');
  }
  readCounters(): Promise<NodeCounters> {
    return Promise.reject(unsupported('performance counters'));
  }
  readMemory(): Promise<NodeMemory> {
    const total = (this.node.info?.memoryKiB ?? FAKE_NODE_INFO.memoryKiB) * 1024;
    const available = this.node.memAvailable;
    return Promise.resolve({ totalBytes: total, freeBytes: available, availableBytes: available });
  }
}

/**
 * A node as a feature reaches it (NodeAccess): the fake driver, and quick
 * commands that all succeed silently and are remembered for the test.
 */
export function fakeNodeAccess(driver: FakeDriver) {
  const commands: string[][] = [];
  return {
    commands,
    getDriver: () => driver,
    run: async (argv: readonly string[]): Promise<ExecResult> => {
      commands.push([...argv]);
      return { code: 0, stdout: '', stderr: '' };
    },
  };
}

/** A registry entry under the given stack name whose drivers are fakes; `made` lists them. */
export function fakeStack(stack: StackSupport['stack'], node: FakeNode) {
  const made: FakeDriver[] = [];
  const support: StackSupport = {
    stack,
    createDriver: (ctx: DriverContext) => {
      const d = new FakeDriver(node, ctx.hostId, stack);
      made.push(d);
      return d;
    },
  };
  return { support, made };
}
