// One read of a Pacemaker cluster made into the `ha` facet: crm_mon's state,
// each VirtualDomain resource's domain (its `config` file's name and UUID,
// so a resource maps to a libvirt VM) and each member mapped to the
// Clusterdeck host it is (by host name, else by its Corosync address).
import type { HaState } from '../../../shared/ha';
import type { Host } from '../../../shared/model';
import type { ReadParts } from './commands';
import { parseCibResources, parseCmap, parseCrmMon } from './parse-status';

export const VIRTUAL_DOMAIN = 'ocf:heartbeat:VirtualDomain';

/** The `config` file of each VirtualDomain resource, by resource id. */
export function domainConfigs(resourcesXml: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of parseCibResources(resourcesXml))
    if (p.agent === VIRTUAL_DOMAIN && p.params['config']) out.set(p.id, p.params['config']);
  return out;
}

export function buildHaState(
  parts: Required<ReadParts>,
  heads: Map<string, { name?: string; uuid?: string }>,
  hosts: readonly Host[],
  readFrom: string,
): HaState {
  const status = parseCrmMon(parts.crmMon);
  const corosync = parseCmap(parts.cmap);
  const configs = domainConfigs(parts.resources);
  const addressOf = new Map(corosync.nodes.map((n) => [n.name, n.address]));
  const hostOf = (name: string) =>
    hosts.find((h) => h.info?.hostname === name) ??
    hosts.find((h) => h.name === name) ??
    hosts.find((h) => addressOf.has(name) && h.address === addressOf.get(name));
  return {
    stack: 'pacemaker',
    manager: 'Pacemaker',
    engine: 'Pacemaker on Corosync',
    clusterName: corosync.clusterName,
    quorate: status.quorate,
    ...(status.dc ? { dc: status.dc } : {}),
    stonithEnabled: status.stonithEnabled,
    maintenanceMode: status.maintenanceMode,
    nodes: status.nodes.map((n) => {
      const host = hostOf(n.name);
      return host ? { ...n, hostId: host.id } : n;
    }),
    resources: status.resources.map((r) => {
      const config = configs.get(r.id);
      if (!config) return r;
      const head = heads.get(config) ?? {};
      return { ...r, domain: { config, ...head } };
    }),
    failedActions: status.failedActions,
    fromNodes: false,
    readFrom,
  };
}
