// A storage pool's General tab: facts, usage, pool actions, and its volumes
// with create, resize, clone and delete. Every change runs as a task.
import { useId, useRef, useState } from 'react';
import type { Params } from '../../../shared/api';
import type { StoragePool, Volume } from '../../../shared/model';
import { objectNameSchema, volumeFormatsFor, type VolumeFormat } from '../../../shared/storage';
import { namesOfUsers, snapshotUseSentence, volumeUsers } from '../../../shared/volume-use';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useAppInfo } from '../../state/appInfo';
import { useInventory } from '../../state/inventory';
import { useNotices } from '../../state/notices';
import { useUi } from '../../state/ui';
import { buttonClass, primaryButtonClass } from '../../ui/Dialog';
import { Facts, Table } from '../../ui/Facts';
import { formatBytes, percent } from '../../ui/format';

const input =
  'rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-500 dark:bg-slate-900';
const MIB = 2 ** 20;

function useRun() {
  const notify = useNotices((s) => s.push);
  return {
    pool: (p: Params<'poolAction'>) =>
      api.poolAction(p).catch((e: unknown) => notify(errorMessage(e))),
    volume: (p: Params<'volumeAction'>) =>
      api.volumeAction(p).catch((e: unknown) => notify(errorMessage(e))),
  };
}

/** Sizes as people type them: 512M, 20G, 1.5T, or plain MiB. */
export function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = { '': MIB, K: 2 ** 10, M: MIB, G: 2 ** 30, T: 2 ** 40 }[m[2]!.toUpperCase()]!;
  const bytes = Math.round(Number(m[1]) * unit);
  return bytes > 0 ? bytes : undefined;
}

function PoolActions({ pool }: { pool: StoragePool }) {
  const run = useRun();
  const node = useInventory((s) => s.inv.hosts[pool.hostId]?.name ?? 'its node');
  const running = pool.state === 'running';
  const ask = useUi((s) => s.askConfirm);
  return (
    <div role="toolbar" aria-label="Pool actions" className="flex flex-wrap gap-1">
      <button
        className={buttonClass}
        disabled={running}
        onClick={() => void run.pool({ poolId: pool.id, action: 'start' })}
      >
        Start pool
      </button>
      <button
        className={buttonClass}
        disabled={!running}
        onClick={() =>
          ask({
            title: `Stop ${pool.name} on ${node}?`,
            body: 'Guests using its volumes lose their disks until it runs again. The data stays.',
            confirmLabel: 'Stop pool',
            onConfirm: () => void run.pool({ poolId: pool.id, action: 'stop' }),
          })
        }
      >
        Stop pool
      </button>
      <button
        className={buttonClass}
        disabled={!running}
        onClick={() => void run.pool({ poolId: pool.id, action: 'refresh' })}
      >
        Refresh
      </button>
      <label className="ml-2 flex items-center gap-1">
        <input
          type="checkbox"
          checked={pool.autostart}
          onChange={(e) =>
            void run.pool({
              poolId: pool.id,
              action: e.target.checked ? 'autostart' : 'no-autostart',
            })
          }
        />
        Start with the node
      </label>
      <span className="flex-1" />
      <button
        className={buttonClass}
        onClick={() =>
          ask({
            title: `Remove ${pool.name} from ${node}?`,
            body: `libvirt forgets the pool (it is stopped first). Its data and volumes stay where they are; define the pool again to use them.`,
            confirmLabel: 'Remove pool',
            onConfirm: () => void run.pool({ poolId: pool.id, action: 'undefine' }),
          })
        }
      >
        Remove pool…
      </button>
      <button
        className={buttonClass}
        onClick={() =>
          ask({
            title: `Delete ${pool.name} and its storage on ${node}?`,
            body: `The pool is stopped, its storage deleted (for a directory pool: the directory, which must be empty; for LVM: the volume group) and its definition removed. This cannot be undone.`,
            confirmLabel: 'Delete pool',
            onConfirm: () => void run.pool({ poolId: pool.id, action: 'delete' }),
          })
        }
      >
        Delete pool…
      </button>
    </div>
  );
}

type Editing = { op: 'resize' | 'clone'; volume: string; value: string } | undefined;

