// The Performance tab: a node's or a VM's CPU, memory, disk and network (a
// node's with its busiest VMs), or a cluster's nodes and busiest VMs. It
// reads every few seconds only while it is on screen, and keeps the hour.
import type { Cluster } from '../../../shared/cluster';
import type { Host, Vm } from '../../../shared/model';
import type { NodeLoad, PerformanceSample } from '../../../shared/performance';
import { formatBytes } from '../../../shared/units';
import { useInventory } from '../../state/inventory';
import { usePerfStore, usePerformancePolling } from '../../state/performance';
import { Table } from '../../ui/Facts';
import { LineChart } from './LineChart';

const pct = (v: number) => `${v.toFixed(v < 10 ? 1 : 0)}%`;
const bytes = (v: number) => formatBytes(v);
const rate = (v: number) => `${formatBytes(v)}/s`;
const EMPTY: readonly PerformanceSample[] = [];

function Waiting({ samples }: { samples: readonly PerformanceSample[] }) {
  return samples.length < 2 ? (
    <p className="text-sm text-slate-500">Reading… (every 5 s while this tab is open)</p>
  ) : null;
}

/** The VMs with the most CPU in the latest reading of these nodes. */
function BusiestVms({ hostIds }: { hostIds: string[] }) {
  const byHost = usePerfStore((s) => s.byHost);
  const inv = useInventory((s) => s.inv);
  const rows = hostIds
    .flatMap((h) => Object.entries(byHost[h]?.at(-1)?.vms ?? {}))
    .filter(([id]) => inv.vms[id]?.state === 'running')
    .sort((a, b) => b[1].cpuPercent - a[1].cpuPercent)
    .slice(0, 10);
  return (
    <Table
      caption="Busiest VMs"
      head={['VM', 'Node', 'CPU', 'Memory', 'Disk read/write', 'Network in/out']}
      rows={rows.map(([id, l]) => [
        inv.vms[id]?.name ?? id,
        inv.hosts[inv.vms[id]?.hostId ?? '']?.name ?? '',
        pct(l.cpuPercent),
        bytes(l.memBytes),
        `${rate(l.diskReadBps)} / ${rate(l.diskWriteBps)}`,
        `${rate(l.netRxBps)} / ${rate(l.netTxBps)}`,
      ])}
    />
  );
}

export function HostPerformance({ host }: { host: Host }) {
  usePerformancePolling([host.id]);
  const samples = usePerfStore((s) => s.byHost[host.id] ?? EMPTY);
  const times = samples.map((s) => s.at);
  const n = (f: (l: NodeLoad) => number) => samples.map((s) => f(s.node));
  return (
    <div className="space-y-4">
      <Waiting samples={samples} />
      <div className="grid grid-cols-1 gap-4 xl:grid-cols-2">
        <LineChart
          title={`CPU of ${host.name}`}
          times={times}
          series={[{ label: 'CPU', values: n((l) => l.cpuPercent) }]}
          format={pct}
        />
        <LineChart
          title={`Memory of ${host.name}`}
          times={times}
          series={[
            { label: 'Used', values: n((l) => l.memUsedBytes) },
            { label: 'Total', values: n((l) => l.memTotalBytes) },
          ]}
          format={bytes}
        />
        {/* Hardware disks and NICs only (node-io.ts), so no byte counts twice. */}
        <LineChart
          title={`Disk of ${host.name}`}
          times={times}
          series={[
            { label: 'Read', values: n((l) => l.diskReadBps) },
            { label: 'Write', values: n((l) => l.diskWriteBps) },
          ]}
          format={rate}
        />
        <LineChart
          title={`Network of ${host.name}`}
          times={times}
          series={[
            { label: 'In', values: n((l) => l.netRxBps) },
            { label: 'Out', values: n((l) => l.netTxBps) },
          ]}
          format={rate}
        />
      </div>
      <BusiestVms hostIds={[host.id]} />
    </div>
  );
}

export function VmPerformance({ vm }: { vm: Vm }) {
  usePerformancePolling([vm.hostId]);
  const all = usePerfStore((s) => s.byHost[vm.hostId] ?? EMPTY);
  const samples = all.filter((s) => s.vms[vm.id]);
  const times = samples.map((s) => s.at);
  const v = (f: (l: PerformanceSample['vms'][string]) => number) =>
    samples.map((s) => f(s.vms[vm.id]!));
  return (
    <div className="space-y-4">
      {vm.state !== 'running' && (
        <p className="text-sm text-slate-500">
          {vm.name} is not running: there is no load to show.
        </p>
      )}
      <Waiting samples={samples} />
      <div className="grid grid-cols-1 gap-4 xl:grid-cols-2">
        <LineChart
          title="CPU"
          times={times}
          series={[{ label: 'CPU', values: v((l) => l.cpuPercent) }]}
          format={pct}
        />
        <LineChart
          title="Memory"
          times={times}
          series={[{ label: 'Memory', values: v((l) => l.memBytes) }]}
          format={bytes}
        />
        <LineChart
          title="Disk"
          times={times}
          series={[
            { label: 'Read', values: v((l) => l.diskReadBps) },
            { label: 'Write', values: v((l) => l.diskWriteBps) },
          ]}
          format={rate}
        />
        <LineChart
          title="Network"
          times={times}
          series={[
            { label: 'In', values: v((l) => l.netRxBps) },
            { label: 'Out', values: v((l) => l.netTxBps) },
          ]}
          format={rate}
        />
      </div>
    </div>
  );
}

export function ClusterPerformance({ cluster }: { cluster: Cluster }) {
  usePerformancePolling(cluster.hostIds);
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
        head={['Node', 'CPU', 'Memory used', 'VMs running']}
        rows={nodes.map(({ id, last }) => [
          hosts[id]?.name ?? id,
          last ? pct(last.node.cpuPercent) : '—',
          last ? `${bytes(last.node.memUsedBytes)} of ${bytes(last.node.memTotalBytes)}` : '—',
          String(vms.filter((v) => v.hostId === id && v.state === 'running').length),
        ])}
      />
      <BusiestVms hostIds={cluster.hostIds} />
    </div>
  );
}
