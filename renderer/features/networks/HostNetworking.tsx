// A node's Networking tab: its libvirt networks (each with its menu) and its
// own interfaces, NICs, bridges and their ports, read from the node when the
// tab opens (and on Refresh), since no event says they changed.
import { useCallback, useEffect, useState } from 'react';
import type { Host } from '../../../shared/model';
import type { HostInterface } from '../../../shared/network';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useInventory } from '../../state/inventory';
import { useUi } from '../../state/ui';
import { buttonClass } from '../../ui/Dialog';
import { Table } from '../../ui/Facts';
import { NetworkContextMenu } from './NetworkMenu';

type Read = { command: string; interfaces: HostInterface[] } | { error: string } | undefined;

const muted = (s: string) => s || <span className="text-slate-500">—</span>;

export function HostNetworking({ host }: { host: Host }) {
  const all = useInventory((s) => s.inv.networks);
  const nets = Object.values(all)
    .filter((n) => n.hostId === host.id)
    .sort((a, b) => a.name.localeCompare(b.name));
  const [menu, setMenu] = useState<{ id: string; x: number; y: number }>();
  const [read, setRead] = useState<Read>();
  const connected = host.state === 'connected';

  const load = useCallback(() => {
    setRead(undefined);
    api
      .hostInterfaces({ hostId: host.id })
      .then(setRead, (e: unknown) => setRead({ error: errorMessage(e) }));
  }, [host.id]);
  useEffect(() => {
    if (connected) load();
  }, [connected, load]);

  return (
    <div className="space-y-4">
      <section aria-label="Virtual networks">
        <div className="flex items-center gap-2">
          <h2 className="font-medium">Virtual networks</h2>
          <span className="flex-1" />
          <button
            className={buttonClass}
            disabled={!connected}
            onClick={() => useUi.getState().setWizard('new-network')}
          >
            New network…
          </button>
        </div>
        <Table
          caption={`Libvirt networks on ${host.name}`}
          head={['Name', 'State', 'Mode', 'Bridge', 'Autostart', 'Actions']}
          onRowMenu={(i, at) => {
            const n = nets[i];
            if (n) setMenu({ id: n.id, ...at });
          }}
          rows={nets.map((n) => [
            n.name,
            n.active ? 'Active' : 'Inactive',
            n.forward,
            muted(n.bridge),
            n.autostart ? 'Yes' : 'No',
            <button
              className={buttonClass}
              aria-label={`Actions for ${n.name}`}
              aria-haspopup="menu"
              onClick={(e) => {
                const r = e.currentTarget.getBoundingClientRect();
                setMenu({ id: n.id, x: r.left, y: r.bottom });
              }}
            >
              Actions…
            </button>,
          ])}
        />
      </section>
      <section aria-label="Interfaces">
        <div className="flex items-center gap-2">
          <h2 className="font-medium">Interfaces</h2>
          <span className="flex-1" />
          <button className={buttonClass} disabled={!connected} onClick={load}>
            Refresh interfaces
          </button>
        </div>
        {!connected && <p className="text-slate-500">{host.name} is not connected.</p>}
        {connected && !read && <p className="text-slate-500">Reading…</p>}
        {read && 'error' in read && (
          <p role="alert" className="text-red-700 dark:text-red-400">
            {read.error}
          </p>
        )}
        {read && 'interfaces' in read && (
          <>
            <Table
              caption={`Interfaces of ${host.name}`}
              head={['Name', 'Kind', 'MAC', 'State', 'Addresses', 'Bridge']}
              rows={read.interfaces.map((i) => [
                i.name,
                i.kind,
                muted(i.mac),
                i.state,
                muted(i.addresses.join(', ')),
                muted(i.master),
              ])}
            />
            <p className="mt-1 text-xs text-slate-500">
              Read with <code>{read.command}</code>
            </p>
          </>
        )}
      </section>
      {menu && (
        <NetworkContextMenu id={menu.id} x={menu.x} y={menu.y} onClose={() => setMenu(undefined)} />
      )}
    </div>
  );
}
