// A cluster's General tab: its members and their health, what they hold in
// total (memory figures as on a node's General tab), its shared storage
// (tested by the backend with a marker file, counted once) and each member's
// own pools, and Remove.
import { describeCpu, type Cluster } from '../../../shared/cluster';
import { formatBytes } from '../../../shared/units';
import { hasCapability } from '../../../shared/model';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useInventory } from '../../state/inventory';
import { useNotices } from '../../state/notices';
import { useState } from 'react';
import { buttonClass } from '../../ui/Dialog';
import { wizardInput } from '../../ui/wizard/WizardFrame';
import { HOST_STATE_WORDS, formatKiB } from '../../ui/format';
import { Facts, Table } from '../../ui/Facts';
import { Select } from '../../ui/forms';
import { MEMORY_LABELS, givenToRunningVms, useNodeMemory } from '../hosts/nodeMemory';
import { clusterActions } from './clusterActions';
import { ClusterHealth } from './ClusterHealth';
import { CephSection } from './CephSection';
import { GanetiNodesPanel } from './GanetiNodesPanel';
import { ManagedMembersPanel } from './ManagedMembersPanel';
import { isLibvirtClusterNode } from './StackChoice';
import { HaSection } from './HaSection';
import { useClusterStorage } from './clusterStorage';

// A secondary button in the danger colour: visible, but never the loudest control on the tab.
const removeClusterClass =
  'rounded border border-red-300 px-3 py-1 text-red-700 hover:bg-red-50 disabled:opacity-50 dark:border-red-800 dark:text-red-400 dark:hover:bg-red-950';

