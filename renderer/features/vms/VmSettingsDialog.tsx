// The VM settings editor: vCPUs, memory, autostart, boot order, and disks
// or network interfaces to add or remove. Review shows the definition's diff
// and the exact commands before anything is applied.
import { useState } from 'react';
import { BOOT_DEVICES, vmSettingsSchema, type VmSettings } from '../../../shared/vm';
import type { PlanStepView } from '../../../shared/storage';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useInventory } from '../../state/inventory';
import { useNotices } from '../../state/notices';
import { useUi } from '../../state/ui';
import { Dialog } from '../../ui/Dialog';
import { ReviewCommands, ReviewFooter } from './SettingsReview';
import { Checkbox, Select, TextField } from '../../ui/forms';
import { AddDisks, AddNics, type DiskAdd, type NicAdd } from './AddDevices';
import { NicModels } from './NicModels';

const BOOT_LABELS: Record<string, string> = {
  '': 'Nothing',
  hd: 'Disk',
  cdrom: 'CD-ROM',
  network: 'Network (PXE)',
};

export function VmSettingsDialog({ vmId }: { vmId: string }) {
  const vm = useInventory((s) => s.inv.vms[vmId]);
  const notify = useNotices((s) => s.push);
  const close = () => useUi.getState().setVmDialog(undefined);
  const [vcpus, setVcpus] = useState(String(vm?.vcpus ?? 1));
  const [memory, setMemory] = useState(String(Math.round((vm?.memoryKiB ?? 1024 * 1024) / 1024)));
  const [autostart, setAutostart] = useState(vm?.autostart ?? false);
  const [changeBoot, setChangeBoot] = useState(false);
  const [boot, setBoot] = useState<string[]>(['hd', '', '']);
  const [removeDisks, setRemoveDisks] = useState<Set<string>>(new Set());
  const [removeNics, setRemoveNics] = useState<Set<string>>(new Set());
  const [addDisks, setAddDisks] = useState<DiskAdd[]>([]);
  const [addNics, setAddNics] = useState<NicAdd[]>([]);
  const [nicModels, setNicModels] = useState<Record<string, string>>({});
  const [addCdrom, setAddCdrom] = useState(false);
  const [review, setReview] = useState<
    { diff: string; steps: PlanStepView[]; note?: string | undefined } | undefined
  >();
  const [busy, setBusy] = useState(false);
  if (!vm) return null;

  const settings = {
    vcpus: Number(vcpus),
    memoryMiB: Number(memory),
    autostart,
    ...(changeBoot ? { bootOrder: boot.filter(Boolean) } : {}),
    removeDisks: [...removeDisks],
    removeNics: [...removeNics],
    nicModels: Object.entries(nicModels)
      .filter(([mac, model]) => vm.nics.find((n) => n.mac === mac)?.model !== model)
      .map(([mac, model]) => ({ mac, model })),
    addCdrom,
    addDisks,
    addNics,
  };
  const check = vmSettingsSchema.safeParse(settings);
  const problem = check.success ? undefined : check.error.issues[0];
  const toggle = (set: Set<string>, v: string, on: boolean) => {
    const n = new Set(set);
    if (on) n.add(v);
    else n.delete(v);
    return n;
  };

  const doReview = async () => {
    setBusy(true);
    try {
      setReview(await api.planVmSettings({ vmId: vm.id, settings: settings as VmSettings }));
    } catch (e) {
      notify(errorMessage(e));
    }
    setBusy(false);
  };
  const apply = async () => {
    setBusy(true);
    try {
      await api.applyVmSettings({ vmId: vm.id, settings: settings as VmSettings });
      close();
    } catch (e) {
      notify(errorMessage(e));
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Settings of ${vm.name}`} onClose={close} width="w-[44rem]">
      <div className="max-h-[65vh] space-y-3 overflow-auto pr-1">
        {!review ? (
          <>
            <div className="grid grid-cols-2 gap-3">
              <TextField label="vCPUs" type="number" value={vcpus} onChange={setVcpus} />
              <TextField label="Memory (MiB)" type="number" value={memory} onChange={setMemory} />
            </div>
            <Checkbox checked={autostart} onChange={setAutostart}>
              Start with the node
            </Checkbox>
            <Checkbox checked={changeBoot} onChange={setChangeBoot}>
              Change the boot order
            </Checkbox>
            <fieldset
              className="grid grid-cols-3 gap-2"
              disabled={!changeBoot}
              hidden={!changeBoot}
            >
              <legend className="sr-only">Boot order</legend>
              {[0, 1, 2].map((i) => (
                <Select
                  key={i}
                  label={`${['First', 'Second', 'Third'][i]} boot device`}
                  value={boot[i]!}
                  onChange={(v) => setBoot(boot.map((b, j) => (j === i ? v : b)))}
                  options={['', ...BOOT_DEVICES].map((d) => ({ value: d, label: BOOT_LABELS[d]! }))}
                />
              ))}
            </fieldset>
            {vm.disks.length > 0 && (
              <fieldset>
                <legend className="mb-1 font-medium">Detach disks (their volumes stay)</legend>
                {vm.disks.map((d) => (
                  <Checkbox
                    key={d.target}
                    checked={removeDisks.has(d.target)}
                    onChange={(on) => setRemoveDisks(toggle(removeDisks, d.target, on))}
                  >
                    Detach {d.target} ({d.device}: {d.source || 'empty'})
                  </Checkbox>
                ))}
              </fieldset>
            )}
            {vm.nics.length > 0 && (
              <fieldset>
                <legend className="mb-1 font-medium">Remove network interfaces</legend>
                {vm.nics.map((n) => (
                  <Checkbox
                    key={n.mac}
                    checked={removeNics.has(n.mac)}
                    onChange={(on) => setRemoveNics(toggle(removeNics, n.mac, on))}
                  >
                    Remove {n.mac} ({n.type} {n.source})
                  </Checkbox>
                ))}
              </fieldset>
            )}
            <NicModels vm={vm} value={nicModels} onChange={setNicModels} />
            <AddDisks vm={vm} value={addDisks} onChange={setAddDisks} />
            {!vm.disks.some((d) => d.device === 'cdrom') && (
              <Checkbox checked={addCdrom} onChange={setAddCdrom}>
                Add a CD/DVD drive (empty; insert an ISO from the General tab)
              </Checkbox>
            )}
            <AddNics vm={vm} value={addNics} onChange={setAddNics} />
            {problem && (
              <p role="alert" className="text-sm text-red-600 dark:text-red-400">
                {problem.message}
              </p>
            )}
          </>
        ) : (
          <section aria-label="Review">
            {review.note && (
              <p className="mb-2 text-amber-700 dark:text-amber-400">{review.note}</p>
            )}
            {review.steps.length === 0 ? (
              <p>Nothing changes.</p>
            ) : (
              <>
                <h3 className="font-medium">Changes to the definition</h3>
                <pre
                  aria-label="Definition diff"
                  className="my-2 max-h-64 overflow-auto rounded bg-slate-100 p-2 text-xs dark:bg-slate-900"
                >
                  {review.diff}
                </pre>
                <ReviewCommands steps={review.steps} />
              </>
            )}
          </section>
        )}
      </div>
      <ReviewFooter
        reviewing={!!review}
        canReview={!busy && !problem}
        canApply={!!review && !busy && review.steps.length > 0}
        onCancel={close}
        onReview={() => void doReview()}
        onBack={() => setReview(undefined)}
        onApply={() => void apply()}
      />
    </Dialog>
  );
}
