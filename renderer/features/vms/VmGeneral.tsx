import { hasCapability, type Vm } from '../../../shared/model';
import { useInventory } from '../../state/inventory';
import { VM_STATE_WORDS, formatKiB } from '../../ui/format';
import { Facts } from '../../ui/Facts';
import { buttonClass } from '../../ui/Dialog';
import { useUi } from '../../state/ui';
import { offersDialog, useVmJob } from './vmActions';
import { VmTags } from './VmTags';
import { VmDevices } from './VmDevices';
import { GuestFacts } from './GuestFacts';
import { VmHa } from './VmHa';

export function VmGeneral({ vm }: { vm: Vm }) {
  const host = useInventory((s) => s.inv.hosts[vm.hostId]);
  const job = useVmJob(vm);
  const busyTitle = job ? `${job}: wait for it to end` : undefined;
  const g = vm.graphics[0];
  const offers = (kind: 'settings' | 'clone' | 'delete' | 'migrate') => offersDialog(host, kind);
  const open = (kind: 'settings' | 'clone' | 'delete' | 'migrate') =>
    useUi.getState().setVmDialog({ kind, vmId: vm.id });
  return (
    <div className="space-y-4">
      <div role="toolbar" aria-label="VM" className="flex gap-1">
        {offers('settings') && (
          <button
            className={buttonClass}
            disabled={!!job}
            title={busyTitle}
            onClick={() => open('settings')}
          >
            Edit settings…
          </button>
        )}
        {offers('migrate') && (
          <button
            className={buttonClass}
            disabled={!!job}
            title={busyTitle}
            onClick={() => open('migrate')}
          >
            Migrate…
          </button>
        )}
        {offers('clone') && (
          <button
            className={buttonClass}
            disabled={!!job || vm.state !== 'shutoff'}
            title={
              busyTitle ?? (vm.state !== 'shutoff' ? 'Shut the VM down to clone it' : undefined)
            }
            onClick={() => open('clone')}
          >
            Clone…
          </button>
        )}
        {offers('delete') && (
          <button
            className={buttonClass}
            disabled={!!job}
            title={busyTitle}
            onClick={() => open('delete')}
          >
            Delete VM…
          </button>
        )}
      </div>
      <Facts
        rows={[
          ['Name', vm.name],
          ['UUID', vm.uuid],
          // Not the Paused an incoming copy reports: what is happening to it.
          ['State', job ?? VM_STATE_WORDS[vm.state]],
          // A cluster-managed VM (Ganeti) lives on its primary node, not the node it was read through.
          // A guest with a kind (Proxmox VE) says that and its node: it has no disk template or OS definition.
          ...(vm.placement && vm.kind
            ? ([
                ['Kind', vm.kind === 'container' ? 'Container' : 'Virtual machine'],
                ['Node', vm.placement.primary],
              ] satisfies [string, string][])
            : vm.placement
              ? ([
                  ['Primary node', vm.placement.primary],
                  ['Secondary nodes', vm.placement.secondaries.join(', ') || '—'],
                  ['Disk template', vm.placement.diskTemplate],
                  ['OS', vm.placement.os],
                ] satisfies [string, string][])
              : ([['Node', host?.name ?? '—']] satisfies [string, string][])),
          ['vCPUs', String(vm.vcpus)],
          ['Memory', formatKiB(vm.memoryKiB)],
          ['Autostart', vm.autostart ? 'Yes' : 'No'],
          [
            'Notes',
            <span key="notes" aria-label="Notes" className="whitespace-pre-wrap">
              {vm.description || '—'}
            </span>,
          ],
          [
            'Console',
            g
              ? `${g.type.toUpperCase()} on ${g.listen || 'all addresses'}${g.port > 0 ? `:${g.port}` : ''}`
              : 'None',
          ],
        ]}
      />
      <VmHa vm={vm} busy={!!job} />
      {host && hasCapability(host, 'vm-edit') && <VmTags vm={vm} disabled={!!job} />}
      {host && hasCapability(host, 'guest-agent') && <GuestFacts key={vm.id} vm={vm} />}
      <VmDevices vm={vm} editable={!!host && hasCapability(host, 'vm-edit')} busy={busyTitle} />
    </div>
  );
}
