// Maintenance mode: where each running VM of a node goes (the cluster peer
// with the most memory left, largest VMs first), each move checked by the
// same preflight as Migrate VM, run as one task; the VMs can come back when
// the node leaves maintenance mode. The moves use Migrate VM's default
// transport (tunnelled through the nodes' SSH trust), checked by its preflight.
import type { Finding } from '../../shared/cluster';
import { DEFAULT_TRANSPORT, type MigrationTransport } from '../../shared/migration';
import type { Host, Vm } from '../../shared/model';
import { formatBytes } from '../../shared/units';
import {
  canMigrate,
  memAvailable,
  migrationPreflight,
  type MigrationWorld,
  type VmPlan,
} from './preflight';

/** The running VMs of a node, each placed on a peer; what is found on the way. */
export async function planEvacuation(
  world: MigrationWorld,
  host: Host,
  vms: readonly Vm[],
  transport: MigrationTransport = DEFAULT_TRANSPORT,
): Promise<{ findings: Finding[]; plans: VmPlan[] }> {
  const cluster = world.clusters.find((c) => c.hostIds.includes(host.id));
  if (!cluster) {
    return {
      findings: [
        {
          check: 'Cluster',
          level: 'problem',
          detail: `${host.name} is in no cluster, so its VMs have nowhere to go.`,
          fix: 'Make a cluster with New Cluster first.',
        },
      ],
      plans: [],
    };
  }
  const moving = vms
    .filter((v) => v.hostId === host.id && (v.state === 'running' || v.state === 'paused'))
    .sort((a, b) => b.memoryKiB - a.memoryKiB);
  if (!moving.length) return { findings: [], plans: [] };

  const peers = cluster.hostIds
    .filter((id) => id !== host.id && !world.inMaintenance(id))
    .map((id) => world.hosts(id))
    .filter((h): h is Host => !!h && h.state === 'connected' && canMigrate(h));
  if (!peers.length) {
    return {
      findings: [
        {
          check: 'Where the VMs go',
          level: 'problem',
          detail: `No other node of ${cluster.name} is connected and out of maintenance mode.`,
        },
      ],
      plans: [],
    };
  }
  const free = new Map<string, number>();
  for (const p of peers) free.set(p.id, await memAvailable(world.conn(p.id)));

  const findings: Finding[] = [];
  const plans: VmPlan[] = [];
  for (const vm of moving) {
    const need = vm.memoryKiB * 1024;
    const best = [...peers].sort((a, b) => (free.get(b.id) ?? 0) - (free.get(a.id) ?? 0))[0]!;
    const left = free.get(best.id) ?? 0;
    if (left < need) {
      findings.push({
        check: `${vm.name}: where it goes`,
        level: 'problem',
        detail: `No node has room for ${vm.name} (${formatBytes(need)}); the most memory still available to guests is ${formatBytes(left)} on ${best.name}.`,
        fix: 'Shut down VMs you can spare, or add a node to the cluster.',
      });
      continue;
    }
    free.set(best.id, left - need);
    const r = await migrationPreflight(world, [vm], best.id, undefined, transport);
    findings.push(
      { check: `${vm.name}: where it goes`, level: 'ok', detail: `${vm.name} → ${best.name}.` },
      ...r.findings.filter((f) => f.level !== 'ok'),
    );
    plans.push(...r.plans);
  }
  return { findings, plans };
}
