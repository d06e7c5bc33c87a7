// Reading Pacemaker 2.1's own reports: `crm_mon -1 --output-as=xml` (the
// cluster's state as the Designated Controller computed it), the CIB's
// resources section (`cibadmin --query --scope resources`: a resource's
// parameters, which crm_mon leaves out) and corosync's cmap (the cluster's
// name and nodelist). Unit-tested on the HA lab's real outputs (fixtures/).
import { XMLParser } from 'fast-xml-parser';
import type { HaFailedAction, HaNode, HaNodeState, HaResource } from '../../../shared/ha';

type XmlNode = Record<string, unknown>;

// Lists even when one is present; "node" is a list both under <nodes> and inside a <resource>.
const LISTS = new Set([
  'node',
  'resource',
  'group',
  'clone',
  'bundle',
  'failure',
  'primitive',
  'nvpair',
]);
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseAttributeValue: false,
  parseTagValue: false,
  isArray: (name) => LISTS.has(name),
});

const obj = (v: unknown): XmlNode =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as XmlNode) : {};
const arr = (v: unknown): XmlNode[] =>
  Array.isArray(v) ? v.map(obj) : v === undefined ? [] : [obj(v)];
const attr = (n: XmlNode, name: string): string => {
  const v = n[`@${name}`];
  return typeof v === 'string' ? v : '';
};
const yes = (n: XmlNode, name: string) => attr(n, name) === 'true';

/** What crm_mon says; node host ids and resources' domains are added by the caller. */
export interface CrmStatus {
  quorate: boolean;
  dc?: string;
  stonithEnabled: boolean;
  maintenanceMode: boolean;
  nodes: HaNode[];
  resources: HaResource[];
  failedActions: HaFailedAction[];
}

/** The worst state a node's flags say, in the order of HA_NODE_STATES. */
function nodeState(n: XmlNode): HaNodeState {
  if (yes(n, 'unclean')) return 'unclean';
  if (!yes(n, 'online')) return 'offline';
  if (yes(n, 'pending')) return 'pending';
  if (yes(n, 'maintenance')) return 'maintenance';
  if (yes(n, 'standby') || yes(n, 'standby_onfail')) return 'standby';
  return 'online';
}

/** Every <resource> under resources, through groups, clones and bundles; clone instances merged. */
function collectResources(section: XmlNode, out: Map<string, HaResource>): void {
  for (const r of arr(section['resource'])) {
    const id = attr(r, 'id');
    const nodes = arr(r['node']).map((n) => attr(n, 'name'));
    const prev = out.get(id);
    if (prev) {
      prev.nodes.push(...nodes.filter((n) => !prev.nodes.includes(n)));
      continue;
    }
    out.set(id, {
      id,
      agent: attr(r, 'resource_agent'),
      role: attr(r, 'role'),
      nodes,
      managed: attr(r, 'managed') !== 'false',
      failed: yes(r, 'failed'),
      blocked: yes(r, 'blocked'),
      targetStopped: attr(r, 'target_role').toLowerCase() === 'stopped',
    });
  }
  for (const kind of ['group', 'clone', 'bundle'])
    for (const inner of arr(section[kind])) collectResources(inner, out);
}

export function parseCrmMon(xml: string): CrmStatus {
  const root = obj(obj(parser.parse(xml))['pacemaker-result']);
  const summary = obj(root['summary']);
  const dc = obj(summary['current_dc']);
  const options = obj(summary['cluster_options']);
  const resources = new Map<string, HaResource>();
  collectResources(obj(root['resources']), resources);
  const dcName = yes(dc, 'present') ? attr(dc, 'name') : '';
  return {
    quorate: yes(dc, 'with_quorum'),
    ...(dcName ? { dc: dcName } : {}),
    stonithEnabled: yes(options, 'stonith-enabled'),
    maintenanceMode: yes(options, 'maintenance-mode'),
    nodes: arr(obj(root['nodes'])['node']).map((n) => ({
      name: attr(n, 'name'),
      state: nodeState(n),
      dc: yes(n, 'is_dc'),
      resourcesRunning: Number(attr(n, 'resources_running')) || 0,
    })),
    resources: [...resources.values()],
    failedActions: arr(obj(root['failures'])['failure']).map((f) => ({
      // op_key is "<resource>_<op>_<interval>"; the resource is what precedes the op.
      resource: resourceOfOpKey(attr(f, 'op_key'), attr(f, 'task')),
      op: attr(f, 'task'),
      node: attr(f, 'node'),
      status: attr(f, 'exitstatus'),
      reason: attr(f, 'exitreason'),
      exitCode: Number(attr(f, 'exitcode')) || 0,
      at: attr(f, 'last-rc-change'),
    })),
  };
}

function resourceOfOpKey(opKey: string, task: string): string {
  const at = opKey.lastIndexOf(`_${task}_`);
  return at > 0 ? opKey.slice(0, at) : opKey;
}

/** A primitive's class:provider:type and its instance parameters, from the CIB. */
export interface CibPrimitive {
  id: string;
  agent: string;
  params: Record<string, string>;
}

export function parseCibResources(xml: string): CibPrimitive[] {
  const out: CibPrimitive[] = [];
  const walk = (n: XmlNode) => {
    for (const p of arr(n['primitive'])) {
      const params: Record<string, string> = {};
      for (const set of arr(p['instance_attributes']))
        for (const nv of arr(set['nvpair'])) params[attr(nv, 'name')] = attr(nv, 'value');
      const provider = attr(p, 'provider');
      out.push({
        id: attr(p, 'id'),
        agent: [attr(p, 'class'), provider, attr(p, 'type')].filter(Boolean).join(':'),
        params,
      });
    }
    for (const kind of ['group', 'clone', 'master', 'bundle'])
      for (const g of arr(n[kind])) walk(g);
  };
  walk(obj(obj(parser.parse(xml))['resources']));
  return out;
}

/** Corosync's own view: `corosync-cmapctl totem.cluster_name` and `nodelist.node`. */
export interface CorosyncView {
  clusterName: string;
  nodes: { name: string; address: string }[];
}

export function parseCmap(text: string): CorosyncView {
  const byIndex = new Map<string, { name: string; address: string }>();
  let clusterName = '';
  for (const line of text.split('\n')) {
    const m = /^(\S+) \([a-z0-9]+\) = (.*)$/.exec(line.trim());
    if (!m) continue;
    const [, key, value] = m as unknown as [string, string, string];
    if (key === 'totem.cluster_name') clusterName = value;
    const n = /^nodelist\.node\.(\d+)\.(name|ring0_addr)$/.exec(key);
    if (!n) continue;
    const entry = byIndex.get(n[1]!) ?? { name: '', address: '' };
    if (n[2] === 'name') entry.name = value;
    else entry.address = value;
    byIndex.set(n[1]!, entry);
  }
  return { clusterName, nodes: [...byIndex.values()] };
}

/** `<name>` and `<uuid>` of each VirtualDomain definition, from `domainHeadsArgv`'s output. */
export function parseDomainHeads(text: string): Map<string, { name?: string; uuid?: string }> {
  const out = new Map<string, { name?: string; uuid?: string }>();
  let current: { name?: string; uuid?: string } | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('== ')) {
      current = {};
      out.set(line.slice(3), current);
      continue;
    }
    const m = /<(name|uuid)>([^<]*)<\/\1>/.exec(line);
    if (current && m && current[m[1] as 'name' | 'uuid'] === undefined)
      current[m[1] as 'name' | 'uuid'] = m[2]!.trim();
  }
  return out;
}