/** Upload a file from this computer into a file-based pool, as a task. */
function Upload({ pool }: { pool: StoragePool }) {
  const notify = useNotices((s) => s.push);
  const ids = useId();
  const native = useAppInfo()?.nativeFilePicker ?? false;
  const [file, setFile] = useState<File | undefined>();
  // In the desktop app: a file chosen in its own dialog, read by the main process.
  const [chosen, setChosen] = useState<{ fileId: string; name: string; bytes: number }>();
  const [name, setName] = useState('');
  const picker = useRef<HTMLInputElement>(null);
  const check = objectNameSchema.safeParse(name);
  const fileBased = pool.type === 'dir' || pool.type === 'netfs';
  if (!fileBased) return null;
  const suggest = (fileName: string) => setName(fileName.replace(/[^A-Za-z0-9._+-]/g, '_'));
  const choose = async () => {
    try {
      const c = await api.chooseLocalFile({});
      if (!c) return;
      setChosen(c);
      suggest(c.name);
    } catch (e) {
      notify(errorMessage(e));
    }
  };
  const start = async () => {
    if ((!file && !chosen) || !check.success) return;
    try {
      const { url } = await api.startUpload({
        poolId: pool.id,
        name: check.data,
        bytes: chosen?.bytes ?? file!.size,
        ...(chosen ? { fileId: chosen.fileId } : {}),
      });
      setFile(undefined);
      setChosen(undefined);
      setName('');
      // So choosing the same file again starts another upload.
      if (picker.current) picker.current.value = '';
      // The task shows progress, speed and time left; the fetch only carries the bytes.
      if (url && file) void fetch(url, { method: 'PUT', body: file }).catch(() => undefined);
    } catch (e) {
      notify(errorMessage(e));
    }
  };
  return (
    <form
      aria-label="Upload a file"
      className="flex flex-wrap items-end gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        void start();
      }}
    >
      {native ? (
        <div className="flex flex-col text-sm">
          File to upload (ISO or disk image)
          <span className="flex items-center gap-2">
            <button type="button" className={buttonClass} onClick={() => void choose()}>
              Choose file…
            </button>
            <span>{chosen ? `${chosen.name} (${formatBytes(chosen.bytes)})` : 'None chosen'}</span>
          </span>
        </div>
      ) : (
        <label className="flex flex-col text-sm" htmlFor={`${ids}-file`}>
          File to upload (ISO or disk image)
          <input
            id={`${ids}-file`}
            ref={picker}
            type="file"
            className="text-sm"
            onChange={(e) => {
              const f = e.target.files?.[0];
              setFile(f);
              if (f) suggest(f.name);
            }}
          />
        </label>
      )}
      <label className="flex flex-col text-sm" htmlFor={`${ids}-as`}>
        Upload as
        <input
          id={`${ids}-as`}
          className={input}
          value={name}
          onChange={(e) => setName(e.target.value)}
          aria-invalid={name && !check.success ? true : undefined}
        />
      </label>
      <button
        type="submit"
        className={primaryButtonClass}
        disabled={(!file && !chosen) || !check.success || pool.state !== 'running'}
      >
        Upload
      </button>
      {name && !check.success && (
        <p className="w-full text-xs text-red-600 dark:text-red-400">
          {check.error.issues[0]?.message}
        </p>
      )}
    </form>
  );
}

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

