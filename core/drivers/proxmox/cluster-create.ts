// New Cluster on Proxmox VE: what each chosen node says (version, cluster
// membership, guests, its name and address), the preflight checklist from
// it, and the task: `pvecm create` on the first node as `POST
// /cluster/config`, its join information (`GET /cluster/config/join`: the
// certificate fingerprint a join pins), then `POST /cluster/config/join` on
// each other node with the first node's root password (a secret: shown as
// <hidden>, never logged). Every call is a PVE worker followed by UPID.
// Undo removes the nodes that joined (`pvecm delnode` from the first node);
// PVE has no call that takes a cluster back from its last node, which the
// task says. Remove node is the same delete, refused while the node has guests.
import type { Finding } from '../../../shared/cluster';
import { ClusterdeckError } from '../../../shared/errors';
import type { PlanStepView } from '../../../shared/storage';
import type { PveClusterSpec } from '../../../shared/pve-cluster';
import type { TaskContext } from '../../tasks/runner';
import type { PveApiClient } from './api-client';
import { localNode } from './inventory';
import { parseClusterResources, parseClusterStatus } from './parse';
import { pveshCommand, type PveMethod, type PveParams } from './pvesh';
import { runWorker } from './tasks';

/** A chosen node as its API describes it. */
export interface PveNodeFacts {
  hostId: string;
  /** The node's name in PVE (what /cluster/status calls it). */
  node: string;
  /** pve-manager's version, e.g. 9.1.1. */
  version: string;
  /** The cluster it is in already, if any. */
  cluster?: string;
  /** Its VMs and containers (a joining node must have none). */
  guests: number;
  /** Its address as PVE knows it (the default link address). */
  ip: string;
}

export async function readNodeFacts(hostId: string, api: PveApiClient): Promise<PveNodeFacts> {
  const [version, status, resources] = await Promise.all([
    api.get<{ version?: string }>('/version'),
    api.get('/cluster/status').then(parseClusterStatus),
    api.get('/cluster/resources', { type: 'vm' }).then(parseClusterResources),
  ]);
  const node = localNode(status) ?? api.node;
  return {
    hostId,
    node,
    version: String(version?.version ?? ''),
    ...(status.cluster ? { cluster: status.cluster.name } : {}),
    guests: resources.guests.filter((g) => g.node === node).length,
    ip: status.nodes.find((n) => n.name === node)?.ip ?? '',
  };
}

const major = (v: string) => Number(/^(\d+)\./.exec(v)?.[1] ?? NaN);

/** The checklist: `reach` tells whether each joining node reached the first's address (port 8006). */
export function pveClusterPreflight(
  spec: PveClusterSpec,
  facts: readonly PveNodeFacts[],
  reach: Readonly<Record<string, boolean>>,
): Finding[] {
  const out: Finding[] = [];
  const [first, ...joining] = facts;
  if (!first) return [{ check: 'Nodes', level: 'problem', detail: 'No node is chosen.' }];
  const majors = new Set(facts.map((f) => major(f.version)));
  out.push(
    majors.size === 1 && !majors.has(NaN)
      ? {
          check: 'Proxmox VE version',
          level: 'ok',
          detail: `Every node runs Proxmox VE ${[...majors][0]}.`,
        }
      : {
          check: 'Proxmox VE version',
          level: 'problem',
          detail: facts.map((f) => `${f.node}: ${f.version || 'unknown'}`).join(', '),
          fix: 'Upgrade the nodes to the same major version of Proxmox VE first.',
        },
  );
  const names = facts.map((f) => f.node);
  const twice = names.filter((n, i) => names.indexOf(n) !== i);
  out.push(
    twice.length
      ? {
          check: 'Node names',
          level: 'problem',
          detail: `Named alike: ${[...new Set(twice)].join(', ')}.`,
          fix: 'Give each node its own host name (PVE names nodes by it) before it joins.',
        }
      : { check: 'Node names', level: 'ok', detail: 'Every node has a name of its own.' },
  );
  const member = facts.filter((f) => f.cluster);
  out.push(
    member.length
      ? {
          check: 'Not in a cluster',
          level: 'problem',
          detail: member.map((f) => `${f.node} is in cluster ${f.cluster}`).join('; '),
          fix: 'Choose nodes in no cluster (pvecm status says), or remove the node from its cluster first.',
        }
      : { check: 'Not in a cluster', level: 'ok', detail: 'No node is in a cluster yet.' },
  );
  const busy = joining.filter((f) => f.guests > 0);
  out.push(
    busy.length
      ? {
          check: 'No guests on joining nodes',
          level: 'problem',
          detail: busy.map((f) => `${f.node} has ${f.guests} VM(s) or container(s)`).join('; '),
          fix: `PVE refuses a join while the node has guests: back them up and remove them, or make ${busy[0]!.node} the first node.`,
        }
      : {
          check: 'No guests on joining nodes',
          level: 'ok',
          detail: joining.length ? 'The joining nodes have no guests.' : 'No node joins.',
        },
  );
  const links = facts.map((f) => [f, spec.links[f.hostId]] as const);
  const missing = links.filter(([, a]) => !a).map(([f]) => f.node);
  const addrs = links.map(([, a]) => a).filter(Boolean);
  const shared = addrs.filter((a, i) => addrs.indexOf(a) !== i);
  out.push(
    missing.length || shared.length
      ? {
          check: 'Corosync links',
          level: 'problem',
          detail: missing.length
            ? `No link address for ${missing.join(', ')}.`
            : `Used by more than one node: ${[...new Set(shared)].join(', ')}.`,
          fix: 'Give each node its own address on the cluster network.',
        }
      : {
          check: 'Corosync links',
          level: 'ok',
          detail: links.map(([f, a]) => `${f.node}: ${a}`).join(', '),
        },
  );
  const unreached = joining.filter((f) => reach[f.hostId] === false).map((f) => f.node);
  if (joining.length)
    out.push(
      unreached.length
        ? {
            check: 'First node reachable',
            level: 'problem',
            detail: `${unreached.join(', ')} cannot reach ${first.node} at ${spec.links[first.hostId]}:8006.`,
            fix: 'Check the cluster network and the first node’s firewall (port 8006 for the join, 5405-5412/udp for corosync).',
          }
        : {
            check: 'First node reachable',
            level: 'ok',
            detail: `Every joining node reaches ${first.node} at ${spec.links[first.hostId]}:8006.`,
          },
    );
  return out;
}

