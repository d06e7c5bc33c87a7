// New Cluster's plan: the commands that give every node a key and trust
// between every pair, then prove it with a libvirt connection from each node
// to each other one, and work out the CPU every node can run. Shown in the
// summary, then run as one task.
import type { CpuModel } from '../../../shared/cluster';
import type { Host } from '../../../shared/model';
import { CPU_BASELINE_ARGV, DOMCAPABILITIES_ARGV, parseCpuModel } from '../drivers/libvirt/cpu';
import type { PlannedStep } from '../wizards/plan';
import {
  ADD_TRUST_ARGV,
  REMOVE_TRUST_ARGV,
  addedTrust,
  checkPeerArgv,
  madeKey,
  nodeKeyArgv,
  removeKeyArgv,
  trustInput,
} from './trust';

export interface ClusterMember {
  host: Host;
  /** The host key lines Clusterdeck verified for this node (known_hosts format). */
  hostKeyLines: string[];
}

/** What the steps find out, for the cluster's record. */
export interface ClusterFindings {
  cpu?: CpuModel;
}

export function clusterPlan(
  members: readonly ClusterMember[],
  found: ClusterFindings,
): PlannedStep[] {
  const publicKeys = new Map<string, string>();
  const steps: PlannedStep[] = [];
  const on = (m: ClusterMember) => ({ hostId: m.host.id, node: m.host.name });
  for (const m of members) {
    steps.push({
      ...on(m),
      title: 'Make sure it has an SSH key of its own',
      argv: nodeKeyArgv(`clusterdeck@${m.host.name}`),
      onStdout: (out) => publicKeys.set(m.host.id, out.trim().split('\n').at(-1) ?? ''),
      undo: (out) => {
        const made = madeKey(out);
        return made
          ? { ...on(m), title: 'Remove the SSH key made for it', argv: removeKeyArgv(made) }
          : undefined;
      },
    });
  }
  for (const m of members) {
    const peers = members.filter((p) => p.host.id !== m.host.id);
    steps.push({
      ...on(m),
      title: `Trust ${peers.map((p) => p.host.name).join(', ')} (their keys and host keys)`,
      argv: [...ADD_TRUST_ARGV],
      shownInput: trustInput(
        peers.map((p) => `(${p.host.name}'s public key, made in the step before)`),
        peers.flatMap((p) => p.hostKeyLines),
      ),
      lateStdin: () =>
        trustInput(
          peers.map((p) => publicKeys.get(p.host.id) ?? ''),
          peers.flatMap((p) => p.hostKeyLines),
        ),
      undo: (out) => {
        const added = addedTrust(out);
        const lines = added.filter((l) => !l.startsWith('E ')).length;
        return added.length
          ? {
              ...on(m),
              title: `Remove the ${lines} trust line${lines === 1 ? '' : 's'} added`,
              argv: [...REMOVE_TRUST_ARGV],
              stdin: `${added.join('\n')}\n`,
            }
          : undefined;
      },
    });
  }
  for (const m of members) {
    for (const p of members.filter((x) => x.host.id !== m.host.id)) {
      steps.push({
        ...on(m),
        title: `Connect to libvirt on ${p.host.name} over SSH`,
        argv: checkPeerArgv(p.host),
      });
    }
  }
  const caps = new Map<string, string>();
  for (const m of members) {
    steps.push({
      ...on(m),
      title: 'Read the CPU its hypervisor offers',
      argv: [...DOMCAPABILITIES_ARGV],
      onStdout: (out) => caps.set(m.host.id, out),
    });
  }
  const first = members[0];
  if (first) {
    steps.push({
      ...on(first),
      title: 'Work out the CPU model every node can run',
      argv: [...CPU_BASELINE_ARGV],
      shownInput: '(every node’s domcapabilities, read in the steps before)',
      lateStdin: () => members.map((m) => caps.get(m.host.id) ?? '').join('\n'),
      onStdout: (out) => (found.cpu = parseCpuModel(out)),
    });
  }
  return steps;
}
