// One confirmation for an action on several VMs: the VMs it runs on, those
// skipped and why, for Migrate the target node (nodes of the same cluster);
// then one call per VM, so each VM gets its own task in the Tasks pane.
import { useState } from 'react';
import { DEFAULT_TRANSPORT } from '../../../shared/migration';
import type { Vm } from '../../../shared/model';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useInventory } from '../../state/inventory';
import { useNotices } from '../../state/notices';
import { useUi, type BulkRequest } from '../../state/ui';
import { Dialog, buttonClass, dangerButtonClass, primaryButtonClass } from '../../ui/Dialog';
import { Select } from '../../ui/forms';
import { bulkTitle, migrationTargets, planBulk } from './bulkActions';
import { VM_ACTION_SPECS } from './vmActions';

function runOne(action: BulkRequest['action'], vm: Vm, targetHostId: string): Promise<unknown> {
  if (action === 'migrate')
    return api.migrateVms({
      vmIds: [vm.id],
      targetHostId,
      persist: true,
      transport: DEFAULT_TRANSPORT,
    });
  return api.vmAction({ vmId: vm.id, action });
}

export function BulkActionDialog({ request }: { request: BulkRequest }) {
  const inv = useInventory((s) => s.inv);
  const notify = useNotices((s) => s.push);
  const { action, vmIds } = request;
  const targets = migrationTargets(vmIds, inv);
  // The node that takes the most of them (the first such by name).
  const [target, setTarget] = useState(() => {
    const takes = (t: string) => planBulk('migrate', vmIds, inv, t).run.length;
    return targets.reduce((best, t) => (takes(t) > (best ? takes(best) : 0) ? t : best), '');
  });
  const plan = planBulk(action, vmIds, inv, action === 'migrate' ? target : undefined);
  const title = bulkTitle(action, plan.run.length);
  const close = () => useUi.getState().setBulk(undefined);
  const warning = VM_ACTION_SPECS.find((s) => s.action === action)?.warning;

  const confirm = () => {
    close();
    for (const vm of plan.run) {
      runOne(action, vm, target).catch((e: unknown) =>
        notify(`${bulkTitle(action, 1).replace('1 VM', vm.name)}: ${errorMessage(e)}`),
      );
    }
  };

  return (
    <Dialog title={`${title}?`} onClose={close} role="alertdialog" initialFocus="[data-cancel]">
      {action === 'migrate' && (
        <Select
          label="Target node"
          value={target}
          onChange={setTarget}
          options={targets.map((id) => ({ value: id, label: inv.hosts[id]?.name ?? id }))}
          emptyLabel="No node of the same cluster"
        />
      )}
      {warning && plan.run.length > 0 && (
        <p className="my-2">
          {plan.run.length === 1
            ? warning(plan.run[0]!)
            : `Each VM listed: ${warning({ ...plan.run[0]!, name: 'it' })}`}
        </p>
      )}
      <div className="mb-4 max-h-[50vh] overflow-auto pr-1">
        {plan.run.length > 0 ? (
          <ul aria-label="VMs to act on" className="my-2 list-disc pl-5">
            {plan.run.map((vm) => (
              <li key={vm.id}>
                {vm.name}{' '}
                <span className="text-slate-500">on {inv.hosts[vm.hostId]?.name ?? '?'}</span>
              </li>
            ))}
          </ul>
        ) : (
          <p className="my-2">None of the selected VMs can take this action.</p>
        )}
        {plan.skipped.length > 0 && (
          <>
            <h3 className="mt-3 font-semibold">Skipped</h3>
            <ul aria-label="Skipped VMs" className="my-1 list-disc pl-5">
              {plan.skipped.map(({ vm, reason }) => (
                <li key={vm.id}>
                  {vm.name}: {reason}
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
      <div className="flex justify-end gap-2">
        <button data-cancel className={buttonClass} onClick={close}>
          Cancel
        </button>
        <button
          className={warning ? dangerButtonClass : primaryButtonClass}
          disabled={plan.run.length === 0}
          onClick={confirm}
        >
          {title}
        </button>
      </div>
    </Dialog>
  );
}
