// Which driver runs a node, chosen from the stack detect.ts found there. The
// registry is handed to every HostConnection (and to the Backend through its
// options), so a new stack plugs in here and nowhere in the features; tests
// hand in one with a fake driver.
import type { Host, Stack } from '../../shared/model';
import type { InventoryStore } from '../inventory/store';
import type { SshSession } from '../ssh/session';
import type { NodeProbe } from './detect';
import type { Driver } from './driver';
import { ganetiStack } from './ganeti/stack';
import { libvirtStack } from './libvirt/stack';
import type { ClusterMembership } from './membership';
import { proxmoxStack } from './proxmox/stack';

/**
 * Secrets a driver keeps for its node (an API token's), sealed in the app's
 * secret store beside the host's password (core/services/driver-secrets.ts).
 * Never logged, never sent to the renderer.
 */
export interface DriverSecrets {
  /** This Clusterdeck installation's id, made once (names its tokens on nodes). */
  installationId(): Promise<string>;
  /**
   * The saved values of `name`: this host's first, then other hosts' (the
   * nodes of one Proxmox cluster share its tokens), without repeats.
   */
  candidates(name: string): string[];
  /** Keeps `value` as this host's `name` (for this session only where nothing seals). */
  save(name: string, value: string): Promise<void>;
}

/** What a driver is given for one node's connection. */
export interface DriverContext {
  session: SshSession;
  /** The host's id: libvirt scopes its entity ids by it. */
  hostId: string;
  /** The driver writes the node's entities here. */
  store: InventoryStore;
  probe: NodeProbe;
  /** An event stream or channel broke while SSH stayed up: the connection starts over. */
  onError: (err: Error) => void;
  /** Where the driver keeps its secrets; absent in tests that need none. */
  secrets?: DriverSecrets;
}

/** One stack's support: a driver per node, and how its nodes form a cluster. */
export interface StackSupport {
  stack: Stack;
  createDriver(ctx: DriverContext): Driver;
  membership?: ClusterMembership;
}

export class DriverRegistry {
  private readonly byStack: ReadonlyMap<Stack, StackSupport>;

  constructor(stacks: readonly StackSupport[]) {
    this.byStack = new Map(stacks.map((s) => [s.stack, s]));
  }

  /** The support for a detected stack; undefined when Clusterdeck has none. */
  forStack(stack: Stack): StackSupport | undefined {
    return this.byStack.get(stack);
  }

  /**
   * How these hosts form a cluster: undefined unless those whose stack is
   * known (a host never connected has none yet) all run one stack that can.
   */
  membershipFor(hosts: readonly Host[]): ClusterMembership | undefined {
    const stacks = new Set(hosts.flatMap((h) => (h.stack ? [h.stack] : [])));
    const [stack] = stacks;
    if (stacks.size !== 1 || !stack) return undefined;
    return this.byStack.get(stack)?.membership;
  }
}

/** The stacks this build of Clusterdeck supports. */
export function defaultDriverRegistry(): DriverRegistry {
  return new DriverRegistry([libvirtStack, ganetiStack, proxmoxStack]);
}
