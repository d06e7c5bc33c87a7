// The plans that give trust and take it back. New Cluster: every node gets
// a cluster key, every pair trusts each other's key (from the node's address
// only, restricted), each node learns how to reach its peers, and a libvirt
// connection from each node to each other one proves it; then the CPU every
// node can run. Remove node and Remove cluster: the same trust taken back on
// every node concerned. Shown in a summary, then run as one task.
import type { ClusterFindings, ClusterMember } from '../../membership';
import { CPU_BASELINE_ARGV, DOMCAPABILITIES_ARGV, parseCpuModel } from '../cpu';
export type { ClusterFindings, ClusterMember } from '../../membership';
import type { PlannedStep } from '../../../wizards/plan';
import {
  checkPeerArgv,
  peerAlias,
  previousSshConfig,
  setSshConfigArgv,
  sshConfigSection,
} from './sshConfig';
import {
  ADD_TRUST_ARGV,
  DELETE_CLUSTER_KEY_ARGV,
  REMOVE_TRUST_ARGV,
  REVOKE_TRUST_ARGV,
  addedTrust,
  authorizedLine,
  keyComment,
  madeKey,
  nodeKeyArgv,
  nodePublicKey,
  removeKeyArgv,
  revokedComments,
  revokedTrust,
  trustInput,
} from './trust';

/**
 * Members that cannot be told apart on the nodes: a node's grants are found
 * by its key comment (its name, made safe), a peer by its ssh alias (its
 * address), so both must be unique in a cluster.
 */
export function memberClashes(members: readonly ClusterMember[]): string[] {
  const seen = new Map<string, string>();
  const problems: string[] = [];
  for (const m of members)
    for (const mark of [keyComment(m.host.name), peerAlias(m.host.address)]) {
      const first = seen.get(mark);
      if (first !== undefined)
        problems.push(`${first} and ${m.host.name} would both be ${mark} on the nodes.`);
      else seen.set(mark, m.host.name);
    }
  return problems;
}

const on = (m: ClusterMember) => ({ hostId: m.host.id, node: m.host.name });
const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** Writes the node's ~/.ssh/config section for these peers; its undo puts back what was there. */
function sshConfigStep(m: ClusterMember, peers: readonly ClusterMember[]): PlannedStep {
  const section = sshConfigSection(
    m.host,
    peers.map((p) => p.host),
  );
  return {
    ...on(m),
    title: peers.length
      ? `Set how it reaches ${peers.map((p) => p.host.name).join(', ')} (~/.ssh/config)`
      : 'Remove its cluster section from ~/.ssh/config',
    // Left empty by a Remove, the file goes (an Undo makes it again).
    argv: setSshConfigArgv(peers.length ? 'keep' : 'drop-if-empty'),
    stdin: section ? `${section}\n` : '',
    undo: (out, ok) =>
      ok
        ? { ...on(m), title: 'Put back its ~/.ssh/config section', ...previousSshConfig(out) }
        : undefined,
  };
}

export function clusterPlan(
  members: readonly ClusterMember[],
  found: ClusterFindings,
): PlannedStep[] {
  const publicKeys = new Map<string, string>();
  const steps: PlannedStep[] = [];
  for (const m of members) {
    const comment = keyComment(m.host.name);
    steps.push({
      ...on(m),
      title: 'Make sure it has a cluster SSH key of its own',
      argv: nodeKeyArgv(comment),
      onStdout: (out) => publicKeys.set(m.host.id, nodePublicKey(out, m.host.name, comment)),
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
        peers.map((p) =>
          authorizedLine(`(${p.host.name}'s cluster key, made in the step before)`, p.host.address),
        ),
        peers.flatMap((p) => p.hostKeyLines),
      ),
      lateStdin: () =>
        trustInput(
          peers.map((p) => authorizedLine(publicKeys.get(p.host.id) ?? '', p.host.address)),
          peers.flatMap((p) => p.hostKeyLines),
        ),
      undo: (out) => {
        const added = addedTrust(out);
        const lines = added.filter((l) => !l.startsWith('E ')).length;
        return added.length
          ? {
              ...on(m),
              title: `Remove the ${plural(lines, 'trust line')} added`,
              argv: [...REMOVE_TRUST_ARGV],
              stdin: `${added.join('\n')}\n`,
            }
          : undefined;
      },
    });
  }
  for (const m of members)
    steps.push(
      sshConfigStep(
        m,
        members.filter((p) => p.host.id !== m.host.id),
      ),
    );
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

/** Takes back what trust a node has for the others: their keys (by comment) and host keys. */
function revokeStep(m: ClusterMember, others: readonly ClusterMember[]): PlannedStep {
  return {
    ...on(m),
    title: `Take back the trust of ${others.map((o) => o.host.name).join(', ')}`,
    argv: [...REVOKE_TRUST_ARGV],
    stdin: [
      ...others.flatMap((o) => revokedComments(o.host.name)).map((c) => `C ${c}`),
      ...others.flatMap((o) => o.hostKeyLines).map((k) => `K ${k.trim()}`),
      '',
    ].join('\n'),
    undo: (out) => {
      const removed = revokedTrust(out);
      return removed.length
        ? {
            ...on(m),
            title: `Put back the ${plural(removed.length, 'trust line')} removed`,
            argv: [...ADD_TRUST_ARGV],
            stdin: `${removed.join('\n')}\n`,
          }
        : undefined;
    },
  };
}

/**
 * Remove node (one leaving) and Remove cluster (all leaving): the nodes that
 * stay stop trusting the ones that leave and forget how to reach them; the
 * ones that leave (those still reachable) stop trusting everybody, lose their
 * ~/.ssh/config section, and, last, their cluster key, so that an Undo after
 * a failure never needs a key back.
 */
export function untrustPlan(
  leaving: readonly ClusterMember[],
  staying: readonly ClusterMember[],
  reachable: (m: ClusterMember) => boolean,
): PlannedStep[] {
  const all = [...staying, ...leaving];
  const gone = leaving.filter(reachable);
  const others = (m: ClusterMember) => all.filter((o) => o.host.id !== m.host.id);
  return [
    ...staying.map((s) => revokeStep(s, leaving)),
    ...gone.map((l) => revokeStep(l, others(l))),
    ...staying.map((s) =>
      sshConfigStep(
        s,
        staying.filter((o) => o.host.id !== s.host.id),
      ),
    ),
    ...gone.map((l) => sshConfigStep(l, [])),
    ...gone.map((l) => ({
      ...on(l),
      title: 'Delete its cluster SSH key',
      argv: [...DELETE_CLUSTER_KEY_ARGV],
    })),
  ];
}
