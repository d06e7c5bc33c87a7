// New Cluster's "High availability" preflight: per node, the HA packages (and
// the exact command that installs them on its distribution), its init, its
// ring address, whether corosync or Pacemaker already hold a cluster there;
// across nodes, the quorum the node count gives, clocks and host names. One
// checklist line per node and problem. Nothing is changed.
import type { Finding } from '../../../shared/cluster';
import type { HaInstallOffer } from '../../../shared/ha-form';
import type { Host } from '../../../shared/model';
import type { HostConnection } from '../../hosts/connection';
import { quoteArgv } from '../../ssh/quote';
import {
  HA_TOOLS,
  PACEMAKER_OWN_AGENTS,
  haFactsArgv,
  haInstallArgv,
  isPackageExample,
  parseHaFacts,
  type HaFacts,
} from './ha-facts';

export interface HaNode {
  host: Host;
  conn: HostConnection;
}
export interface HaNodeFacts {
  host: Host;
  facts: HaFacts;
}

/** Allowed spread of the nodes' clocks (ms): Pacemaker's and corosync's logs and timers compare them. */
export const CLOCK_SPREAD_MS = 3000;

/** Asks every node for its facts, in parallel; a node that cannot answer is a finding. */
export async function readHaFacts(
  nodes: readonly HaNode[],
): Promise<{ facts: HaNodeFacts[]; failed: Finding[] }> {
  const names = nodes.map((n) => n.host.info?.hostname || n.host.name);
  const failed: Finding[] = [];
  const facts = await Promise.all(
    nodes.map(async (n) => {
      const sent = Date.now();
      try {
        const r = await n.conn.exec(haFactsArgv(n.host.address, names), { timeoutMs: 60_000 });
        const back = Date.now();
        if (r.code !== 0) throw new Error(r.stderr.trim() || `exit code ${r.code}`);
        return { host: n.host, facts: parseHaFacts(r.stdout, (sent + back) / 2) };
      } catch (err) {
        failed.push({
          check: 'HA checks',
          level: 'problem',
          detail: `${n.host.name} could not run the HA checks: ${(err as Error).message}`,
          fix: 'Reconnect the node, then check again.',
        });
        return undefined;
      }
    }),
  );
  return { facts: facts.filter((x): x is HaNodeFacts => !!x), failed };
}

/** What the package list lacks on a node, by package name. */
export function missingPackages(f: HaFacts): string[] {
  const missing = Object.entries(HA_TOOLS)
    .filter(([, tools]) => tools.some((t) => f.tools.get(t) !== true))
    .map(([pkg]) => pkg);
  if (!f.virtualDomain) missing.push('resource-agents');
  return missing;
}

/** The findings from every node's facts; `installs` gets the offers of packages to install. */
/**
 * The findings from every node's facts; `installs` gets the offers of
 * packages to install. `cluster`: New Cluster again with this name, whose
 * running members stay as they are (the others join).
 */