export function ClusterGeneral({ cluster }: { cluster: Cluster }) {
  const inv = useInventory((s) => s.inv);
  const notify = useNotices((s) => s.push);
  const members = cluster.hostIds.map((id) => inv.hosts[id]).filter((h) => !!h);
  const memberIds = new Set(members.map((h) => h.id));
  const vms = Object.values(inv.vms).filter((v) => memberIds.has(v.hostId));
  const running = vms.filter((v) => v.state === 'running');
  const cpus = members.reduce((n, h) => n + (h.info?.cpus ?? 0), 0);
  const memKiB = members.reduce((n, h) => n + (h.info?.memoryKiB ?? 0), 0);
  const given = givenToRunningVms(vms, [...memberIds]);
  const memory = useNodeMemory(members.filter((h) => h.state === 'connected').map((h) => h.id));
  const available = members.reduce((n, h) => n + (memory[h.id]?.availableBytes ?? 0), 0);
  const storage = useClusterStorage(cluster.id, memberIds);
  const poolName = (id: string) => inv.pools[id]?.name ?? '';
  const sharedFree = storage?.shared.reduce((n, x) => n + x.available, 0) ?? 0;

  const candidates = Object.values(inv.hosts).filter(
    (h) =>
      h.state === 'connected' &&
      hasCapability(h, 'cluster') &&
      // A node whose stack makes its own clusters (Ganeti, Proxmox VE) joins them its own way.
      isLibvirtClusterNode(h) &&
      !Object.values(inv.clusters).some((c) => c.hostIds.includes(h.id)),
  );
  const [adding, setAdding] = useState('');
  const add = () => {
    const id = adding || candidates[0]?.id;
    if (!id) return;
    // The same plan as New Cluster: trust is added for the new node, nothing twice.
    api
      .createCluster({ name: cluster.name, hostIds: [...cluster.hostIds, id] })
      .catch((e: unknown) => notify(errorMessage(e)));
  };
  const { removeNode, remove } = clusterActions(cluster, notify);
  // Ganeti manages its own members: its node operations replace the libvirt ones.
  const ganeti = cluster.managed?.stack === 'ganeti';
  // A stack that keeps its own member list (Proxmox VE) removes members itself.
  const ownMembers = members.some((h) => hasCapability(h, 'cluster-members'));
  const ceph = members.some((h) => hasCapability(h, 'ceph-status'));
  // A cluster recognised from its nodes' Corosync has no SSH trust of Clusterdeck's to change.
  const ownTrust = !ganeti && !ownMembers && !cluster.ha?.fromNodes;

  return (
    <div className="space-y-4">
      <ClusterHealth cluster={cluster} />
      <HaSection cluster={cluster} />
      {ceph && <CephSection cluster={cluster} />}
      <Facts
        rows={[
          [
            'Nodes connected',
            `${members.filter((h) => h.state === 'connected').length} of ${members.length}`,
          ],
          ['VMs running', `${running.length} of ${vms.length}`],
          ['CPUs', `${cpus} (${running.reduce((n, v) => n + v.vcpus, 0)} vCPUs running)`],
          [MEMORY_LABELS.total, formatKiB(memKiB)],
          [
            MEMORY_LABELS.given,
            `${formatBytes(given.bytes)} (${given.count} ${given.count === 1 ? 'VM' : 'VMs'})`,
          ],
          [MEMORY_LABELS.available, Object.keys(memory).length ? formatBytes(available) : '—'],
          [
            'Shared storage free',
            storage
              ? storage.shared.length
                ? `${formatBytes(sharedFree)} (each shared pool counted once)`
                : 'No shared storage'
              : 'Testing…',
          ],
          [
            'Shared pools',
            storage
              ? storage.shared.length
                ? storage.shared
                    .map(
                      (x) =>
                        `${x.name} (${x.hostIds.map((id) => inv.hosts[id]?.name ?? id).join(', ')})`,
                    )
                    .join('; ')
                : 'None'
              : 'Testing…',
          ],
          [
            'CPU for guests',
            cluster.cpu
              ? `${describeCpu(cluster.cpu)}: runs on every node`
              : 'Not worked out yet (run New Cluster again with these nodes)',
          ],
        ]}
      />
      {ganeti && <GanetiNodesPanel cluster={cluster} />}
      {ownMembers && <ManagedMembersPanel cluster={cluster} />}
      {!ganeti && (
        <Table
          caption="Members"
          head={[
            'Node',
            'State',
            'CPUs',
            MEMORY_LABELS.total,
            MEMORY_LABELS.available,
            'VMs running',
            '',
          ]}
          rows={members.map((h) => [
            h.name,
            HOST_STATE_WORDS[h.state] + (h.maintenance ? ', maintenance' : ''),
            String(h.info?.cpus ?? '—'),
            h.info ? formatKiB(h.info.memoryKiB) : '—',
            memory[h.id] ? formatBytes(memory[h.id]!.availableBytes) : '—',
            String(running.filter((v) => v.hostId === h.id).length),
            ownTrust && (
              <button
                key="remove"
                className={buttonClass}
                aria-label={`Remove ${h.name} from the cluster`}
                onClick={() => void removeNode(h.id, h.name)}
              >
                Remove…
              </button>
            ),
          ])}
        />
      )}
      <Table
        caption="Storage of each node"
        head={['Node', 'Own pools', 'Own storage free']}
        rows={members.map((h) => {
          const own = storage?.local.find((l) => l.hostId === h.id);
          return [
            h.name,
            own ? own.poolIds.map(poolName).join(', ') || 'None' : '—',
            // Pools in folders of one filesystem share its free space: counted once.
            own ? formatBytes(own.available) : '—',
          ];
        })}
      />
      {ownTrust && candidates.length > 0 && (
        <div className="flex items-end gap-2">
          <Select
            layout="inline"
            label="Add a node"
            controlClass={wizardInput}
            value={adding || (candidates[0]?.id ?? '')}
            onChange={setAdding}
            options={candidates.map((h) => ({ value: h.id, label: h.name }))}
          />
          <button className={buttonClass} onClick={add}>
            Add to cluster
          </button>
        </div>
      )}
      {/* Set apart after the everyday controls, outlined rather than filled: it is rarely wanted. */}
      {ownTrust && (
        <div className="border-t border-slate-200 pt-3 dark:border-slate-700">
          <button className={removeClusterClass} onClick={() => void remove()}>
            Remove cluster…
          </button>
        </div>
      )}
    </div>
  );
}
