// A pool's volumes: who uses each, and create, resize, clone, download and
// delete, every change as a task.
import { useState } from 'react';
import type { StoragePool, Volume } from '../../../shared/model';
import { objectNameSchema, volumeFormatsFor, type VolumeFormat } from '../../../shared/storage';
import { namesOfUsers, snapshotUseSentence, usedBy, volumeUsers } from '../../../shared/volume-use';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useInventory } from '../../state/inventory';
import { useNotices } from '../../state/notices';
import { useUi } from '../../state/ui';
import { buttonClass, primaryButtonClass } from '../../ui/Dialog';
import { Table } from '../../ui/Facts';
import { formatBytes } from '../../ui/format';
import { InlineForm, Select, TextField, inlineInputClass } from '../../ui/forms';
import { parseSize } from '../../../shared/units';
import { useRun } from './poolRun';
import { MenuItem, TreeMenu } from '../tree/TreeMenu';

const MIB = 2 ** 20;

type Editing = { op: 'resize' | 'clone'; volume: string; value: string } | undefined;

/**
 * Saves a volume to this computer: streamed to the file the user picks where
 * the page may (File System Access), else gathered into a blob and saved.
 * The task shows progress either way.
 */
async function download(pool: StoragePool, name: string, notify: (m: string) => void) {
  type Picker = (o: { suggestedName: string }) => Promise<{
    createWritable(): Promise<WritableStream<Uint8Array>>;
  }>;
  const picker = (window as unknown as { showSaveFilePicker?: Picker }).showSaveFilePicker;
  try {
    const target = picker
      ? await (await picker({ suggestedName: name })).createWritable()
      : undefined;
    const { url } = await api.startDownload({ poolId: pool.id, volume: name });
    const res = await fetch(url);
    if (!res.ok || !res.body) throw new Error(`The download failed (HTTP ${res.status}).`);
    if (target) {
      await res.body.pipeTo(target);
      return;
    }
    const blobUrl = URL.createObjectURL(await res.blob());
    const a = document.createElement('a');
    a.href = blobUrl;
    a.download = name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(blobUrl), 10_000);
  } catch (e) {
    if ((e as Error).name !== 'AbortError') notify(errorMessage(e));
  }
}

