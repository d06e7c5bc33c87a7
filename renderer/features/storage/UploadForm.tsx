// Upload a file from this computer into a file-based pool, as a task.
import { useRef, useState } from 'react';
import type { StoragePool } from '../../../shared/model';
import { objectNameSchema } from '../../../shared/storage';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useAppInfo } from '../../state/appInfo';
import { useNotices } from '../../state/notices';
import { buttonClass, primaryButtonClass } from '../../ui/Dialog';
import { FileField, InlineForm, TextField } from '../../ui/forms';
import { formatBytes } from '../../ui/format';

/** Upload a file from this computer into a file-based pool, as a task. */
export function Upload({ pool }: { pool: StoragePool }) {
  const notify = useNotices((s) => s.push);
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
    <InlineForm label="Upload a file" onSubmit={() => void start()}>
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
        <FileField
          layout="inline"
          label="File to upload (ISO or disk image)"
          inputRef={picker}
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
      <button
        type="submit"
        className={primaryButtonClass}
        disabled={(!file && !chosen) || !check.success || pool.state !== 'running'}
      >
        Upload
      </button>
    </InlineForm>
  );
}
