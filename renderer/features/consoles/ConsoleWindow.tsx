// A console in a window of its own: the page opened with ?console=<uuid>.
// It follows the VM by UUID, so a migration to another node is followed too.
import { useEffect } from 'react';
import { useInventory } from '../../state/inventory';
import { ConsoleView } from './ConsoleView';

export function ConsoleWindow({ uuid }: { uuid: string }) {
  // While a migration has the VM on two nodes, prefer the copy that runs.
  const vm = useInventory((s) => {
    const copies = Object.values(s.inv.vms).filter((v) => v.uuid === uuid);
    return copies.find((v) => v.state === 'running') ?? copies[0];
  });
  const host = useInventory((s) => (vm ? s.inv.hosts[vm.hostId] : undefined));
  useEffect(() => {
    document.title = vm ? `${vm.name} — Clusterdeck console` : 'Clusterdeck console';
  }, [vm]);
  return (
    <main className="flex h-full flex-col bg-white p-2 text-slate-900 dark:bg-slate-900 dark:text-slate-100">
      <h1 className="mb-2 font-semibold">
        {vm ? `${vm.name} on ${host?.name ?? '…'}` : 'Waiting for the VM to appear…'}
      </h1>
      {vm && (
        <div className="min-h-0 flex-1">
          <ConsoleView vm={vm} popped />
        </div>
      )}
    </main>
  );
}
