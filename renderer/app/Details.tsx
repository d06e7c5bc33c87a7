// The right-hand side: tabs for the selected item. Consoles and terminals
// stay connected while the user looks at another tab of the same item.
import { useEffect, useState, type ReactNode } from 'react';
import { ConsoleView } from '../features/consoles/ConsoleView';
import { TerminalView } from '../features/consoles/TerminalView';
import { SnapshotsView } from '../features/vms/SnapshotsView';
import { hasCapability, type Capability, type Host } from '../../shared/model';
import { useInventory } from '../state/inventory';
import { useUi, type DetailsTab } from '../state/ui';
import { ClusterGeneral } from '../features/clusters/ClusterGeneral';
import {
  ClusterPerformance,
  HostPerformance,
  VmPerformance,
} from '../features/performance/PerformanceView';
import { HostGeneral } from '../features/hosts/HostGeneral';
import { NetworkView } from '../features/networks/NetworkView';
import { HostNetworking } from '../features/networks/HostNetworking';
import { PoolView } from '../features/storage/PoolView';
import { RootGeneral } from './RootGeneral';
import { VmGeneral } from '../features/vms/VmGeneral';
import { ClusterBackups } from '../features/backups/ClusterBackups';
import { GuestBackups } from '../features/backups/GuestBackups';

type Tab = DetailsTab;

/**
 * When the selected VM leaves its node (a migration, here or by virsh) and
 * shows up on another, keep it selected there; its console reconnects.
 */
function useFollowMigratedVm(): void {
  const selection = useUi((s) => s.selection);
  const moved = useInventory((s) => {
    if (selection.kind !== 'vm') return undefined;
    const current = s.inv.vms[selection.id];
    // Gone from its node, or left behind shut off while a copy runs elsewhere.
    if (current && current.state !== 'shutoff') return undefined;
    return Object.values(s.inv.vms).find(
      (v) =>
        v.uuid === selection.uuid && v.id !== selection.id && (!current || v.state === 'running'),
    );
  });
  useEffect(() => {
    if (moved) useUi.getState().select({ kind: 'vm', id: moved.id, uuid: moved.uuid });
  }, [moved]);
}

/** Selects a VM that New VM just created, once it shows up, on the asked-for tab. */
function usePendingOpen(): void {
  const pending = useUi((s) => s.pendingOpen);
  const vm = useInventory((s) =>
    pending
      ? Object.values(s.inv.vms).find(
          (v) => v.hostId === pending.hostId && v.name === pending.name && v.state === 'running',
        )
      : undefined,
  );
  useEffect(() => {
    if (!pending || !vm) return;
    const ui = useUi.getState();
    ui.openWhenReady(undefined);
    ui.select({ kind: 'vm', id: vm.id, uuid: vm.uuid });
    ui.setDetailsTab(pending.tab);
  }, [pending, vm]);
}

