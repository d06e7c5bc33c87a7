// A VM's snapshots as a tree (each under the one it was taken from), with
// take, revert and delete. Read from the node when the tab opens and again
// after each change, since libvirt announces no snapshot events.
import { useCallback, useEffect, useState } from 'react';
import type { Snapshot, Vm } from '../../../shared/model';
import { objectNameSchema } from '../../../shared/storage';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useInventory } from '../../state/inventory';
import { useNotices } from '../../state/notices';
import { useUi } from '../../state/ui';
import { buttonClass, primaryButtonClass } from '../../ui/Dialog';
import { InlineForm, TextField } from '../../ui/forms';
import type { SnapshotKind, SnapshotRefusals } from '../../../shared/vm';
import { SnapshotKindChoice } from './SnapshotKind';

/** What the snapshot holds, in a few words. */
function snapshotKeeps(s: Snapshot): string {
  if (s.storage === 'external') return '· disks only, in overlay files';
  return s.memory ? '· disks and memory' : s.storage ? '· disks' : '';
}

function SnapshotTree({
  all,
  parent,
  onRevert,
  onDelete,
}: {
  all: Snapshot[];
  parent: string;
  onRevert: (s: Snapshot) => void;
  onDelete: (s: Snapshot) => void;
}) {
  const children = all.filter((s) => s.parent === parent);
  if (!children.length) return null;
  return (
    <ul className={parent ? 'ml-5 border-l border-slate-300 pl-3 dark:border-slate-600' : ''}>
      {children.map((s) => (
        <li key={s.name} className="py-1">
          <div className="flex flex-wrap items-center gap-2">
            <span className="font-medium whitespace-pre-wrap">{s.name}</span>
            {s.current && (
              <span className="rounded bg-sky-100 px-1.5 text-xs text-sky-800 dark:bg-sky-900 dark:text-sky-200">
                current
              </span>
            )}
            <span className="text-slate-500">
              {new Date(s.createdAt * 1000).toLocaleString()} · taken while {s.state}
            </span>
            {s.description && <span className="text-slate-500">— {s.description}</span>}
            <span className="text-slate-500">{snapshotKeeps(s)}</span>
            <button
              className={buttonClass}
              aria-label={`Revert to ${s.name}`}
              disabled={!!s.cannotRevert}
              title={s.cannotRevert}
              onClick={() => onRevert(s)}
            >
              Revert…
            </button>
            <button
              className={buttonClass}
              aria-label={`Delete ${s.name}`}
              onClick={() => onDelete(s)}
            >
              Delete…
            </button>
          </div>
          {s.cannotRevert && <p className="text-[12px] text-slate-500">{s.cannotRevert}</p>}
          <SnapshotTree all={all} parent={s.name} onRevert={onRevert} onDelete={onDelete} />
        </li>
      ))}
    </ul>
  );
}

export function SnapshotsView({ vm }: { vm: Vm }) {
  const notify = useNotices((s) => s.push);
  const ask = useUi((s) => s.askConfirm);
  const [snapshots, setSnapshots] = useState<Snapshot[] | undefined>();
  const [error, setError] = useState('');
  const [taskId, setTaskId] = useState<string | undefined>();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [kind, setKind] = useState<SnapshotKind>('default');
  const [cannotCreate, setCannotCreate] = useState<SnapshotRefusals>({});
  const taskDone = useInventory((s) =>
    taskId ? (s.inv.tasks[taskId]?.state ?? 'running') !== 'running' : false,
  );

  const load = useCallback(() => {
    api.listSnapshots({ vmId: vm.id }).then(
      (r) => {
        setSnapshots(r.snapshots);
        setCannotCreate(r.cannotCreate);
        setError('');
      },
      (e: unknown) => setError(errorMessage(e)),
    );
  }, [vm.id]);

  useEffect(load, [load, vm.state]);
  useEffect(() => {
    if (taskDone) {
      setTaskId(undefined);
      load();
    }
  }, [taskDone, load]);

  const act = async (
    snapshot:
      | { op: 'create'; name: string; description: string; kind: SnapshotKind }
      | { op: 'revert'; name: string }
      | { op: 'delete'; name: string },
  ) => {
    try {
      const r = await api.snapshotAction({ vmId: vm.id, snapshot });
      setTaskId(r.taskId);
    } catch (e) {
      notify(errorMessage(e));
    }
  };

  const run = (snapshot: Parameters<typeof act>[0]) => void act(snapshot);

  const check = objectNameSchema.safeParse(name);
  return (
    <div className="space-y-4">
      <InlineForm
        label="Take a snapshot"
        onSubmit={() => {
          if (!check.success) return;
          run({ op: 'create', name: check.data, description: description.trim(), kind });
          setName('');
          setDescription('');
        }}
      >
        <TextField
          layout="inline"
          label="Snapshot name"
          value={name}
          placeholder="before-upgrade"
          onChange={setName}
          invalid={!!name && !check.success}
          error={name && !check.success && check.error.issues[0]?.message}
        />
        <TextField
          layout="inline"
          className="flex-1"
          label="Description (optional)"
          value={description}
          onChange={setDescription}
        />
        <button
          type="submit"
          className={primaryButtonClass}
          disabled={!check.success || !!taskId || !!cannotCreate[kind]}
        >
          Take snapshot
        </button>
      </InlineForm>
      <SnapshotKindChoice vm={vm} kind={kind} onChange={setKind} cannotCreate={cannotCreate} />
      {error && (
        <p role="alert" className="text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
      <section aria-label="Snapshots">
        {snapshots === undefined && !error && <p className="text-slate-500">Reading…</p>}
        {snapshots?.length === 0 && <p className="text-slate-500">No snapshots yet.</p>}
        {snapshots && (
          <SnapshotTree
            all={snapshots}
            parent=""
            onRevert={(s) =>
              ask({
                title: `Revert ${vm.name} to ${s.name}?`,
                body: `${vm.name} goes back to how it was when ${s.name} was taken (${s.state})${s.memory ? ', running, with its memory as it was' : ''}. Everything since then that is not in another snapshot is lost.`,
                confirmLabel: 'Revert',
                onConfirm: () => run({ op: 'revert', name: s.name }),
              })
            }
            onDelete={(s) =>
              ask({
                title: `Delete the snapshot ${s.name}?`,
                body: `The VM stays as it is; only this snapshot goes. Snapshots taken from it stay, attached to the one before.`,
                confirmLabel: 'Delete snapshot',
                onConfirm: () => run({ op: 'delete', name: s.name }),
              })
            }
          />
        )}
      </section>
    </div>
  );
}
