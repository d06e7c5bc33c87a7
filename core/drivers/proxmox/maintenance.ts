// Node maintenance on Proxmox VE, the logic without I/O: PVE's own way is
// HA's `ha-manager crm-command node-maintenance enable|disable NODE` (a CLI:
// it writes the CRM's command file; there is no API call for it). The CRM
// puts the node's LRM into maintenance mode and moves the HA-managed guests
// away (VMs migrate online, containers relocate), and on disable brings
// back those it moved. Guests HA does not manage stay where they are, so
// the plan names each guest on the node and what happens to it. The state
// is read from /cluster/ha/status/current (the LRM's mode, each service's node
// and CRM state).
import type { Finding } from '../../../shared/cluster';
import type { PveGuest } from './parse';

export interface PveHaStatus {
  /** Node -> its LRM's mode as PVE words it ("active", "maintenance mode", "idle", …). */
  lrm: Map<string, string>;
  services: { sid: string; node: string; state: string }[];
}

/** The `(mode, time)` of an LRM status line: "pve2 (maintenance mode, Tue Dec …)". */
const LRM_MODE = /^\S+ \(([^,]+),/;

export function parseHaStatus(data: unknown): PveHaStatus {
  const out: PveHaStatus = { lrm: new Map(), services: [] };
  for (const e of Array.isArray(data) ? (data as Record<string, unknown>[]) : []) {
    const node = typeof e.node === 'string' ? e.node : '';
    if (e.type === 'lrm' && node)
      out.lrm.set(node, LRM_MODE.exec(String(e.status ?? ''))?.[1] ?? String(e.status ?? ''));
    if (e.type === 'service' && typeof e.sid === 'string')
      out.services.push({
        sid: e.sid,
        node,
        state: String(e.crm_state ?? e.state ?? ''),
      });
  }
  return out;
}

export const inMaintenance = (ha: PveHaStatus, node: string): boolean =>
  ha.lrm.get(node) === 'maintenance mode';

/** The command, run over SSH on a node of the cluster (any node can ask the CRM). */
export function maintenanceArgv(node: string, enter: boolean): string[] {
  return ['ha-manager', 'crm-command', 'node-maintenance', enter ? 'enable' : 'disable', node];
}

export const haSid = (g: Pick<PveGuest, 'kind' | 'vmid'>): string =>
  `${g.kind === 'lxc' ? 'ct' : 'vm'}:${g.vmid}`;

/** Services still on their way, or still on the node being emptied. */
const MOVING = new Set(['migrate', 'relocate']);

/** Whether the CRM is done: entering, the node in maintenance and no HA guest left running on it; leaving, out of it and nothing moving. */
export function maintenanceSettled(ha: PveHaStatus, node: string, enter: boolean): boolean {
  if (ha.services.some((s) => MOVING.has(s.state))) return false;
  if (!enter) return !inMaintenance(ha, node);
  return (
    inMaintenance(ha, node) && !ha.services.some((s) => s.node === node && s.state === 'started')
  );
}

/** With the node in maintenance and nothing moving, the HA guests still running on it. */
export function stuckServices(ha: PveHaStatus, node: string): string[] {
  if (!inMaintenance(ha, node) || ha.services.some((s) => MOVING.has(s.state))) return [];
  return ha.services.filter((s) => s.node === node && s.state === 'started').map((s) => s.sid);
}

/** What entering maintenance does to each guest on the node, and whether any node can take them. */
export function maintenanceFindings(
  node: string,
  guests: readonly PveGuest[],
  ha: PveHaStatus,
  onlineNodes: readonly string[],
): Finding[] {
  const findings: Finding[] = [];
  const managed = new Set(ha.services.map((s) => s.sid));
  const others = onlineNodes.filter((n) => n !== node && !inMaintenance(ha, n));
  const on = guests.filter((g) => g.node === node && !g.template);
  const haRunning = on.filter((g) => managed.has(haSid(g)) && g.state === 'running');
  if (haRunning.length && !others.length)
    findings.push({
      check: 'Another node',
      level: 'problem',
      detail: `No other node is online and out of maintenance: HA has nowhere to move ${haRunning.map((g) => g.name).join(', ')}.`,
    });
  for (const g of on) {
    const sid = haSid(g);
    const running = g.state === 'running';
    if (managed.has(sid))
      findings.push({
        check: g.name,
        level: 'ok',
        detail: running
          ? `${g.name} (${sid}) is HA-managed: the CRM ${g.kind === 'lxc' ? 'relocates it (shut down, started on another node)' : 'migrates it online to another node'}, and brings it back when maintenance ends.`
          : `${g.name} (${sid}) is HA-managed and not running: it stays on ${node}.`,
      });
    else if (running)
      findings.push({
        check: g.name,
        level: 'warning',
        detail: `${g.name} is not HA-managed: maintenance mode leaves it running on ${node}.`,
        fix: `Migrate it first (Migrate…), or add it to HA (ha-manager add ${sid}).`,
      });
    else
      findings.push({
        check: g.name,
        level: 'ok',
        detail: `${g.name} is not running: it stays on ${node}.`,
      });
  }
  if (!on.length) findings.push({ check: node, level: 'ok', detail: `No guest is on ${node}.` });
  return findings;
}
