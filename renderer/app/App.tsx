import { useEffect, useState } from 'react';
import { api } from '../api/backend';
import { getBridge, onBackendConnection } from '../api/bridge';
import { runningVmJob } from '../../shared/vm-jobs';
import { useInventory } from '../state/inventory';
import { hasCapability } from '../../shared/model';
import { useNotices } from '../state/notices';
import { useUi } from '../state/ui';
import { useLayout } from '../state/layout';
import { Splitter } from '../ui/Splitter';
import { ConsoleWindow } from '../features/consoles/ConsoleWindow';
import { Details } from './Details';
import { AddHostDialog } from '../features/hosts/AddHostDialog';
import { NewNetworkWizard } from '../features/networks/NewNetworkWizard';
import { ConfirmDialog } from '../ui/ConfirmDialog';
import { HelpDialog } from './HelpDialog';
import { NewPoolWizard } from '../features/storage/NewPoolWizard';
import { NewVmWizard } from '../features/vms/NewVmWizard';
import { NewClusterWizard } from '../features/clusters/NewClusterWizard';
import { MigrateDialog } from '../features/migration/MigrateDialog';
import { DeleteVmDialog } from '../features/vms/DeleteVmDialog';
import { VmSettingsDialog } from '../features/vms/VmSettingsDialog';
import { InstanceSettingsDialog } from '../features/vms/InstanceSettingsDialog';
import { CloneVmDialog } from '../features/vms/CloneVmDialog';
import { Notices } from './Notices';
import { BulkActionDialog } from '../features/vms/BulkActionDialog';
import { BULK_ACTIONS, markedVmIds, openBulk } from '../features/vms/bulkActions';
import { TasksPane } from '../features/tasks/TasksPane';
import { Toolbar } from './Toolbar';
import { ResourceTree } from '../features/tree/ResourceTree';
import { VM_ACTION_SPECS, canRun, runVmAction } from '../features/vms/vmActions';

/** Startup notices already shown, so a reconnect of the page does not repeat them. */
const shownStartupNotices = new Set<string>();

/** Subscribes to patches, and reloads the whole inventory on each (re)connect. */
function useBackend(): boolean {
  const [connected, setConnected] = useState(true);
  useEffect(() => {
    const off = getBridge().onPatch((p) => useInventory.getState().receive(p));
    const offConn = onBackendConnection((up) => {
      setConnected(up);
      if (up) {
        api
          .getInventory()
          .then((inv) => useInventory.getState().replace(inv))
          .catch(() => undefined);
        api
          .appStatus()
          .then(({ notices }) => {
            for (const n of notices) {
              if (shownStartupNotices.has(n)) continue;
              shownStartupNotices.add(n);
              useNotices.getState().push(n);
            }
          })
          .catch(() => undefined);
      }
    });
    return () => {
      off();
      offConn();
    };
  }, []);
  return connected;
}

// Shortcuts that work anywhere outside dialogs and text fields.
const SHORTCUTS: Record<string, string> = {
  'ctrl+n': 'add-host',
  f1: 'help',
  'ctrl+shift+s': 'start',
  'ctrl+shift+d': 'shutdown',
  'ctrl+shift+r': 'reboot',
  'ctrl+shift+p': 'suspend',
};

function useShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const ui = useUi.getState();
      // Not while a dialog or wizard has the keyboard.
      if (ui.addHostOpen || ui.confirm || ui.helpOpen || ui.wizard || ui.vmDialog || ui.bulk)
        return;
      const combo = `${e.ctrlKey || e.metaKey ? 'ctrl+' : ''}${e.shiftKey ? 'shift+' : ''}${e.key.toLowerCase()}`;
      const what = SHORTCUTS[combo];
      if (!what) return;
      e.preventDefault();
      if (what === 'add-host') ui.setAddHostOpen(true);
      else if (what === 'help') ui.setHelpOpen(true);
      else if (ui.marked.length > 1) {
        // On a multi-selection a shortcut asks once for all, as the toolbar does.
        const bulk = BULK_ACTIONS.find((a) => a === what);
        const vmIds = markedVmIds(ui.marked, useInventory.getState().inv);
        if (bulk && vmIds.length) openBulk(bulk, vmIds);
      } else if (ui.selection.kind === 'vm') {
        const inv = useInventory.getState().inv;
        const vm = inv.vms[ui.selection.id];
        const spec = VM_ACTION_SPECS.find((s) => s.action === what);
        const job = vm && runningVmJob(Object.values(inv.tasks), inv.hosts, vm)?.words;
        if (vm && spec && canRun(spec, vm, job)) runVmAction(vm, spec, useNotices.getState().push);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

/** Whether the VM's cluster places its VMs (Ganeti): its settings have their own editor. */
function placesVms(vmId: string): boolean {
  const inv = useInventory.getState().inv;
  const host = inv.hosts[inv.vms[vmId]?.hostId ?? ''];
  return !!host && hasCapability(host, 'instance-edit');
}

const poppedConsole = new URLSearchParams(location.search).get('console');

export function App() {
  return poppedConsole ? <PoppedConsole uuid={poppedConsole} /> : <MainWindow />;
}

function PoppedConsole({ uuid }: { uuid: string }) {
  useBackend();
  const theme = useUi((s) => s.theme);
  useEffect(() => {
    document.documentElement.classList.toggle('dark', theme === 'dark');
  }, [theme]);
  return <ConsoleWindow uuid={uuid} />;
}

function MainWindow() {
  const connected = useBackend();
  useShortcuts();
  const theme = useUi((s) => s.theme);
  const addHostOpen = useUi((s) => s.addHostOpen);
  const helpOpen = useUi((s) => s.helpOpen);
  const treeWidth = useLayout((s) => s.sizes.tree);

  useEffect(() => {
    document.documentElement.classList.toggle('dark', theme === 'dark');
  }, [theme]);

  const confirmOpen = useUi((s) => s.confirm !== undefined);
  const wizard = useUi((s) => s.wizard);
  const vmDialog = useUi((s) => s.vmDialog);
  const bulk = useUi((s) => s.bulk);
  // While a dialog is open the window behind it is inert and hidden from
  // assistive technology, so only the dialog's controls can be reached.
  const modal =
    addHostOpen ||
    helpOpen ||
    confirmOpen ||
    wizard !== undefined ||
    vmDialog !== undefined ||
    bulk !== undefined;

  return (
    <>
      <div
        inert={modal}
        aria-hidden={modal || undefined}
        className="flex h-full flex-col bg-white text-slate-900 dark:bg-slate-900 dark:text-slate-100"
      >
        <Toolbar />
        {!connected && (
          <div
            role="alert"
            className="bg-amber-100 px-3 py-1 text-amber-900 dark:bg-amber-900 dark:text-amber-100"
          >
            Connection to Clusterdeck backend lost — reconnecting…
          </div>
        )}
        <div className="flex min-h-0 flex-1">
          <nav
            aria-label="Resource tree"
            className="shrink-0 overflow-auto p-1"
            // The details keep at least half the window, whatever width was saved.
            style={{ width: treeWidth, maxWidth: '50vw' }}
          >
            <ResourceTree />
          </nav>
          <Splitter pane="tree" label="Resize the resource tree" orientation="vertical" />
          <main className="min-w-0 flex-1 overflow-hidden">
            <Details />
          </main>
        </div>
        <Splitter pane="tasks" label="Resize the Tasks pane" orientation="horizontal" />
        <TasksPane />
        <Notices />
      </div>
      {helpOpen && <HelpDialog />}
      {wizard === 'new-pool' && <NewPoolWizard />}
      {wizard === 'new-vm' && <NewVmWizard />}
      {wizard === 'new-cluster' && <NewClusterWizard />}
      {wizard === 'new-network' && <NewNetworkWizard />}
      {/* After the wizards: New Cluster opens Add Host on top of itself. */}
      {addHostOpen && <AddHostDialog />}
      {vmDialog?.kind === 'delete' && <DeleteVmDialog vmId={vmDialog.vmId} />}
      {vmDialog?.kind === 'settings' &&
        (placesVms(vmDialog.vmId) ? (
          <InstanceSettingsDialog vmId={vmDialog.vmId} />
        ) : (
          <VmSettingsDialog vmId={vmDialog.vmId} />
        ))}
      {vmDialog?.kind === 'clone' && <CloneVmDialog vmId={vmDialog.vmId} />}
      {vmDialog?.kind === 'migrate' && <MigrateDialog dialog={vmDialog} />}
      {bulk && <BulkActionDialog request={bulk} />}
      <ConfirmDialog />
    </>
  );
}