function Volumes({ pool }: { pool: StoragePool }) {
  const run = useRun();
  const notify = useNotices((s) => s.push);
  const ask = useUi((s) => s.askConfirm);
  const ids = useId();
  const [name, setName] = useState('');
  const [size, setSize] = useState('1G');
  const formats = volumeFormatsFor(pool.type);
  const [chosenFormat, setFormat] = useState<VolumeFormat>('qcow2');
  const format = formats.includes(chosenFormat) ? chosenFormat : (formats[0] ?? chosenFormat);
  const [editing, setEditing] = useState<Editing>();
  const nameCheck = objectNameSchema.safeParse(name);
  const nameError = name && !nameCheck.success ? nameCheck.error.issues[0]?.message : undefined;
  const bytes = parseSize(size);
  const running = pool.state === 'running';
  const vms = Object.values(useInventory((s) => s.inv.vms));

  const row = (v: Volume) => {
    const users = volumeUsers(pool, v, vms);
    const runningUsers = users.filter((u) => u.running);
    // Names and paths as the node has them: spaces kept, not folded by HTML.
    return [
      <span className="whitespace-pre-wrap">{v.name}</span>,
      v.type,
      formatBytes(v.capacity),
      formatBytes(v.allocation),
      <span className="break-all whitespace-pre-wrap">{v.path}</span>,
      users.length ? namesOfUsers(users) : <span className="text-slate-500">—</span>,
      <span className="flex gap-1">
        <button
          className={buttonClass}
          aria-label={`Resize ${v.name}`}
          onClick={() =>
            setEditing({ op: 'resize', volume: v.name, value: `${Math.ceil(v.capacity / MIB)}M` })
          }
        >
          Resize…
        </button>
        <button
          className={buttonClass}
          aria-label={`Clone ${v.name}`}
          onClick={() => setEditing({ op: 'clone', volume: v.name, value: `${v.name}-clone` })}
        >
          Clone…
        </button>
        {(pool.type === 'dir' || pool.type === 'netfs') && (
          <button
            className={buttonClass}
            aria-label={`Download ${v.name}`}
            onClick={() => void download(pool, v.name, notify)}
          >
            Download
          </button>
        )}
        <button
          className={buttonClass}
          aria-label={`Delete ${v.name}`}
          // A running VM has the volume open: the main process refuses too.
          disabled={runningUsers.length > 0}
          title={
            runningUsers.length
              ? `In use by ${runningUsers.map((u) => u.vm).join(', ')}, running: shut down first.`
              : undefined
          }
          onClick={async () => {
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
          }}
        >
          Delete…
        </button>
      </span>,
    ];
  };

  return (
    <div className="space-y-2">
      <Table
        caption="Volumes"
        head={['Name', 'Type', 'Capacity', 'Allocation', 'Path', 'Used by', 'Actions']}
        rows={pool.volumes.map(row)}
      />
      {editing && (
        <form
          aria-label={editing.op === 'resize' ? 'Resize volume' : 'Clone volume'}
          className="flex flex-wrap items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
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
          <label className="flex flex-col text-sm">
            {editing.op === 'resize'
              ? `New size of ${editing.volume}`
              : `Name of the copy of ${editing.volume}`}
            <input
              className={input}
              value={editing.value}
              onChange={(e) => setEditing({ ...editing, value: e.target.value })}
            />
          </label>
          <button type="submit" className={primaryButtonClass}>
            {editing.op === 'resize' ? 'Resize' : 'Clone'}
          </button>
          <button type="button" className={buttonClass} onClick={() => setEditing(undefined)}>
            Cancel
          </button>
        </form>
      )}
      {formats.length === 0 ? (
        <p className="text-sm text-slate-500">
          The volumes of this pool are its target&rsquo;s LUNs: add one on the target, then refresh
          the pool.
        </p>
      ) : (
        <form
          aria-label="New volume"
          className="flex flex-wrap items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            if (!nameCheck.success || !bytes) return;
            void run.volume({
              poolId: pool.id,
              volume: { op: 'create', name: nameCheck.data, bytes, format },
            });
            setName('');
          }}
        >
          <label className="flex flex-col text-sm" htmlFor={`${ids}-name`}>
            Volume name
            <input
              id={`${ids}-name`}
              className={input}
              value={name}
              placeholder="disk1.qcow2"
              onChange={(e) => setName(e.target.value)}
              aria-invalid={nameError ? true : undefined}
            />
          </label>
          <label className="flex flex-col text-sm" htmlFor={`${ids}-size`}>
            Size
            <input
              id={`${ids}-size`}
              className={`${input} w-24`}
              value={size}
              onChange={(e) => setSize(e.target.value)}
              aria-invalid={bytes ? undefined : true}
            />
          </label>
          <label className="flex flex-col text-sm" htmlFor={`${ids}-format`}>
            Format
            <select
              id={`${ids}-format`}
              className={input}
              value={format}
              onChange={(e) => setFormat(e.target.value as VolumeFormat)}
            >
              {formats.map((f) => (
                <option key={f}>{f}</option>
              ))}
            </select>
          </label>
          <button
            type="submit"
            className={primaryButtonClass}
            disabled={!running || !nameCheck.success || !bytes}
          >
            Create volume
          </button>
          {(nameError || (size && !bytes)) && (
            <p className="w-full text-xs text-red-600 dark:text-red-400">
              {nameError ?? 'A size such as 512M, 20G or 1.5T.'}
            </p>
          )}
        </form>
      )}
    </div>
  );
}

export function PoolView({ pool }: { pool: StoragePool }) {
  const used = percent(pool.allocation, pool.capacity);
  return (
    <div className="space-y-4">
      <PoolActions pool={pool} />
      <Facts
        rows={[
          ['Name', pool.name],
          ['Type', pool.type],
          ['State', pool.state],
          ['Autostart', pool.autostart ? 'Yes' : 'No'],
          ['Capacity', formatBytes(pool.capacity)],
          ['Allocation', formatBytes(pool.allocation)],
          ['Available', formatBytes(pool.available)],
        ]}
      />
      <div
        role="progressbar"
        aria-label={`${pool.name} usage`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={used}
        className="h-3 w-80 overflow-hidden rounded bg-slate-200 dark:bg-slate-700"
      >
        <div
          className={`h-full ${used > 90 ? 'bg-red-500' : 'bg-sky-600'}`}
          style={{ width: `${used}%` }}
        />
      </div>
      <Volumes pool={pool} />
      <Upload pool={pool} />
    </div>
  );
}