/** One API call of the task, with where it runs. */
export interface PveCall {
  hostId: string;
  node: string;
  title: string;
  method: PveMethod;
  path: string;
  params: PveParams;
  hidden?: readonly string[];
}

/** The calls, in order; the join's fingerprint is read when the task runs. */
export function pveClusterCalls(spec: PveClusterSpec, facts: readonly PveNodeFacts[]): PveCall[] {
  const [first, ...joining] = facts;
  if (!first) return [];
  const firstAddr = spec.links[first.hostId]!;
  return [
    {
      hostId: first.hostId,
      node: first.node,
      title: `Create cluster ${spec.name} on ${first.node}`,
      method: 'POST',
      path: '/cluster/config',
      params: { clustername: spec.name, link0: firstAddr },
    },
    ...(joining.length
      ? [
          {
            hostId: first.hostId,
            node: first.node,
            title: `Read the join information of ${first.node}`,
            method: 'GET' as const,
            path: '/cluster/config/join',
            params: {},
          },
        ]
      : []),
    ...joining.map((f) => ({
      hostId: f.hostId,
      node: f.node,
      title: `Join ${f.node} to ${spec.name}`,
      method: 'POST' as const,
      path: '/cluster/config/join',
      params: {
        hostname: firstAddr,
        fingerprint: `<${first.node}'s certificate fingerprint>`,
        password: '',
        link0: spec.links[f.hostId]!,
      },
      hidden: ['password'],
    })),
  ];
}

export function callView(c: PveCall): PlanStepView {
  return {
    hostId: c.hostId,
    node: c.node,
    title: c.title,
    command: pveshCommand(c.method, c.path, c.params, c.hidden),
  };
}

/** The first node's certificate fingerprint from its join information. */
export function joinFingerprint(info: unknown, node: string): string {
  const list = (info as { nodelist?: { name?: string; pve_fp?: string }[] } | null)?.nodelist;
  const fp = list?.find((n) => n.name === node)?.pve_fp;
  if (!fp || !/^([A-Fa-f0-9]{2}:){31}[A-Fa-f0-9]{2}$/.test(fp))
    throw new ClusterdeckError(
      'command-failed',
      `${node}: its join information names no certificate fingerprint for it.`,
    );
  return fp;
}

/**
 * Runs the calls as the task's steps; resolves with the nodes that joined
 * (what Undo can remove), also when a later join failed (then it throws an
 * error carrying them as `joined`).
 */
export async function runPveCluster(
  calls: readonly PveCall[],
  clients: (hostId: string) => PveApiClient,
  password: string,
  ctx: TaskContext,
  pollMs?: number,
): Promise<string[]> {
  ctx.setSteps(calls.map((c) => c.title));
  const joined: string[] = [];
  let fingerprint = '';
  for (const [i, c] of calls.entries()) {
    ctx.stepState(i, 'running');
    try {
      const api = clients(c.hostId);
      if (c.method === 'GET') {
        const info = await api.get(c.path, c.params, { log: ctx.log, signal: ctx.signal });
        fingerprint = joinFingerprint(info, calls[0]!.node);
      } else if (c.path === '/cluster/config/join') {
        const params = { ...c.params, fingerprint, password };
        await runWorker(api, c.path, params, ctx, pollMs, c.hidden);
        joined.push(c.node);
      } else await runWorker(api, c.path, c.params, ctx, pollMs);
      ctx.stepState(i, 'done');
    } catch (err) {
      ctx.stepState(i, 'failed');
      throw Object.assign(err as Error, { joined });
    }
  }
  return joined;
}

/** Remove node: `pvecm delnode` as the API's delete, from another member; refused while it has guests. */
export async function removePveNode(
  api: PveApiClient,
  node: string,
  ctx: TaskContext,
): Promise<void> {
  const resources = parseClusterResources(await api.get('/cluster/resources', { type: 'vm' }));
  const guests = resources.guests.filter((g) => g.node === node);
  if (guests.length)
    throw new ClusterdeckError(
      'invalid-state',
      `${node} still has ${guests.length} VM(s) or container(s) (${guests
        .slice(0, 5)
        .map((g) => g.vmid)
        .join(', ')}): migrate or remove them first.`,
    );
  const status = parseClusterStatus(await api.get('/cluster/status'));
  if (localNode(status) === node)
    throw new ClusterdeckError(
      'invalid-input',
      `${node} cannot remove itself: remove it from another node of the cluster.`,
    );
  await api.delete(`/cluster/config/nodes/${node}`, {}, { log: ctx.log, signal: ctx.signal });
}

/** Run on a joining node: whether it opens a TCP connection to the first node's API (what a join needs). */
export function reachArgv(address: string): string[] {
  return ['timeout', '5', 'bash', '-c', 'exec 3<>"/dev/tcp/$1/8006"', 'reach', address];
}
