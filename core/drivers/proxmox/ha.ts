// Proxmox VE's HA manager as the app's HA state (shared/ha.ts, stack
// 'proxmox'), and the calls that protect a guest: what /cluster/ha/status/current
// says (quorum, the CRM master, one LRM per node, each service), what
// /cluster/ha/resources holds, and each resource's preferred nodes from the
// way the node's version keeps them: PVE 8 HA groups (`nodes`:
// `pve1:2,pve2:1`), PVE 9 node-affinity rules (groups are migrated to rules
// there). Pure functions: the driver (ha-driver.ts) reads and calls.
import type { HaNode, HaResource, HaState } from '../../../shared/ha';
import type { PveMethod, PveParams } from './pvesh';
import { splitList, type PveClusterStatus } from './parse';

type Row = Record<string, unknown>;
const str = (v: unknown): string =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
const bool = (v: unknown): boolean => v === true || v === 1 || v === '1';
const rows = (data: unknown): Row[] =>
  Array.isArray(data) ? data.filter((r): r is Row => !!r && typeof r === 'object') : [];

/** How a version keeps node preferences: PVE 8 groups, PVE 9 node-affinity rules. */
export type HaPreferenceKind = 'groups' | 'rules';
export const preferenceKind = (major: number): HaPreferenceKind =>
  major >= 9 ? 'rules' : 'groups';

/** What one read of the HA manager gave (raw `data` of each call). */
export interface PveHaRead {
  status: unknown;
  resources: unknown;
  /** /cluster/ha/groups (PVE 8) or /cluster/ha/rules (PVE 9). */
  preferences: unknown;
  kind: HaPreferenceKind;
}

/** `pve1:2,pve2` as preferences, highest priority first (no priority is 0, as PVE reads it). */
export function parseNodeList(list: string): { node: string; priority: number }[] {
  return splitList(list)
    .map((e) => {
      const [node, prio] = e.split(':');
      return { node: node!, priority: Number(prio ?? 0) || 0 };
    })
    .sort((a, b) => b.priority - a.priority);
}

/** A service id's guest: `vm:100` -> 100; undefined for another type. */
export function sidVmid(sid: string): number | undefined {
  const m = /^(?:vm|ct):(\d+)$/.exec(sid);
  return m ? Number(m[1]) : undefined;
}

/** The preferences of each sid, from groups (by the resource's group) or node-affinity rules. */
function preferencesBySid(read: PveHaRead): Map<string, { node: string; priority: number }[]> {
  const out = new Map<string, { node: string; priority: number }[]>();
  if (read.kind === 'groups') {
    const groups = new Map(rows(read.preferences).map((g) => [str(g.group), str(g.nodes)]));
    for (const r of rows(read.resources)) {
      const nodes = groups.get(str(r.group));
      if (nodes) out.set(str(r.sid), parseNodeList(nodes));
    }
    return out;
  }
  for (const rule of rows(read.preferences)) {
    if (str(rule.type) !== 'node-affinity' || bool(rule.disable)) continue;
    for (const sid of splitList(str(rule.resources)))
      out.set(sid, [...(out.get(sid) ?? []), ...parseNodeList(str(rule.nodes))]);
  }
  return out;
}

/** An LRM's status line, `pve1 (active, Tue Dec  1 08:00:00 2026)`: its first word inside. */
const lrmWord = (status: string): string => /\(([^,)]+)/.exec(status)?.[1]?.trim() ?? status;

function nodeState(lrm: string | undefined, online: boolean): HaNode['state'] {
  if (!online) return 'offline';
  if (lrm === 'maintenance mode' || lrm === 'maintenance') return 'maintenance';
  return 'online';
}

/**
 * The HA state of a Proxmox VE cluster. `scope` makes each resource's
 * vmUuid the app's uuid of its guest (inventory.ts: `${scope}:${vmid}`).
 */
export function pveHaState(
  read: PveHaRead,
  cluster: PveClusterStatus,
  scope: string,
  readFrom: string,
): HaState {
  const status = rows(read.status);
  const quorum = status.find((e) => e.type === 'quorum');
  const master = status.find((e) => e.type === 'master');
  // PVE 9.1: HA disarmed (or disarming) for cluster-wide maintenance: nothing is recovered.
  const armed = str(status.find((e) => e.type === 'fencing')?.['armed-state']);
  const lrm = new Map(
    status.filter((e) => e.type === 'lrm').map((e) => [str(e.node), lrmWord(str(e.status))]),
  );
  const services = new Map(status.filter((e) => e.type === 'service').map((e) => [str(e.sid), e]));
  const prefs = preferencesBySid(read);
  const resources: HaResource[] = rows(read.resources).map((r) => {
    const sid = str(r.sid);
    const svc = services.get(sid);
    const requested = str(r.state) || 'started';
    const crm = str(svc?.crm_state) || str(svc?.state) || 'queued';
    const node = str(svc?.node);
    const running = ['started', 'request_stop', 'migrate', 'relocate', 'freeze'].includes(crm);
    const vmid = sidVmid(sid);
    const preferred = prefs.get(sid);
    return {
      id: sid,
      agent: str(r.type) || sid.split(':')[0]!,
      role: crm,
      nodes: running && node ? [node] : [],
      managed: requested !== 'ignored',
      failed: crm === 'error' || crm === 'fence',
      blocked: crm === 'freeze',
      targetStopped: requested === 'stopped' || requested === 'disabled',
      ...(vmid !== undefined ? { vmUuid: `${scope}:${vmid}` } : {}),
      ...(preferred?.length ? { preferred } : {}),
    };
  });
  const names = cluster.nodes.map((n) => n.name).sort();
  const nodes: HaNode[] = names.map((name) => ({
    name,
    state: nodeState(lrm.get(name), !!cluster.nodes.find((n) => n.name === name)?.online),
    dc: str(master?.node) === name,
    resourcesRunning: resources.filter((r) => r.nodes.includes(name)).length,
  }));
  return {
    stack: 'proxmox',
    manager: 'Proxmox VE HA',
    engine: 'Proxmox VE HA manager (a CRM master, an LRM per node, watchdog fencing)',
    clusterName: cluster.cluster?.name ?? '',
    quorate: quorum ? bool(quorum.quorate) : !!cluster.cluster?.quorate,
    ...(master ? { dc: str(master.node) } : {}),
    // PVE's HA always fences a lost node (its watchdog), when a resource is configured.
    stonithEnabled: true,
    maintenanceMode: armed === 'disarmed' || armed === 'disarming',
    nodes,
    resources,
    failedActions: [],
    fromNodes: false,
    readFrom,
  };
}

