// Upload a file from this computer into a file-based pool, as a task.
import { useRef, useState, type DragEvent } from 'react';
import type { StoragePool } from '../../../shared/model';
import { objectNameSchema } from '../../../shared/storage';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useAppInfo } from '../../state/appInfo';
import { useNotices } from '../../state/notices';
import { buttonClass, primaryButtonClass } from '../../ui/Dialog';
import { FileField, InlineForm, Select, TextField } from '../../ui/forms';
import { uploadChecksumSchema, type UploadContent } from '../../../shared/storage-api';
import { formatBytes } from '../../ui/format';

// The browser's own file input (its name and keyboard use intact), its button drawn as the app's buttons.
const fileButtonClass =
  'text-sm file:mr-2 file:cursor-pointer file:rounded file:border file:border-solid file:border-slate-300 file:bg-transparent file:px-3 file:py-1 file:text-inherit hover:file:bg-slate-100 dark:file:border-slate-500 dark:hover:file:bg-slate-700';

/**
 * Upload a file from this computer into a file-based pool, as a task; into a
 * storage the cluster's API defines, `contents` says what the file may be
 * (ISO image, container template), with an optional SHA-256 the node checks.
 */
export function Upload({ pool, contents }: { pool: StoragePool; contents?: UploadContent[] }) {
  const notify = useNotices((s) => s.push);
  const native = useAppInfo()?.nativeFilePicker ?? false;
  const [file, setFile] = useState<File | undefined>();
  // In the desktop app: a file chosen in its own dialog, read by the main process.
  const [chosen, setChosen] = useState<{ fileId: string; name: string; bytes: number }>();
  const [name, setName] = useState('');
  const picker = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const check = objectNameSchema.safeParse(name);
  const [content, setContent] = useState<UploadContent>(contents?.[0] ?? 'iso');
  const [sha256, setSha256] = useState('');
  const sum = sha256.trim()
    ? uploadChecksumSchema.safeParse({ algorithm: 'sha256', value: sha256 })
    : undefined;
  const fileBased = pool.type === 'dir' || pool.type === 'netfs';
  if (!fileBased && !contents) return null;
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
  // A file dropped on the upload area is chosen as if picked: same name suggestion, same Upload.
  const dragOver = (e: DragEvent) => {
    if (!e.dataTransfer.types.includes('Files')) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    setDragging(true);
  };
  const drop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const dropped = e.dataTransfer.files[0];
    if (!dropped) return;
    // The picker shows the dropped file too, so what Upload sends is on screen.
    if (picker.current) picker.current.files = e.dataTransfer.files;
    setChosen(undefined);
    setFile(dropped);
    suggest(dropped.name);
  };
  const start = async () => {
    if ((!file && !chosen) || !check.success) return;
    try {
      const { url } = await api.startUpload({
        poolId: pool.id,
        name: check.data,
        bytes: chosen?.bytes ?? file!.size,
        ...(chosen ? { fileId: chosen.fileId } : {}),
        ...(contents ? { content } : {}),
        ...(contents && sum?.success ? { checksum: sum.data } : {}),
      });
      setSha256('');
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
    <section
      aria-label="Upload area"
      className={`rounded border-2 border-dashed p-2 ${
        dragging
          ? 'border-sky-500 bg-sky-50 dark:bg-sky-950'
          : 'border-slate-300 dark:border-slate-600'
      }`}
      onDragOver={dragOver}
      onDragEnter={dragOver}
      onDragLeave={() => setDragging(false)}
      onDrop={drop}
    >
      <p className="mb-1 text-sm text-slate-500">Drop an ISO or disk image here, or choose one.</p>
      <InlineForm label="Upload a file" onSubmit={() => void start()}>
        {native ? (
          <div className="flex flex-col text-sm">
            File to upload (ISO or disk image)
            <span className="flex items-center gap-2">
              <button type="button" className={buttonClass} onClick={() => void choose()}>
                Choose file…
              </button>
              <span>
                {chosen
                  ? `${chosen.name} (${formatBytes(chosen.bytes)})`
                  : file
                    ? `${file.name} (${formatBytes(file.size)})`
                    : 'None chosen'}
              </span>
            </span>
          </div>
        ) : (
          <FileField
            layout="inline"
            label="File to upload (ISO or disk image)"
            inputRef={picker}
            controlClass={fileButtonClass}
            onFile={(f) => {
              setFile(f);
              if (f) suggest(f.name);
            }}
          />
        )}
        <TextField
          layout="inline"
          label="Upload as"
          value={name}
          onChange={setName}
          invalid={!!name && !check.success}
          error={name && !check.success && check.error.issues[0]?.message}
        />
        {contents && (
          <>
            <Select
              layout="inline"
              label="Upload content"
              value={content}
              onChange={(v) => setContent(v as UploadContent)}
              options={contents.map((c) => ({
                value: c,
                label: c === 'iso' ? 'ISO image' : 'Container template',
              }))}
            />
            <TextField
              layout="inline"
              label="SHA-256 (optional)"
              value={sha256}
              onChange={setSha256}
              spellCheck={false}
              invalid={sum && !sum.success}
              error={sum && !sum.success && sum.error.issues[0]?.message}
            />
          </>
        )}
        <button
          type="submit"
          className={primaryButtonClass}
          disabled={
            (!file && !chosen) ||
            !check.success ||
            pool.state !== 'running' ||
            (!!sum && !sum.success)
          }
        >
          Upload
        </button>
      </InlineForm>
    </section>
  );
}