export function haFindings(
  nodes: readonly HaNodeFacts[],
  installs: HaInstallOffer[],
  cluster?: string,
): Finding[] {
  const out: Finding[] = [];
  const add = (f: Finding) => out.push(f);

  // Quorum: the node count decides what a split leaves running.
  const n = nodes.length;
  if (n === 2)
    add({
      check: 'Quorum',
      level: 'warning',
      detail:
        'Two nodes: corosync is set to two_node: 1, so either node alone keeps quorum once both have been seen (wait_for_all). When the link between them breaks, both are quorate and race to fence each other: only fencing keeps a VM from running twice.',
      fix: 'Add a third node (or a corosync-qdevice arbiter) for a majority that decides by itself.',
    });
  else if (n % 2 === 0)
    add({
      check: 'Quorum',
      level: 'warning',
      detail: `${n} nodes: a split into two halves of ${n / 2} leaves neither half quorate, and every HA VM stops.`,
      fix: 'Use an odd number of nodes, or add a corosync-qdevice arbiter.',
    });
  else
    add({
      check: 'Quorum',
      level: 'ok',
      detail: `${n} nodes: a majority of ${Math.floor(n / 2) + 1} keeps the cluster running.`,
    });

  for (const { host, facts: f } of nodes) {
    const missing = missingPackages(f);
    const argv = haInstallArgv(f.os);
    const command = argv ? quoteArgv(argv) : undefined;
    if (missing.length) {
      add({
        check: 'HA packages',
        level: 'problem',
        detail: `${host.name} lacks ${missing.join(', ')}${missing.includes('resource-agents') ? ' (the VirtualDomain agent)' : ''}.`,
        fix: command
          ? `Install them (Install, in this step, runs it after you confirm): ${command}`
          : `Install corosync, pacemaker, resource-agents and fence-agents with the package manager of ${host.name} (${f.os.id}).`,
      });
      if (command) installs.push({ hostId: host.id, node: host.name, command });
    } else {
      add({
        check: 'HA packages',
        level: 'ok',
        detail: `${host.name}: corosync, pacemaker and the VirtualDomain agent are installed.`,
      });
    }
    const agents = f.fenceAgents.filter((a) => !PACEMAKER_OWN_AGENTS.includes(a));
    if (!f.fenceAgents.includes('fence_ipmilan')) {
      add({
        check: 'Fence agents',
        level: 'warning',
        detail: `${host.name} has no fence-agents (no fence_ipmilan)${agents.length ? `; it has ${agents.join(', ')}` : ''}.`,
        fix: command
          ? `Install fence-agents to fence nodes through their BMC: ${command}`
          : `Install fence-agents on ${host.name}.`,
      });
      if (command && !missing.length) installs.push({ hostId: host.id, node: host.name, command });
    }
    if (f.init === 'unknown')
      add({
        check: 'Init system',
        level: 'problem',
        detail: `${host.name} has neither systemd, OpenRC nor service(8): Clusterdeck cannot start corosync and pacemaker the way it boots.`,
      });
    if (f.ring !== 'local')
      add({
        check: 'Ring address',
        level: f.ring === 'remote' ? 'problem' : 'warning',
        detail:
          f.ring === 'remote'
            ? `${host.address} (the address Clusterdeck reaches ${host.name} by) is not an address of ${host.name}: corosync binds its ring to it.`
            : `${host.name} could not say whether ${host.address} is its own address (no ip command).`,
        fix: 'Add the node by an address it has (not through NAT or a forward).',
      });
    const stays = cluster !== undefined && f.running.yes && f.running.cluster === cluster;
    if (stays)
      add({
        check: 'Corosync',
        level: 'ok',
        detail: `${host.name} already runs ${cluster}: it stays as it is, the other nodes join.`,
      });
    else if (f.running.yes)
      add({
        check: 'Corosync',
        level: 'problem',
        detail: `${host.name} already runs corosync${f.running.cluster ? ` in the cluster ${f.running.cluster}` : ''}.`,
        fix: 'A node belongs to one cluster: remove it from that cluster first, or choose other nodes.',
      });
    else if (f.conf.exists && !isPackageExample(f.conf))
      add({
        check: 'Corosync',
        level: 'problem',
        detail: `${host.name} is configured for the cluster ${f.conf.clusterName ?? '(no name)'} (${f.conf.names.join(', ') || f.conf.rings.join(', ')}) in /etc/corosync/corosync.conf.`,
        fix: 'Remove that configuration first if the node is to leave that cluster.',
      });
    else
      add({
        check: 'Corosync',
        level: 'ok',
        detail: `${host.name}: no corosync cluster${f.conf.exists ? ' (only the package’s example corosync.conf, kept aside and put back by Undo)' : ''}.`,
      });
    if (f.cib && !stays)
      add({
        check: 'Pacemaker configuration',
        level: 'problem',
        detail: `${host.name} already keeps a Pacemaker cluster configuration (/var/lib/pacemaker/cib/cib.xml).`,
        fix: 'Remove it (with pacemaker stopped) if that cluster is gone, then check again.',
      });
  }

  // Host names: corosync finds its own entry by its name; Pacemaker names nodes by them.
  const byName = new Map<string, string[]>();
  for (const { host, facts: f } of nodes)
    byName.set(f.hostname, [...(byName.get(f.hostname) ?? []), host.name]);
  for (const [name, hosts] of byName)
    if (hosts.length > 1)
      add({
        check: 'Host names',
        level: 'problem',
        detail: `${hosts.join(' and ')} all have the host name ${name}: corosync tells nodes apart by it.`,
        fix: 'Give each node its own host name (hostnamectl set-hostname).',
      });
  for (const { host, facts: f } of nodes) {
    const unresolved = nodes
      .filter((o) => o.facts.resolves.get(f.hostname) === undefined)
      .map((o) => o.host.name);
    add(
      unresolved.length
        ? {
            check: 'Host names',
            level: 'warning',
            detail: `${f.hostname} (${host.name}) does not resolve on ${unresolved.join(', ')}.`,
            fix: `Add "${host.address} ${f.hostname}" to /etc/hosts (or DNS) on every node: the cluster's tools name nodes by it.`,
          }
        : {
            check: 'Host names',
            level: 'ok',
            detail: `${f.hostname} (${host.name}, ring address ${host.address}) resolves on every node.`,
          },
    );
  }

  // Clocks: compared with each other (each measured against this computer).
  if (nodes.length) {
    const skews = nodes.map((x) => x.facts.skewMs);
    const spread = Math.max(...skews) - Math.min(...skews);
    add(
      spread <= CLOCK_SPREAD_MS
        ? {
            check: 'Clocks',
            level: 'ok',
            detail: `The nodes' clocks are within ${(spread / 1000).toFixed(1)} s of each other.`,
          }
        : {
            check: 'Clocks',
            level: 'warning',
            detail: `The nodes' clocks differ by ${(spread / 1000).toFixed(1)} s: ${nodes.map((x) => `${x.host.name} ${(x.facts.skewMs / 1000).toFixed(1)} s`).join(', ')} from this computer.`,
            fix: 'Run time synchronisation (chrony or systemd-timesyncd) on every node.',
          },
    );
  }
  return out;
}