export function Details() {
  const tab = useUi((s) => s.detailsTab);
  const setTab = useUi((s) => s.setDetailsTab);
  usePendingOpen();
  useFollowMigratedVm();
  const selection = useUi((s) => s.selection);
  const inv = useInventory((s) => s.inv);
  let title = 'Clusterdeck';
  let body: ReactNode = <RootGeneral />;
  if (selection.kind === 'cluster' && inv.clusters[selection.id]) {
    const c = inv.clusters[selection.id]!;
    title = c.name;
    body = <ClusterGeneral cluster={c} />;
  } else if (selection.kind === 'host' && inv.hosts[selection.id]) {
    const h = inv.hosts[selection.id]!;
    title = h.name;
    body = <HostGeneral host={h} />;
  } else if (selection.kind === 'vm' && inv.vms[selection.id]) {
    const vm = inv.vms[selection.id]!;
    title = vm.name;
    body = <VmGeneral vm={vm} />;
  } else if (selection.kind === 'pool' && inv.pools[selection.id]) {
    const p = inv.pools[selection.id]!;
    title = p.name;
    body = <PoolView pool={p} />;
  } else if (selection.kind === 'net' && inv.networks[selection.id]) {
    const n = inv.networks[selection.id]!;
    title = n.name;
    body = <NetworkView net={n} />;
  }
  const vm = selection.kind === 'vm' ? inv.vms[selection.id] : undefined;
  const host = selection.kind === 'host' ? inv.hosts[selection.id] : undefined;
  const cluster = selection.kind === 'cluster' ? inv.clusters[selection.id] : undefined;
  // A tab shows only where the node's stack offers it (host.capabilities).
  const vmHost = vm ? inv.hosts[vm.hostId] : undefined;
  const members = cluster ? cluster.hostIds.map((id) => inv.hosts[id]) : [];
  const offers = (h: Host | undefined, c: Capability) => !!h && hasCapability(h, c);
  const tabs: { id: Tab; label: string }[] = [{ id: 'general', label: 'General' }];
  if (vm && offers(vmHost, 'console')) tabs.push({ id: 'console', label: 'Console' });
  if (offers(vmHost, 'serial-console') && vm?.textConsoles.some((c) => c.type === 'pty'))
    tabs.push({ id: 'serial', label: 'Serial' });
  if (vm && offers(vmHost, 'snapshots')) tabs.push({ id: 'snapshots', label: 'Snapshots' });
  if (offers(host, 'networks')) tabs.push({ id: 'networking', label: 'Networking' });
  if (host) tabs.push({ id: 'terminal', label: 'Terminal' });
  if (offers(vmHost ?? host, 'performance') || members.some((h) => offers(h, 'performance')))
    tabs.push({ id: 'performance', label: 'Performance' });
  // A node in a cluster has its backups on the cluster's tab; a lone node on its own.
  const loneHost =
    host && !Object.values(inv.clusters).some((c) => c.hostIds.includes(host.id))
      ? host
      : undefined;
  if (
    offers(vmHost, 'backups') ||
    offers(loneHost, 'backups') ||
    members.some((h) => offers(h, 'backups'))
  )
    tabs.push({ id: 'backups', label: 'Backups' });
  // A VM is keyed by UUID: its consoles stay open when it migrates.
  const itemKey =
    selection.kind === 'vm'
      ? `vm/${selection.uuid}`
      : `${selection.kind}/${'id' in selection ? selection.id : ''}`;
  const running = vm && (vm.state === 'running' || vm.state === 'paused');

  // A shut-off VM opens on General, not on a console that can only say it is
  // not running; the remembered tab stays for the next running VM. Decided
  // when the item is selected, so a VM that stops while watched keeps its tab.
  const [openedOnGeneral, setOpenedOnGeneral] = useState({ item: '', general: false });
  if (openedOnGeneral.item !== itemKey)
    setOpenedOnGeneral({
      item: itemKey,
      general: !!vm && !running && (tab === 'console' || tab === 'serial'),
    });
  const choose = (id: Tab) => {
    setOpenedOnGeneral({ item: itemKey, general: false });
    setTab(id);
  };
  const wanted = openedOnGeneral.item === itemKey && openedOnGeneral.general ? 'general' : tab;
  const current = tabs.some((t) => t.id === wanted) ? wanted : 'general';

  // Live tabs opened for this item, kept mounted (hidden) until it changes.
  const [opened, setOpened] = useState<{ item: string; tabs: Set<Tab> }>({
    item: itemKey,
    tabs: new Set(),
  });
  const openedTabs = opened.item === itemKey ? opened.tabs : new Set<Tab>();
  useEffect(() => {
    if (current === 'general') return;
    setOpened((o) =>
      o.item === itemKey && o.tabs.has(current)
        ? o
        : { item: itemKey, tabs: new Set([...(o.item === itemKey ? o.tabs : []), current]) },
    );
  }, [itemKey, current]);
  const live = (id: Tab) => current === id || openedTabs.has(id);

  const panel = (id: Tab, content: ReactNode) => (
    <div
      key={`${itemKey}/${id}`}
      role="tabpanel"
      id={`panel-${id}`}
      aria-labelledby={`tab-${id}`}
      hidden={current !== id}
      className={`min-h-0 flex-1 p-4 ${id === 'general' || id === 'networking' ? 'overflow-auto' : 'overflow-hidden'}`}
    >
      {content}
    </div>
  );
  return (
    <section aria-label="Details" className="flex h-full flex-col">
      <h1 className="px-4 pt-3 pb-2 text-lg font-semibold">{title}</h1>
      <div
        role="tablist"
        aria-label="Views"
        className="flex gap-1 border-b border-slate-300 px-3 dark:border-slate-700"
        onKeyDown={(e) => {
          if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
          const i = tabs.findIndex((t) => t.id === current);
          const next = tabs[(i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length];
          if (next) {
            choose(next.id);
            document.getElementById(`tab-${next.id}`)?.focus();
          }
        }}
      >
        {tabs.map((t) => (
          <button
            key={t.id}
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={t.id === current}
            aria-controls={`panel-${t.id}`}
            tabIndex={t.id === current ? 0 : -1}
            onClick={() => choose(t.id)}
            className={`-mb-px border-b-2 px-3 py-1 ${
              t.id === current ? 'border-sky-600 font-medium' : 'border-transparent text-slate-500'
            }`}
          >
            {t.label}
          </button>
        ))}
      </div>
      {current === 'general' && panel('general', body)}
      {vm && live('console') && panel('console', <ConsoleView vm={vm} />)}
      {vm &&
        live('serial') &&
        panel(
          'serial',
          <TerminalView
            target={{ kind: 'serial', vmId: vm.id }}
            label={`Serial console of ${vm.name}`}
            unavailable={running ? undefined : `${vm.name} is not running.`}
            where={`${vm.hostId}/${vm.state}`}
            endedReason="The serial console closed: the VM stopped or moved, or Ctrl+] was pressed."
          />,
        )}
      {vm && current === 'snapshots' && panel('snapshots', <SnapshotsView vm={vm} />)}
      {host && current === 'networking' && panel('networking', <HostNetworking host={host} />)}
      {/* Mounted only while shown: it reads the nodes only then. */}
      {current === 'performance' &&
        panel(
          'performance',
          vm ? (
            <VmPerformance vm={vm} />
          ) : host ? (
            <HostPerformance host={host} />
          ) : cluster ? (
            <ClusterPerformance cluster={cluster} />
          ) : null,
        )}
      {current === 'backups' &&
        panel(
          'backups',
          vm ? (
            <GuestBackups vm={vm} />
          ) : cluster ? (
            <ClusterBackups scope={cluster} />
          ) : loneHost ? (
            <ClusterBackups scope={{ name: loneHost.name, hostIds: [loneHost.id] }} />
          ) : null,
        )}
      {host &&
        live('terminal') &&
        panel(
          'terminal',
          <TerminalView
            target={{ kind: 'host', hostId: host.id }}
            label={`Terminal on ${host.name}`}
            unavailable={host.state === 'connected' ? undefined : `${host.name} is not connected.`}
            where={host.id}
            endedReason="The shell ended."
          />,
        )}
    </section>
  );
}
