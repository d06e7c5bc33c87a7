// Edit storage ('storage-api', Proxmox VE): what a storage may hold, which
// nodes it is for and whether it is enabled, read from the cluster with the
// digest that guards the change; Review changes shows the call and what
// stands in the way, Apply starts the task.
import { useEffect, useState } from 'react';
import type { StoragePool } from '../../../shared/model';
import type { PlanStepView } from '../../../shared/storage';
import {
  STORAGE_CONTENT_LABELS,
  type StorageEdit,
  type StorageSettings,
} from '../../../shared/storage-api';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { Dialog } from '../../ui/Dialog';
import { Checkbox, RadioGroup } from '../../ui/forms';
import { ReviewCommands, ReviewFooter } from '../vms/SettingsReview';

/** Each setting that changes: what it was and what it becomes, in words. */
function changesOf(now: StorageSettings, edit: StorageEdit): [string, string, string][] {
  const contents = (c: readonly string[]) => c.join(', ') || 'none';
  const nodes = (n: readonly string[]) => (n.length ? n.join(', ') : 'every node');
  const enabled = (off: boolean) => (off ? 'disabled' : 'enabled');
  const rows: [string, string, string][] = [
    ['Content', contents(now.content), contents(edit.content)],
    ['Nodes', nodes(now.nodes), nodes([...edit.nodes].sort())],
    ['State', enabled(now.disabled), enabled(edit.disabled)],
  ];
  return rows.filter(([, a, b]) => a !== b);
}

const toggled = <T,>(list: readonly T[], item: T, on: boolean): T[] =>
  on ? [...list, item] : list.filter((x) => x !== item);

export function EditStorageDialog({ pool, onClose }: { pool: StoragePool; onClose: () => void }) {
  const [now, setNow] = useState<StorageSettings>();
  const [edit, setEdit] = useState<StorageEdit>();
  const [error, setError] = useState('');
  const [plan, setPlan] = useState<{ steps: PlanStepView[]; problems: string[] }>();
  const [applying, setApplying] = useState(false);
  /** Some nodes chosen (even while none is ticked yet), or every node. */
  const [someNodes, setSomeNodes] = useState(false);

  useEffect(() => {
    api.getStorageSettings({ poolId: pool.id }).then(
      (s) => {
        setNow(s);
        setEdit({ content: s.content, nodes: s.nodes, disabled: s.disabled, digest: s.digest });
        setSomeNodes(s.nodes.length > 0);
      },
      (e: unknown) => setError(errorMessage(e)),
    );
  }, [pool.id]);

  const set = (patch: Partial<StorageEdit>) => {
    setEdit((e) => (e ? { ...e, ...patch } : e));
    setPlan(undefined);
  };
  const review = () => {
    if (!edit) return;
    api
      .planStorageEdit({ poolId: pool.id, edit })
      .then(setPlan, (e: unknown) => setError(errorMessage(e)));
  };
  const apply = () => {
    if (!edit) return;
    setApplying(true);
    api.editStorage({ poolId: pool.id, edit }).then(onClose, (e: unknown) => {
      setApplying(false);
      setError(errorMessage(e));
    });
  };

  return (
    <Dialog title={`Edit storage ${pool.name}`} onClose={onClose} width="w-[36rem]">
      {!now || !edit ? (
        <p role={error ? 'alert' : 'status'} className="text-sm">
          {error || `Reading the settings of ${pool.name}…`}
        </p>
      ) : (
        <div className="space-y-3 text-sm">
          <p>
            {now.typeLabel} storage. Its {now.typeLabel} settings are fixed once made; these can
            change.
          </p>
          {plan ? (
            <section aria-label="Review" className="space-y-2">
              {plan.problems.length > 0 && (
                <ul role="alert" className="list-disc pl-5 text-red-700 dark:text-red-400">
                  {plan.problems.map((p) => (
                    <li key={p}>{p}</li>
                  ))}
                </ul>
              )}
              <table aria-label="Changes" className="text-left">
                <tbody>
                  {changesOf(now, edit).map(([what, was, becomes]) => (
                    <tr key={what}>
                      <th className="pr-3 font-medium">{what}</th>
                      <td>
                        {was} → {becomes}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <ReviewCommands steps={plan.steps} />
            </section>
          ) : (
            <>
              <fieldset className="space-y-1">
                <legend className="font-medium">Content</legend>
                <div role="group" aria-label="Content" className="grid grid-cols-2 gap-1">
                  {now.contents.map((c) => (
                    <Checkbox
                      key={c}
                      checked={edit.content.includes(c)}
                      onChange={(on) => set({ content: toggled(edit.content, c, on) })}
                    >
                      {STORAGE_CONTENT_LABELS[c]}
                    </Checkbox>
                  ))}
                </div>
              </fieldset>
              <RadioGroup
                legend="Nodes"
                value={someNodes ? 'some' : 'all'}
                onChange={(v) => {
                  setSomeNodes(v === 'some');
                  set({ nodes: v === 'all' ? [] : now.nodes });
                }}
                options={[
                  { value: 'all', label: 'Every node of the cluster' },
                  { value: 'some', label: 'The nodes ticked below' },
                ]}
                className="space-y-1"
              >
                {someNodes && (
                  <div role="group" aria-label="Nodes it is for" className="ml-6 flex gap-3">
                    {now.clusterNodes.map((n) => (
                      <Checkbox
                        key={n}
                        checked={edit.nodes.includes(n)}
                        onChange={(on) => set({ nodes: toggled(edit.nodes, n, on).sort() })}
                      >
                        {n}
                      </Checkbox>
                    ))}
                  </div>
                )}
              </RadioGroup>
              <Checkbox checked={!edit.disabled} onChange={(on) => set({ disabled: !on })}>
                Enabled
              </Checkbox>
            </>
          )}
          {error && (
            <p role="alert" className="text-red-700 dark:text-red-400">
              {error}
            </p>
          )}
        </div>
      )}
      <ReviewFooter
        reviewing={!!plan}
        canReview={!!edit && edit.content.length > 0 && (!someNodes || edit.nodes.length > 0)}
        canApply={!!plan && plan.problems.length === 0 && !applying}
        onCancel={onClose}
        onReview={review}
        onBack={() => setPlan(undefined)}
        onApply={apply}
      />
    </Dialog>
  );
}
