// The settings editor's NIC models: the device the guest sees for each
// interface. A definition change: the guest gets it at its next start.
import type { Vm } from '../../../shared/model';
import { NIC_MODELS, NIC_MODEL_LABELS } from '../../../shared/vm-change';
import { Select } from '../../ui/forms';

export function NicModels({
  vm,
  value,
  onChange,
}: {
  vm: Vm;
  value: Record<string, string>;
  onChange: (v: Record<string, string>) => void;
}) {
  if (vm.nics.length === 0) return null;
  return (
    <fieldset className="space-y-2">
      <legend className="mb-1 font-medium">Network interface models</legend>
      {vm.nics.map((n) => {
        const now = value[n.mac] ?? n.model;
        // A model outside the three offered (ne2k_pci, vmxnet3…) stays offered as it is.
        const models: string[] = [...NIC_MODELS];
        if (n.model && !models.includes(n.model)) models.push(n.model);
        return (
          <Select
            key={n.mac}
            label={`Model of ${n.mac}`}
            value={now}
            onChange={(m) => onChange({ ...value, [n.mac]: m })}
            options={[
              ...(n.model ? [] : [{ value: '', label: 'Hypervisor default' }]),
              ...models.map((m) => ({
                value: m,
                label: NIC_MODEL_LABELS[m as keyof typeof NIC_MODEL_LABELS] ?? m,
              })),
            ]}
          />
        );
      })}
      <p className="text-[12px] text-slate-500">
        A new model applies at the VM’s next start; the guest needs a driver for it.
      </p>
    </fieldset>
  );
}
