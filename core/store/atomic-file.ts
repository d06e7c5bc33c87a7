// Writes that never leave a half-written file: write a temporary file in the
// same folder, fsync it, rename it over the target, then fsync the folder so
// the rename itself survives a power cut.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

export async function writeFileAtomic(file: string, data: string, mode = 0o600): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const fh = await open(tmp, 'w', mode);
  try {
    await fh.writeFile(data, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await syncFolder(dirname(file));
}

async function syncFolder(dir: string): Promise<void> {
  // Windows cannot open a folder for fsync; NTFS journals the rename itself.
  if (process.platform === 'win32') return;
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

// Appends are serialized per file so two trusts at once cannot lose a line.
const appendQueues = new Map<string, Promise<void>>();

export function appendLineAtomic(file: string, line: string): Promise<void> {
  const prev = appendQueues.get(file) ?? Promise.resolve();
  const next = prev.then(async () => {
    const old = await readFile(file, 'utf8').catch(() => '');
    const sep = old === '' || old.endsWith('\n') ? '' : '\n';
    await writeFileAtomic(file, `${old}${sep}${line}\n`);
  });
  appendQueues.set(
    file,
    next.catch(() => undefined),
  );
  return next;
}
