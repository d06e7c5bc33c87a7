// The Performance tab: a node's or a VM's CPU, memory, disk and network (a
// node's with its busiest VMs), or a cluster's nodes and busiest VMs. The
// backend reads the nodes on screen every 5 s, and for a few minutes after
// (state/performance.ts); a VM's history is by its UUID, so it follows the
// VM to another node of its cluster.
import type { Cluster } from '../../../shared/cluster';
import type { Host, Vm } from '../../../shared/model';
import type { NodeLoad, PerformanceSample, VmLoad } from '../../../shared/performance';
import { useInventory } from '../../state/inventory';
import { usePerfStore, usePerformanceHistory } from '../../state/performance';
import { Table } from '../../ui/Facts';
import { valueText } from './axis';
import { LineChart } from './LineChart';

const pct = (v: number) => valueText(v, 'percent');
const bytes = (v: number) => valueText(v, 'bytes');
const rate = (v: number) => valueText(v, 'rate');
const EMPTY: readonly PerformanceSample[] = [];

function Waiting({ count }: { count: number }) {
  return count < 1 ? (
    <p className="text-sm text-slate-500">Reading… (every 5 s while this tab is open)</p>
  ) : null;
}

/** The VMs with the most CPU in the latest reading of these nodes. */
function BusiestVms({ hostIds }: { hostIds: string[] }) {
  const byHost = usePerfStore((s) => s.byHost);
  const inv = useInventory((s) => s.inv);
  const rows = hostIds
    .flatMap((h) =>
      Object.entries(byHost[h]?.at(-1)?.vms ?? {}).map(([uuid, l]) => ({
        vm: Object.values(inv.vms).find((v) => v.uuid === uuid && v.hostId === h),
        l,
      })),
    )
    .filter((r): r is { vm: Vm; l: VmLoad } => r.vm?.state === 'running')
    .sort((a, b) => b.l.cpuPercent - a.l.cpuPercent)
    .slice(0, 10);
  return (
    <Table
      caption="Busiest VMs"
      head={['VM', 'Node', 'CPU', 'Memory given', 'Disk read/write', 'Network in/out']}
      rows={rows.map(({ vm, l }) => [
        vm.name,
        inv.hosts[vm.hostId]?.name ?? '',
        pct(l.cpuPercent),
        `${bytes(l.memGivenBytes)} of ${bytes(l.memMaxBytes)}`,
        `${rate(l.diskReadBps)} / ${rate(l.diskWriteBps)}`,
        `${rate(l.netRxBps)} / ${rate(l.netTxBps)}`,
      ])}
    />
  );
}

export function HostPerformance({ host }: { host: Host }) {
  usePerformanceHistory([host.id]);
  const samples = usePerfStore((s) => s.byHost[host.id] ?? EMPTY);
  const times = samples.map((s) => s.at);
  const n = (f: (l: NodeLoad) => number) => samples.map((s) => f(s.node));
  const total = samples.at(-1)?.node.memTotalBytes ?? (host.info?.memoryKiB ?? 0) * 1024;
  return (
    <div className="space-y-4">
      <Waiting count={samples.length} />
      <div className="grid grid-cols-1 gap-4 xl:grid-cols-2">
        <LineChart
          title={`CPU of ${host.name}`}
          times={times}
          series={[{ label: 'CPU', values: n((l) => l.cpuPercent) }]}
          kind="percent"
          note="Of all its CPUs."
        />
        <LineChart
          title={`Memory of ${host.name}`}
          times={times}
          series={[
            { label: 'Used', values: n((l) => l.memUsedBytes) },
            { label: 'Available to new guests', values: n((l) => l.memAvailableBytes) },
          ]}
          kind="bytes"
          minTop={total}
          note={`Of ${bytes(total)} total; used is the total less what is available.`}
        />
        {/* Hardware disks and NICs only (node-io.ts), so no byte counts twice. */}
        <LineChart
          title={`Disk of ${host.name}`}
          times={times}
          series={[
            { label: 'Read', values: n((l) => l.diskReadBps) },
            { label: 'Write', values: n((l) => l.diskWriteBps) },
          ]}
          kind="rate"
        />
        <LineChart
          title={`Network of ${host.name}`}
          times={times}
          series={[
            { label: 'In', values: n((l) => l.netRxBps) },
            { label: 'Out', values: n((l) => l.netTxBps) },
          ]}
          kind="rate"
        />
      </div>
      <BusiestVms hostIds={[host.id]} />
    </div>
  );
}

