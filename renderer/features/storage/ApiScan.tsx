// The Scan beside a storage type's fields where the cluster's API defines
// storage: one node asks (NFS exports of a server, shares, iSCSI targets of a
// portal, VGs, thin pools, zpools); picking a result fills the fields it
// names. The call that ran is shown with the result, as for libvirt's Scan.
import { useState } from 'react';
import type { StorageFound, StorageTypeInfo } from '../../../shared/storage-api';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { buttonClass } from '../../ui/Dialog';
import { Select } from '../../ui/forms';

type Outcome =
  | { state: 'running' }
  | { state: 'done'; command: string; sources: StorageFound[] }
  | { state: 'failed'; message: string };

const WHAT: Record<string, string> = {
  nfs: 'NFS exports the server offers',
  cifs: 'shares the server offers',
  iscsi: 'iSCSI targets the portal offers',
  lvm: 'LVM volume groups the node has',
  lvmthin: 'thin pools in that volume group',
  zfs: 'ZFS pools the node has',
  glusterfs: 'Gluster volumes the server offers',
};

export function ApiScan({
  hostId,
  type,
  nodes,
  values,
  onUse,
}: {
  hostId: string;
  type: StorageTypeInfo;
  nodes: { name: string; online: boolean }[];
  values: Record<string, string | boolean>;
  onUse: (values: Record<string, string>) => void;
}) {
  const online = nodes.filter((n) => n.online);
  const [node, setNode] = useState(online[0]?.name ?? '');
  const [outcome, setOutcome] = useState<Outcome>();
  const scan = type.scan!;
  const text = (k: string) => (typeof values[k] === 'string' ? (values[k] as string).trim() : '');
  const missing = scan.needs.filter((k) => !text(k));

  const run = async () => {
    setOutcome({ state: 'running' });
    const given: Record<string, string> = {};
    for (const k of [...scan.needs, 'username', 'password', 'domain'])
      if (text(k)) given[k] = text(k);
    try {
      const r = await api.scanStorage({
        hostId,
        request: { node, kind: scan.kind, values: given },
      });
      setOutcome({ state: 'done', ...r });
    } catch (e) {
      setOutcome({ state: 'failed', message: errorMessage(e) });
    }
  };

  return (
    <section
      aria-label="Scan for sources"
      className="rounded border border-slate-200 p-2 dark:border-slate-600"
    >
      <div className="flex flex-wrap items-end gap-2">
        <Select
          className="grow"
          label="Scan from node"
          value={node}
          onChange={setNode}
          options={online.map((n) => ({ value: n.name, label: n.name }))}
          emptyLabel="No node online"
        />
        <button
          type="button"
          className={buttonClass}
          disabled={!node || missing.length > 0 || outcome?.state === 'running'}
          onClick={() => void run()}
        >
          Scan
        </button>
      </div>
      <p className="mt-1 text-xs text-slate-500">
        Lists the {WHAT[scan.kind] ?? 'sources'}, as seen from that node
        {missing.length ? ` (fill in ${missing.join(', ')} first)` : ''}.
      </p>
      <div aria-live="polite" className="mt-1 text-sm">
        {outcome?.state === 'running' && <p>Scanning…</p>}
        {outcome?.state === 'failed' && (
          <p role="alert" className="text-red-600 dark:text-red-400">
            {outcome.message}
          </p>
        )}
        {outcome?.state === 'done' && (
          <>
            <p className="text-xs text-slate-500">
              Ran on {node}: <code>{outcome.command}</code>
            </p>
            {outcome.sources.length === 0 ? (
              <p>Nothing found.</p>
            ) : (
              <ul aria-label="Found sources" className="mt-1 space-y-1">
                {outcome.sources.map((s) => (
                  <li key={s.label} className="flex items-center justify-between gap-2">
                    <span className="font-mono text-xs">{s.label}</span>
                    <button
                      type="button"
                      className={buttonClass}
                      aria-label={`Use ${s.label}`}
                      onClick={() => onUse(s.values)}
                    >
                      Use
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </div>
    </section>
  );
}
