// A VM's tags on its General tab: each with a Remove button, and a field to
// add one. Tags are checked with the contract's schema as they are typed and
// sent as a list of words; each change is a task that shows its command.
import { useEffect, useState } from 'react';
import type { Vm } from '../../../shared/model';
import { vmTagSchema, vmTagsSchema } from '../../../shared/tags';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useInventory } from '../../state/inventory';
import { useNotices } from '../../state/notices';

/** Resolves once the task has ended, whatever its outcome (or after a minute, if it is cleared unseen). */
function waitForTask(taskId: string): Promise<void> {
  return new Promise((resolve) => {
    const ended = () => {
      const t = useInventory.getState().inv.tasks[taskId];
      return !!t && t.state !== 'running';
    };
    if (ended()) return resolve();
    const done = () => {
      off();
      clearTimeout(timer);
      resolve();
    };
    const off = useInventory.subscribe(() => ended() && done());
    const timer = setTimeout(done, 60_000);
  });
}
import { buttonClass, primaryButtonClass } from '../../ui/Dialog';
import { InlineForm, TextField } from '../../ui/forms';

export function VmTags({ vm, disabled }: { vm: Vm; disabled: boolean }) {
  const notify = useNotices((s) => s.push);
  const [tag, setTag] = useState('');
  // The list being saved: shown, and the controls wait, until the inventory
  // has it, so a second click builds on the first instead of on stale tags.
  const [pending, setPending] = useState<string[]>();
  const saved = (vm.tags ?? []).join(' ');
  useEffect(() => setPending(undefined), [saved]);
  const tags = pending ?? vm.tags ?? [];
  const busy = disabled || pending !== undefined;
  const check = vmTagSchema.safeParse(tag.trim());
  const duplicate = check.success && tags.includes(check.data);
  const error = !tag
    ? undefined
    : !check.success
      ? check.error.issues[0]?.message
      : duplicate
        ? `${vm.name} already has the tag ${check.data}.`
        : undefined;

  const save = (next: string[]) => {
    const list = vmTagsSchema.safeParse(next);
    if (!list.success) {
      notify(list.error.issues[0]?.message ?? 'Those tags cannot be saved.');
      return;
    }
    setPending(list.data);
    api.setVmTags({ vmId: vm.id, tags: list.data }).then(
      // A task that fails changes nothing: the saved list shows again.
      ({ taskId }) => void waitForTask(taskId).then(() => setPending(undefined)),
      (e: unknown) => {
        setPending(undefined);
        notify(errorMessage(e));
      },
    );
  };

  return (
    <section aria-label="Tags" className="space-y-2">
      <h2 className="font-semibold">Tags</h2>
      {tags.length === 0 ? (
        <p className="text-slate-500">No tags. Tags group VMs: filter the tree with tag:name.</p>
      ) : (
        <ul aria-label="Tags of the VM" className="flex flex-wrap gap-1.5">
          {tags.map((t) => (
            <li
              key={t}
              className="flex items-center gap-1 rounded bg-slate-200 py-0.5 pr-0.5 pl-2 dark:bg-slate-700"
            >
              {t}
              <button
                className="rounded px-1 hover:bg-slate-300 disabled:opacity-40 dark:hover:bg-slate-600"
                aria-label={`Remove tag ${t}`}
                title={`Remove tag ${t}`}
                disabled={busy}
                onClick={() => save(tags.filter((x) => x !== t))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <InlineForm
        label="Add a tag"
        onSubmit={() => {
          if (!check.success || duplicate) return;
          save([...tags, check.data]);
          setTag('');
        }}
      >
        <TextField
          layout="inline"
          label="New tag"
          value={tag}
          placeholder="web"
          onChange={setTag}
          invalid={!!error}
          error={error}
          disabled={busy}
        />
        <button
          type="submit"
          className={tag ? primaryButtonClass : buttonClass}
          disabled={busy || !check.success || duplicate}
        >
          Add tag
        </button>
      </InlineForm>
    </section>
  );
}
