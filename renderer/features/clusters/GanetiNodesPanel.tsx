// A Ganeti cluster's nodes on its General tab: each node's role with its
// operations as a toolbar (the same functions as the tree's node menu), and
// Add node for a Ganeti host without a cluster or a name the master resolves.
import { useState } from 'react';
import type { Cluster } from '../../../shared/cluster';
import { hasCapability } from '../../../shared/model';
import { useInventory } from '../../state/inventory';
import { useNotices } from '../../state/notices';
import { buttonClass } from '../../ui/Dialog';
import { Table } from '../../ui/Facts';
import { Select, TextField } from '../../ui/forms';
import { wizardInput } from '../../ui/wizard/WizardFrame';
import { MANAGED_ROLE_WORDS } from '../tree/managedTree';
import { ganetiNodeActions } from './ganetiNodeActions';

export function GanetiNodesPanel({ cluster }: { cluster: Cluster }) {
  const hosts = useInventory((s) => s.inv.hosts);
  const notify = useNotices((s) => s.push);
  const [adding, setAdding] = useState('');
  const [byName, setByName] = useState('');
  const act = ganetiNodeActions(cluster, notify);
  const lone = Object.values(hosts).filter(
    (h) => h.stack === 'ganeti' && hasCapability(h, 'cluster') && h.state === 'connected',
  );
  const btn = (label: string, onClick: () => void, disabled = false) => (
    <button key={label} className={buttonClass} disabled={disabled} onClick={onClick}>
      {label}
    </button>
  );
  const chosen = adding || lone[0]?.id || '';
  return (
    <>
      <Table
        caption="Ganeti nodes"
        head={['Node', 'Role', 'Actions']}
        rows={(cluster.managed?.nodes ?? []).map((n) => {
          const master = n.role === 'master';
          return [
            n.name,
            MANAGED_ROLE_WORDS[n.role],
            <div key="a" role="toolbar" aria-label={`Actions for ${n.name}`} className="flex gap-1">
              {btn(
                'Master failover…',
                () => void act.op(n.name, 'master-failover'),
                n.role !== 'candidate',
              )}
              {n.role === 'drained'
                ? btn('Undrain…', () => void act.op(n.name, 'undrain'))
                : btn('Drain…', () => void act.op(n.name, 'drain'), master)}
              {n.role === 'offline'
                ? btn('Set online…', () => void act.op(n.name, 'online'))
                : btn('Set offline…', () => void act.op(n.name, 'offline'), master)}
              {btn('Remove…', () => void act.op(n.name, 'remove'), master)}
            </div>,
          ];
        })}
      />
      <div className="flex flex-wrap items-end gap-2">
        {lone.length > 0 && (
          <>
            <Select
              layout="inline"
              label="Add a Ganeti host"
              controlClass={wizardInput}
              value={chosen}
              onChange={setAdding}
              options={lone.map((h) => ({ value: h.id, label: h.name }))}
            />
            {btn(
              'Add to cluster…',
              () => void act.add({ hostId: chosen }, hosts[chosen]?.name ?? chosen),
            )}
          </>
        )}
        <TextField
          layout="inline"
          label="Add a node by name"
          placeholder="node4.example.org"
          controlClass={wizardInput}
          value={byName}
          onChange={setByName}
        />
        {btn(
          'Add by name…',
          () => void act.add({ node: byName.trim() }, byName.trim()),
          !byName.trim(),
        )}
      </div>
    </>
  );
}
