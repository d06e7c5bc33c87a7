// A node for unit tests of the services, with no SSH and no hypervisor: it
// records every command it is asked to run and answers from a script, and
// its driver makes fixed plans. Test code only; product code never imports
// core/testing/.
import type { Vm, VmState } from '../../shared/model';
import type { PoolSpec } from '../../shared/storage';
import type { Driver, DriverStep } from '../drivers/driver';
import type { HostConnection } from '../hosts/connection';
import type { ExecOptions, ExecResult } from '../ssh/session';
import { quoteArgv } from '../ssh/quote';
import type { HostConfig } from '../store/settings';

/** The commands a fake pool plan runs: define (undone by undefine), build, start. */
export function fakePoolSteps(spec: PoolSpec): DriverStep[] {
  return [
    {
      title: `Define ${spec.name}`,
      argv: ['virsh', 'pool-define', '/dev/stdin'],
      stdin: `<pool><name>${spec.name}</name></pool>`,
      undoStep: { title: `Undefine ${spec.name}`, argv: ['virsh', 'pool-undefine', spec.name] },
    },
    { title: `Build ${spec.name}`, argv: ['virsh', 'pool-build', spec.name] },
    { title: `Start ${spec.name}`, argv: ['virsh', 'pool-start', spec.name] },
  ];
}

export class FakeNode {
  /** Every command run through `exec`, in order. */
  readonly ran: string[][] = [];
  /** Every kind the driver was asked to re-read. */
  readonly refreshed: string[] = [];
  /** The VM actions the driver ran. */
  readonly actions: { vm: string; action: string }[] = [];
  /** How the node answers a command; by default it succeeds and prints nothing. */
  answer: (argv: readonly string[]) => ExecResult = () => ({ code: 0, stdout: '', stderr: '' });

  constructor(readonly config: HostConfig) {}

  get id(): string {
    return this.config.id;
  }

  async exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    this.ran.push([...argv]);
    const at = Date.now();
    const r = this.answer(argv);
    opts.log?.({
      node: this.config.name,
      command: quoteArgv(argv),
      exitCode: r.code,
      stderr: r.stderr,
      durationMs: 0,
      at,
    });
    return r;
  }

  /** The open shell's quick reads: answered like exec. */
  run(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    return this.exec(argv, opts);
  }

  setMaintenance(m: HostConfig['maintenance']): void {
    this.config.maintenance = m;
  }

  dispose(): void {}

  /** The parts of the Driver interface the tests reach; any other method is missing. */
  readonly driver: Partial<Driver> = {
    stack: 'libvirt',
    refresh: async (kind) => {
      this.refreshed.push(kind);
    },
    createPoolSteps: fakePoolSteps,
    vmAction: async (vm, action) => {
      this.actions.push({ vm: vm.name, action });
    },
  };

  getDriver(): Driver {
    return this.driver as Driver;
  }

  /**
   * The services only use the members above; the cast is the one place a
   * fake stands in for the real class.
   */
  asConnection(): HostConnection {
    return this as unknown as HostConnection;
  }
}

/** A VM of the inventory on a node, with no devices. */
export function fakeVm(hostId: string, name: string, state: VmState = 'shutoff'): Vm {
  return {
    id: `${hostId}:${name}`,
    hostId,
    uuid: `uuid-${name}`,
    name,
    state,
    vcpus: 1,
    memoryKiB: 65536,
    autostart: false,
    persistent: true,
    disks: [],
    nics: [],
    graphics: [],
    textConsoles: [],
  };
}
