// The Scan part of New Storage Pool's settings: one node asks the server
// which exports, volumes, targets or volume groups it offers; picking one
// fills the wizard's fields. The command that ran is shown with the result.
import { useState } from 'react';
import type { FoundSource, ScanType } from '../../../shared/storage';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import type { Host } from '../../../shared/model';
import { buttonClass } from '../../ui/Dialog';
import { Select } from '../../ui/forms';

type Outcome =
  | { state: 'running' }
  | { state: 'done'; node: string; command: string; sources: FoundSource[] }
  | { state: 'failed'; message: string };

const WHAT: Record<ScanType, string> = {
  netfs: 'NFS exports and Gluster volumes',
  gluster: 'Gluster volumes',
  iscsi: 'iSCSI targets',
  'iscsi-direct': 'iSCSI targets',
  logical: 'LVM volume groups',
};

export function ScanSources({
  type,
  hosts,
  defaultHostId,
  server,
  port,
  initiator,
  onUse,
}: {
  type: ScanType;
  hosts: Host[];
  defaultHostId: string | undefined;
  server: string;
  port: string;
  initiator: string;
  onUse: (s: FoundSource) => void;
}) {
  const connected = hosts.filter((h) => h.state === 'connected');
  const [hostId, setHostId] = useState(
    connected.some((h) => h.id === defaultHostId) ? defaultHostId! : (connected[0]?.id ?? ''),
  );
  const [outcome, setOutcome] = useState<Outcome>();
  const needsServer = type !== 'logical';

  const scan = async () => {
    const node = connected.find((h) => h.id === hostId)?.name ?? 'the node';
    setOutcome({ state: 'running' });
    try {
      const r = await api.scanPoolSources({
        hostId,
        request: {
          type,
          ...(needsServer ? { host: server.trim() } : {}),
          ...(type.startsWith('iscsi') && port.trim() ? { port: Number(port) } : {}),
          ...(type === 'iscsi-direct' ? { initiator: initiator.trim() } : {}),
        },
      });
      setOutcome({ state: 'done', node, ...r });
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
          value={hostId}
          onChange={setHostId}
          options={connected.map((h) => ({ value: h.id, label: h.name }))}
          emptyLabel="No connected node"
        />
        <button
          type="button"
          className={buttonClass}
          disabled={!hostId || (needsServer && !server.trim()) || outcome?.state === 'running'}
          onClick={() => void scan()}
        >
          Scan
        </button>
      </div>
      <p className="mt-1 text-xs text-slate-500">
        {needsServer
          ? `Lists the ${WHAT[type]} the server above offers, as seen from that node.`
          : `Lists the ${WHAT[type]} that node sees.`}
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
              Ran on {outcome.node}: <code>{outcome.command}</code>
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
                      onClick={() => onUse(s)}
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
