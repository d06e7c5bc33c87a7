// Edit settings of a VM its cluster places (Ganeti) or its stack's API
// edits (Proxmox VE): memory (maximum and minimum), vCPUs, each NIC's link,
// a new NIC, each disk's size (grow only), and where the stack has them the
// name, notes, start at boot and sockets. The first values are what the
// cluster says now; Review lists each change before → after, says which
// wait for the VM's next start, and shows the exact commands; Apply runs
// them in one task (a config digest, where the stack has one, refuses an
// edit made meanwhile elsewhere).
import { useEffect, useState } from 'react';
import type { InstanceChange, InstanceNow, InstanceSettings } from '../../../shared/instance';
import type { PlanStepView } from '../../../shared/storage';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useInventory } from '../../state/inventory';
import { useNotices } from '../../state/notices';
import { useUi } from '../../state/ui';
import { Dialog } from '../../ui/Dialog';
import { ReviewCommands, ReviewFooter } from './SettingsReview';
import { Checkbox, TextArea, TextField } from '../../ui/forms';

const NO_CHANGE: InstanceSettings = { nicLinks: [], addNics: [], growDisks: [] };

interface Review {
  changes: InstanceChange[];
  steps: PlanStepView[];
  problems: string[];
}

export function InstanceSettingsDialog({ vmId }: { vmId: string }) {
  const vm = useInventory((s) => s.inv.vms[vmId]);
  const notify = useNotices((s) => s.push);
  const close = () => useUi.getState().setVmDialog(undefined);
  const [now, setNow] = useState<InstanceNow | { error: string } | undefined>();
  const [maxmem, setMaxmem] = useState('');
  const [minmem, setMinmem] = useState('');
  const [vcpus, setVcpus] = useState('');
  const [links, setLinks] = useState<string[]>([]);
  const [disks, setDisks] = useState<string[]>([]);
  const [addNic, setAddNic] = useState(false);
  const [newLink, setNewLink] = useState('');
  const [name, setName] = useState('');
  const [notes, setNotes] = useState('');
  const [onboot, setOnboot] = useState(false);
  const [sockets, setSockets] = useState('');
  const [review, setReview] = useState<Review | undefined>();
  const [busy, setBusy] = useState(false);

  // What the master says now: an empty change's plan carries it.
  useEffect(() => {
    let live = true;
    api.planInstanceSettings({ vmId, settings: NO_CHANGE }).then(
      ({ now: n }) => {
        if (!live) return;
        setNow(n);
        setMaxmem(String(n.maxMemoryMiB));
        setMinmem(String(n.minMemoryMiB));
        setVcpus(String(n.vcpus));
        setLinks(n.nicLinks);
        setNewLink(n.nicLinks[0] ?? 'br0');
        setDisks(n.diskSizesMiB.map(String));
        setName(n.name ?? '');
        setNotes(n.notes ?? '');
        setOnboot(!!n.onboot);
        setSockets(n.sockets !== undefined ? String(n.sockets) : '');
      },
      (e: unknown) => live && setNow({ error: errorMessage(e) }),
    );
    return () => {
      live = false;
    };
  }, [vmId]);
  if (!vm) return null;
  const cur = now && 'running' in now ? now : undefined;

  const settings = (): InstanceSettings => ({
    maxMemoryMiB: Number(maxmem),
    ...(cur?.noMinMemory ? {} : { minMemoryMiB: Number(minmem) }),
    vcpus: Number(vcpus),
    nicLinks: links.map((link, index) => ({ index, link: link.trim() })),
    addNics: addNic ? [{ link: newLink.trim() }] : [],
    growDisks: disks.map((d, index) => ({ index, toMiB: Number(d) })),
    ...(cur?.name !== undefined ? { name: name.trim() } : {}),
    ...(cur?.notes !== undefined ? { notes } : {}),
    ...(cur?.onboot !== undefined ? { onboot } : {}),
    ...(cur?.sockets !== undefined ? { sockets: Number(sockets) } : {}),
    ...(cur?.digest ? { digest: cur.digest } : {}),
  });
  const act = async (fn: () => Promise<void>) => {
    setBusy(true);
    try {
      await fn();
    } catch (e) {
      notify(errorMessage(e));
    }
    setBusy(false);
  };
  const doReview = () =>
    act(async () => setReview(await api.planInstanceSettings({ vmId, settings: settings() })));
  const apply = () =>
    act(async () => {
      await api.applyInstanceSettings({ vmId, settings: settings() });
      close();
    });

  return (
    <Dialog title={`Settings of ${vm.name}`} onClose={close} width="w-[44rem]">
      <div className="max-h-[65vh] space-y-3 overflow-auto pr-1">
        {!now && <p className="text-slate-500">Reading {vm.name}’s settings from its cluster…</p>}
        {now && 'error' in now && (
          <p role="alert" className="text-red-700 dark:text-red-400">
            {now.error}
          </p>
        )}
        {cur && !review && (
          <>
            {cur.name !== undefined && (
              <TextField label="Name" value={name} spellCheck={false} onChange={setName} />
            )}
            <div className="grid grid-cols-3 gap-3">
              <TextField
                label={cur.sockets !== undefined ? 'Cores per socket' : 'vCPUs'}
                type="number"
                value={vcpus}
                onChange={setVcpus}
              />
              {cur.sockets !== undefined && (
                <TextField label="Sockets" type="number" value={sockets} onChange={setSockets} />
              )}
              <TextField label="Memory (MiB)" type="number" value={maxmem} onChange={setMaxmem} />
              {!cur.noMinMemory && (
                <TextField
                  label="Minimum memory (MiB)"
                  type="number"
                  value={minmem}
                  onChange={setMinmem}
                />
              )}
            </div>
            {cur.onboot !== undefined && (
              <Checkbox checked={onboot} onChange={setOnboot}>
                Start at boot
              </Checkbox>
            )}
            {cur.notes !== undefined && (
              <TextArea label="Notes" value={notes} rows={3} onChange={setNotes} />
            )}
            {links.map((l, i) => (
              <TextField
                key={i}
                label={cur.nicLabels?.[i] ?? `NIC ${i} link`}
                value={l}
                spellCheck={false}
                onChange={(v) => setLinks(links.map((x, j) => (j === i ? v : x)))}
              />
            ))}
            <Checkbox checked={addNic} onChange={setAddNic}>
              Add a NIC
            </Checkbox>
            {addNic && (
              <TextField
                label="New NIC link"
                value={newLink}
                spellCheck={false}
                onChange={setNewLink}
              />
            )}
            {disks.map((d, i) => (
              <TextField
                key={i}
                label={cur.diskLabels?.[i] ?? `Disk ${i} size (MiB)`}
                type="number"
                value={d}
                onChange={(v) => setDisks(disks.map((x, j) => (j === i ? v : x)))}
              />
            ))}
            <p className="text-sm text-slate-500">
              Disks only grow. The review says which changes of a running VM take effect at its next
              start.
            </p>
          </>
        )}
        {review && (
          <section aria-label="Review">
            {review.problems.length > 0 && (
              <ul role="alert" className="mb-2 list-disc pl-5 text-red-700 dark:text-red-400">
                {review.problems.map((p) => (
                  <li key={p}>{p}</li>
                ))}
              </ul>
            )}
            {review.changes.length === 0 ? (
              <p>Nothing changes.</p>
            ) : (
              <>
                <h3 className="font-medium">Changes</h3>
                <ul aria-label="Changes" className="my-2 list-disc pl-5 text-sm">
                  {review.changes.map((c) => (
                    <li key={c.what}>
                      {c.what}: {c.before} → {c.after}
                      {c.atNextStart && ' (takes effect at the next start)'}
                    </li>
                  ))}
                </ul>
                {review.changes.some((c) => c.atNextStart) && (
                  <p className="mb-2 text-amber-700 dark:text-amber-400">
                    {vm.name} is running: its cluster applies these at its next start; reboot it to
                    use them now.
                  </p>
                )}
                <ReviewCommands steps={review.steps} />
              </>
            )}
          </section>
        )}
      </div>
      <ReviewFooter
        reviewing={!!review}
        canReview={!busy && !!cur}
        canApply={!!review && !busy && review.steps.length > 0 && review.problems.length === 0}
        onCancel={close}
        onReview={() => void doReview()}
        onBack={() => setReview(undefined)}
        onApply={() => void apply()}
      />
    </Dialog>
  );
}
