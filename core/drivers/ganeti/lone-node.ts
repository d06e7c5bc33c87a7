// A node with Ganeti installed but in no cluster yet: it connects as a
// Ganeti node (never as libvirt, even where virsh is there too), shows its
// facts, and offers one thing, to be taken into a cluster: New Cluster on
// Ganeti or Add node. It has no instances. Once a cluster takes it in, its
// connection starts over (ganeti-cluster service) and the probe finds the
// cluster: then GanetiDriver runs it.
import type { VmAction } from '../../../shared/api';
import { ClusterdeckError } from '../../../shared/errors';
import type { Capability, NodeInfo, Vm } from '../../../shared/model';
import type { SshSession } from '../../ssh/session';
import type { NodeProbe } from '../detect';
import type { ConsoleSource } from '../capabilities';
import type { Driver } from '../driver';
import { UnsupportedByDefault } from '../unsupported';

const noCluster = (vm: Vm): Promise<never> =>
  Promise.reject(
    new ClusterdeckError('unsupported', `${vm.name}: this Ganeti node is in no cluster yet.`),
  );

const LONE_CAPABILITIES: readonly Capability[] = ['cluster'];

export class GanetiLoneNodeDriver extends UnsupportedByDefault implements Driver {
  readonly stack = 'ganeti' as const;
  readonly capabilities = LONE_CAPABILITIES;
  readonly hypervisorName = 'Ganeti';

  constructor(
    private readonly session: SshSession,
    private readonly hostId: string,
    private readonly probe: NodeProbe,
  ) {
    super();
  }

  async start(): Promise<NodeInfo> {
    const r = await this.session.run(['gnt-cluster', '--version'], { timeoutMs: 20_000 });
    const version = /(\d+\.\d+(?:\.\d+)?)\s*$/.exec(r.stdout.trim())?.[1] ?? 'unknown';
    return {
      hostname: this.probe.hostname,
      cpuModel: this.probe.cpuModel,
      cpus: 0,
      memoryKiB: 0,
      software: [{ name: 'Ganeti (no cluster yet)', version }],
      virtualization: 'kvm',
      uptimeSeconds: this.probe.uptimeSeconds,
      uptimeReadAt: Date.now(),
    };
  }

  entityId(kind: 'vm' | 'pool' | 'net', nativeId: string): string {
    return `ganeti-node:${this.hostId}:${kind}:${nativeId}`;
  }

  async refresh(): Promise<void> {}

  vmAction(vm: Vm, _action: VmAction): Promise<void> {
    return noCluster(vm);
  }

  deleteVm(vm: Vm): Promise<void> {
    return this.vmAction(vm, 'destroy');
  }

  openConsole(vm: Vm): Promise<ConsoleSource> {
    return noCluster(vm);
  }

  stop(): void {}
}