/** A VM's readings from every node it ran on (by UUID), in time order. */
function vmHistory(
  byHost: Record<string, readonly PerformanceSample[]>,
  hostIds: readonly string[],
  uuid: string,
): { at: number; load: VmLoad }[] {
  return hostIds
    .flatMap((h) =>
      (byHost[h] ?? []).flatMap((s) => (s.vms[uuid] ? [{ at: s.at, load: s.vms[uuid] }] : [])),
    )
    .sort((a, b) => a.at - b.at);
}

export function VmPerformance({ vm }: { vm: Vm }) {
  const clusters = useInventory((s) => s.inv.clusters);
  // The VM's earlier readings may be on another node of its cluster, where it ran before.
  const peers = Object.values(clusters).find((c) => c.hostIds.includes(vm.hostId))?.hostIds ?? [];
  const others = peers.filter((h) => h !== vm.hostId);
  usePerformanceHistory([vm.hostId], others);
  const byHost = usePerfStore((s) => s.byHost);
  const history = vmHistory(byHost, [vm.hostId, ...others], vm.uuid);
  const times = history.map((h) => h.at);
  const v = (f: (l: VmLoad) => number) => history.map((h) => f(h.load));
  const allocation = vm.memoryKiB * 1024;
  const reportsUse = history.some((h) => h.load.memUsedBytes !== undefined);
  return (
    <div className="space-y-4">
      {vm.state !== 'running' && (
        <p className="text-sm text-slate-500">
          {vm.name} is not running: there is no load to show.
        </p>
      )}
      {vm.state === 'running' && <Waiting count={history.length} />}
      <div className="grid grid-cols-1 gap-4 xl:grid-cols-2">
        <LineChart
          title="CPU"
          times={times}
          series={[{ label: 'CPU', values: v((l) => l.cpuPercent) }]}
          kind="percent"
          note={`Of one CPU: ${vm.vcpus} ${vm.vcpus === 1 ? 'vCPU' : 'vCPUs'} fully busy is ${vm.vcpus * 100}%.`}
        />
        <LineChart
          title="Memory"
          times={times}
          series={[
            { label: 'Given', values: v((l) => l.memGivenBytes) },
            ...(reportsUse
              ? [
                  {
                    label: 'Used by the guest',
                    values: history.map((h) => h.load.memUsedBytes ?? null),
                  },
                ]
              : []),
          ]}
          kind="bytes"
          minTop={allocation}
          note={`Allocation ${bytes(allocation)}: what the guest was given${reportsUse ? ' and says it uses' : ''}, not QEMU's own memory on the node.`}
        />
        <LineChart
          title="Disk"
          times={times}
          series={[
            { label: 'Read', values: v((l) => l.diskReadBps) },
            { label: 'Write', values: v((l) => l.diskWriteBps) },
          ]}
          kind="rate"
        />
        <LineChart
          title="Network"
          times={times}
          series={[
            { label: 'In', values: v((l) => l.netRxBps) },
            { label: 'Out', values: v((l) => l.netTxBps) },
          ]}
          kind="rate"
        />
      </div>
    </div>
  );
}

export function ClusterPerformance({ cluster }: { cluster: Cluster }) {
  usePerformanceHistory(cluster.hostIds);
  const byHost = usePerfStore((s) => s.byHost);
  const hosts = useInventory((s) => s.inv.hosts);
  const vms = Object.values(useInventory((s) => s.inv.vms));
  const nodes = cluster.hostIds
    .map((id) => ({ id, last: byHost[id]?.at(-1) }))
    .sort((a, b) => (b.last?.node.cpuPercent ?? 0) - (a.last?.node.cpuPercent ?? 0));
  return (
    <div className="space-y-4">
      <Table
        caption="Busiest nodes"
        head={['Node', 'CPU', 'Memory used', 'Memory available to new guests', 'VMs running']}
        rows={nodes.map(({ id, last }) => [
          hosts[id]?.name ?? id,
          last ? pct(last.node.cpuPercent) : '—',
          last ? `${bytes(last.node.memUsedBytes)} of ${bytes(last.node.memTotalBytes)}` : '—',
          last ? bytes(last.node.memAvailableBytes) : '—',
          String(vms.filter((v) => v.hostId === id && v.state === 'running').length),
        ])}
      />
      <BusiestVms hostIds={cluster.hostIds} />
    </div>
  );
}
