// A storage the cluster's API defines ('storage-api', Proxmox VE): its facts
// and usage, Edit storage (content, nodes, enabled), Remove storage (confirmed), the ISO images and templates it
// holds, and, where it may hold them, Upload (the app's upload path: the
// task shows progress and Cancel) and Download from URL.
import { useState } from 'react';
import type { StoragePool } from '../../../shared/model';
import {
  UPLOAD_EXTENSIONS,
  downloadUrlSpecSchema,
  type UploadContent,
} from '../../../shared/storage-api';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useInventory } from '../../state/inventory';
import { useNotices } from '../../state/notices';
import { useUi, type Confirm } from '../../state/ui';
import { buttonClass, primaryButtonClass } from '../../ui/Dialog';
import { Facts, Table } from '../../ui/Facts';
import { formatBytes, percent } from '../../ui/format';
import { InlineForm, Select, TextField } from '../../ui/forms';
import { EditStorageDialog } from './EditStorageDialog';
import { Upload } from './UploadForm';

const CONTENT_NAMES: Record<UploadContent, string> = {
  iso: 'ISO image',
  vztmpl: 'Container template',
};

/** Remove storage, asked first: the pool view's toolbar and the tree's menu. */
export function askRemoveStorage(
  pool: StoragePool,
  ask: (c: Confirm) => void,
  notify: (m: string) => void,
) {
  ask({
    title: `Remove the storage ${pool.name} from the cluster?`,
    body: 'Every node forgets it. Its data stays where it is (the export, share, volume group or pool); guests with disks on it will not start until it is added again.',
    confirmLabel: 'Remove storage',
    onConfirm: () =>
      void api.removeStorage({ poolId: pool.id }).catch((e: unknown) => notify(errorMessage(e))),
  });
}

/** The contents an upload into this storage may be. */
export const uploadContents = (pool: StoragePool): UploadContent[] =>
  (['iso', 'vztmpl'] as const).filter((c) => pool.content?.includes(c));

export function ApiPoolView({ pool }: { pool: StoragePool }) {
  const notify = useNotices((s) => s.push);
  const ask = useUi((s) => s.askConfirm);
  const node = useInventory((s) => s.inv.hosts[pool.hostId]?.name ?? 'its node');
  const used = percent(pool.allocation, pool.capacity);
  const contents = uploadContents(pool);
  const [editing, setEditing] = useState(false);
  return (
    <div className="space-y-4">
      {editing && <EditStorageDialog pool={pool} onClose={() => setEditing(false)} />}
      <div role="toolbar" aria-label="Pool actions" className="flex flex-wrap gap-1">
        <span className="flex-1" />
        <button className={buttonClass} onClick={() => setEditing(true)}>
          Edit storage…
        </button>
        <button className={buttonClass} onClick={() => askRemoveStorage(pool, ask, notify)}>
          Remove storage…
        </button>
      </div>
      <Facts
        rows={[
          ['Name', pool.name],
          ['Type', pool.type],
          ['Content', (pool.content ?? []).join(', ') || 'none'],
          ['State', pool.state === 'running' ? `active on ${node}` : pool.state],
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
      {contents.length > 0 && (
        <section aria-label="Volumes">
          {pool.volumes.length === 0 ? (
            <p className="text-sm text-slate-500">No ISO images or templates yet.</p>
          ) : (
            <Table
              caption="ISO images and templates"
              head={['Name', 'Content', 'Format', 'Size']}
              rows={pool.volumes.map((v) => [
                v.name,
                CONTENT_NAMES[v.type as UploadContent] ?? v.type,
                v.format,
                formatBytes(v.capacity),
              ])}
            />
          )}
        </section>
      )}
      {contents.length > 0 && <Upload pool={pool} contents={contents} />}
      {contents.length > 0 && <DownloadUrl pool={pool} contents={contents} />}
    </div>
  );
}

/** Download from URL: the node fetches the file itself, as a task. */
function DownloadUrl({ pool, contents }: { pool: StoragePool; contents: UploadContent[] }) {
  const notify = useNotices((s) => s.push);
  const [url, setUrl] = useState('');
  const [filename, setFilename] = useState('');
  const [content, setContent] = useState<UploadContent>(contents[0]!);
  const spec = { url, filename, content };
  const check = downloadUrlSpecSchema.safeParse(spec);
  const extOk = !filename || UPLOAD_EXTENSIONS[content].test(filename);
  const start = async () => {
    if (!check.success || !extOk) return;
    try {
      await api.downloadToStorage({ poolId: pool.id, spec: check.data });
      setUrl('');
      setFilename('');
    } catch (e) {
      notify(errorMessage(e));
    }
  };
  return (
    <InlineForm label="Download from URL" onSubmit={() => void start()}>
      <TextField
        layout="inline"
        label="URL"
        value={url}
        onChange={(v) => {
          setUrl(v);
          if (!filename)
            setFilename(
              v
                .replace(/[?#].*$/, '')
                .split('/')
                .pop() ?? '',
            );
        }}
      />
      <TextField
        layout="inline"
        label="Save as"
        value={filename}
        onChange={setFilename}
        invalid={!extOk}
        error={!extOk && `Not a ${CONTENT_NAMES[content]}'s name.`}
      />
      <Select
        layout="inline"
        label="Content"
        value={content}
        onChange={(v) => setContent(v as UploadContent)}
        options={contents.map((c) => ({ value: c, label: CONTENT_NAMES[c] }))}
      />
      <button
        type="submit"
        className={primaryButtonClass}
        disabled={!check.success || !extOk || pool.state !== 'running'}
      >
        Download
      </button>
    </InlineForm>
  );
}