export function Volumes({ pool }: { pool: StoragePool }) {
  const run = useRun();
  const notify = useNotices((s) => s.push);
  const ask = useUi((s) => s.askConfirm);
  const [name, setName] = useState('');
  const [size, setSize] = useState('1G');
  const formats = volumeFormatsFor(pool.type);
  const [chosenFormat, setFormat] = useState<VolumeFormat>('qcow2');
  const format = formats.includes(chosenFormat) ? chosenFormat : (formats[0] ?? chosenFormat);
  const [editing, setEditing] = useState<Editing>();
  const [menu, setMenu] = useState<{ volume: string; x: number; y: number }>();
  const nameCheck = objectNameSchema.safeParse(name);
  const nameError = name && !nameCheck.success ? nameCheck.error.issues[0]?.message : undefined;
  const bytes = parseSize(size);
  const running = pool.state === 'running';
  const vms = Object.values(useInventory((s) => s.inv.vms));

  /** A volume's actions, for its row's buttons and its context menu alike. */
  const actionsOf = (v: Volume) => {
    const users = volumeUsers(pool, v, vms);
    const runningUsers = users.filter((u) => u.running);
    return {
      users,
      resize: () =>
        setEditing({ op: 'resize', volume: v.name, value: `${Math.ceil(v.capacity / MIB)}M` }),
      clone: () => setEditing({ op: 'clone', volume: v.name, value: `${v.name}-clone` }),
      download:
        pool.type === 'dir' || pool.type === 'netfs'
          ? () => void download(pool, v.name, notify)
          : undefined,
      // A running VM has the volume open: the main process refuses too.
      deleteBlocked: runningUsers.length
        ? `In use by ${runningUsers.map((u) => u.vm).join(', ')}, running: shut down first.`
        : undefined,
      delete: async () => {
        // Snapshots are read from the node only now (they are not in the inventory).
        const kept = await api.volumeSnapshotUsers({ poolId: pool.id, volume: v.name }).then(
          (r) => snapshotUseSentence(r.users),
          (e: unknown) => `Its snapshots could not be checked: ${errorMessage(e)}`,
        );
        ask({
          title: `Delete the volume ${v.name}?`,
          body: [
            `Its data is erased from ${pool.name}.`,
            users.length
              ? `It is a disk of ${namesOfUsers(users)}, which will not start without it.`
              : kept
                ? ''
                : 'No VM on this node uses it.',
            kept,
          ]
            .filter(Boolean)
            .join(' '),
          confirmLabel: 'Delete volume',
          onConfirm: () =>
            void run.volume({ poolId: pool.id, volume: { op: 'delete', name: v.name } }),
        });
      },
    };
  };

  const row = (v: Volume) => {
    const act = actionsOf(v);
    // Names and paths as the node has them: spaces kept, not folded by HTML.
    return [
      <span className="whitespace-pre-wrap">{v.name}</span>,
      v.type,
      formatBytes(v.capacity),
      formatBytes(v.allocation),
      <span className="break-all whitespace-pre-wrap">{v.path}</span>,
      usedBy(pool, v, vms) || <span className="text-slate-500">—</span>,
      <span className="flex gap-1">
        <button className={buttonClass} aria-label={`Resize ${v.name}`} onClick={act.resize}>
          Resize…
        </button>
        <button className={buttonClass} aria-label={`Clone ${v.name}`} onClick={act.clone}>
          Clone…
        </button>
        {act.download && (
          <button className={buttonClass} aria-label={`Download ${v.name}`} onClick={act.download}>
            Download
          </button>
        )}
        <button
          className={buttonClass}
          aria-label={`Delete ${v.name}`}
          disabled={!!act.deleteBlocked}
          title={act.deleteBlocked}
          onClick={() => void act.delete()}
        >
          Delete…
        </button>
      </span>,
    ];
  };
  const menuVolume = menu && pool.volumes.find((v) => v.name === menu.volume);
  const menuActs = menuVolume && actionsOf(menuVolume);
  const closeMenu = () => setMenu(undefined);

  return (
    <div className="space-y-2">
      <Table
        caption="Volumes"
        head={['Name', 'Type', 'Capacity', 'Allocation', 'Path', 'Used by', 'Actions']}
        rows={pool.volumes.map(row)}
        onRowMenu={(i, at) => {
          const v = pool.volumes[i];
          if (v) setMenu({ volume: v.name, ...at });
        }}
      />
      {menu && menuActs && (
        <TreeMenu name={`Actions for ${menu.volume}`} x={menu.x} y={menu.y} onClose={closeMenu}>
          <MenuItem label="Resize…" onSelect={menuActs.resize} onClose={closeMenu} />
          <MenuItem label="Clone…" onSelect={menuActs.clone} onClose={closeMenu} />
          {menuActs.download && (
            <MenuItem label="Download" onSelect={menuActs.download} onClose={closeMenu} />
          )}
          <div role="separator" className="my-1 border-t border-slate-300 dark:border-slate-600" />
          <MenuItem
            label="Delete…"
            disabled={!!menuActs.deleteBlocked}
            onSelect={() => void menuActs.delete()}
            onClose={closeMenu}
          />
        </TreeMenu>
      )}
      {editing && (
        <InlineForm
          label={editing.op === 'resize' ? 'Resize volume' : 'Clone volume'}
          onSubmit={() => {
            if (editing.op === 'resize') {
              const b = parseSize(editing.value);
              if (!b) return;
              void run.volume({
                poolId: pool.id,
                volume: { op: 'resize', name: editing.volume, bytes: b },
              });
            } else {
              void run.volume({
                poolId: pool.id,
                volume: { op: 'clone', name: editing.volume, newName: editing.value.trim() },
              });
            }
            setEditing(undefined);
          }}
        >
          <TextField
            layout="inline"
            label={
              editing.op === 'resize'
                ? `New size of ${editing.volume}`
                : `Name of the copy of ${editing.volume}`
            }
            value={editing.value}
            onChange={(value) => setEditing({ ...editing, value })}
          />
          <button type="submit" className={primaryButtonClass}>
            {editing.op === 'resize' ? 'Resize' : 'Clone'}
          </button>
          <button type="button" className={buttonClass} onClick={() => setEditing(undefined)}>
            Cancel
          </button>
        </InlineForm>
      )}
      {formats.length === 0 ? (
        <p className="text-sm text-slate-500">
          The volumes of this pool are its target&rsquo;s LUNs: add one on the target, then refresh
          the pool.
        </p>
      ) : (
        <InlineForm
          label="New volume"
          onSubmit={() => {
            if (!nameCheck.success || !bytes) return;
            void run.volume({
              poolId: pool.id,
              volume: { op: 'create', name: nameCheck.data, bytes, format },
            });
            setName('');
          }}
        >
          <TextField
            layout="inline"
            label="Volume name"
            value={name}
            placeholder="disk1.qcow2"
            onChange={setName}
            error={nameError}
          />
          <TextField
            layout="inline"
            label="Size"
            controlClass={`${inlineInputClass} w-24`}
            value={size}
            onChange={setSize}
            invalid={!bytes}
            // One message at a time: the name's first.
            error={!nameError && size && !bytes && 'A size such as 512M, 20G or 1.5T.'}
          />
          <Select
            layout="inline"
            label="Format"
            value={format}
            onChange={(v) => setFormat(v as VolumeFormat)}
            options={formats.map((f) => ({ value: f, label: f }))}
          />
          <button
            type="submit"
            className={primaryButtonClass}
            disabled={!running || !nameCheck.success || !bytes}
          >
            Create volume
          </button>
        </InlineForm>
      )}
    </div>
  );
}
