// Upload a file from this computer into a file-based pool, as a task.
import { useId, useRef, useState } from 'react';
import type { StoragePool } from '../../../shared/model';
import { objectNameSchema } from '../../../shared/storage';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useAppInfo } from '../../state/appInfo';
import { useNotices } from '../../state/notices';
import { buttonClass, primaryButtonClass } from '../../ui/Dialog';
import { formatBytes } from '../../ui/format';

const input =
  'rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-500 dark:bg-slate-900';

/** Upload a file from this computer into a file-based pool, as a task. */
export function Upload({ pool }: { pool: StoragePool }) {
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