/** What the poll compares to know the configuration changed: the services and their requests. */
export function serviceDigest(status: unknown): string {
  return rows(status)
    .filter((e) => e.type === 'service')
    .map((e) => `${str(e.sid)}=${str(e.request_state)}`)
    .sort()
    .join(',');
}

/** One API call of a plan: shown as its pvesh command, sent as is. */
export interface PveCall {
  method: PveMethod;
  path: string;
  params: PveParams;
  title: string;
}

export interface ProtectSpec {
  vmid: number;
  kind: 'vm' | 'container';
  name: string;
  /** Keeps the guest as it is: a running one stays started, a stopped one stopped. */
  running: boolean;
  preferred: { node: string; score: number }[];
}

/** The group or rule Clusterdeck makes for one guest's preferences. */
export const preferenceId = (vmid: number): string => `clusterdeck-${vmid}`;

export const sidOf = (vmid: number, kind: 'vm' | 'container'): string =>
  `${kind === 'container' ? 'ct' : 'vm'}:${vmid}`;

const nodeList = (p: { node: string; score: number }[]): string =>
  [...p]
    .sort((a, b) => b.score - a.score)
    .map((x) => `${x.node}:${x.score}`)
    .join(',');

/** Protect with HA: the resource, with a group (PVE 8, made first) or a rule (PVE 9, made after). */
export function protectCalls(spec: ProtectSpec, kind: HaPreferenceKind): PveCall[] {
  const sid = sidOf(spec.vmid, spec.kind);
  const id = preferenceId(spec.vmid);
  const state = spec.running ? 'started' : 'stopped';
  const resource: PveCall = {
    method: 'POST',
    path: '/cluster/ha/resources',
    params: {
      sid,
      state,
      ...(spec.preferred.length && kind === 'groups' ? { group: id } : {}),
      comment: `${spec.name}, protected by Clusterdeck`,
    },
    title: `Make ${spec.name} an HA resource (${sid}, ${state})`,
  };
  if (!spec.preferred.length) return [resource];
  const nodes = nodeList(spec.preferred);
  if (kind === 'groups')
    return [
      {
        method: 'POST',
        path: '/cluster/ha/groups',
        params: { group: id, nodes, comment: `Preferred nodes of ${spec.name}` },
        title: `HA group ${id}: ${nodes}`,
      },
      resource,
    ];
  return [
    resource,
    {
      method: 'POST',
      path: '/cluster/ha/rules',
      params: {
        rule: id,
        type: 'node-affinity',
        resources: sid,
        nodes,
        strict: 0,
        comment: `Preferred nodes of ${spec.name}`,
      },
      title: `Node-affinity rule ${id}: ${nodes}`,
    },
  ];
}

/**
 * Remove HA: the resource goes (PVE 9 purges it from its rules, dropping a
 * rule left empty); on PVE 8 the group Clusterdeck made for it goes too
 * when no other resource uses it. The guest keeps running where it is.
 */
export function unprotectCalls(
  sid: string,
  name: string,
  kind: HaPreferenceKind,
  ownGroup: string | undefined,
): PveCall[] {
  const calls: PveCall[] = [
    {
      method: 'DELETE',
      path: `/cluster/ha/resources/${sid}`,
      params: {},
      title: `Remove ${name} (${sid}) from HA`,
    },
  ];
  if (kind === 'groups' && ownGroup)
    calls.push({
      method: 'DELETE',
      path: `/cluster/ha/groups/${ownGroup}`,
      params: {},
      title: `Remove HA group ${ownGroup}`,
    });
  return calls;
}

/** Start or stop through HA: the resource's requested state, as PVE's web interface sets it. */
export function requestStateCall(sid: string, state: 'started' | 'stopped'): PveCall {
  return {
    method: 'PUT',
    path: `/cluster/ha/resources/${sid}`,
    params: { state },
    title: `Request ${state} for ${sid}`,
  };
}
