// An upload whose bytes on the node are checked: SFTP writes the file under
// a temporary name while the node hashes it as it grows (a second channel
// that reads behind the writes), so the check costs little beyond the
// transfer itself. If that early hash is missing or differs, the whole file
// is hashed again before anything is called wrong.
//
// Our own SHA-256 of the bytes as sent is computed on a worker thread from
// the very slabs SFTP writes from (sha256-worker.ts, slab-source.ts).
import type { SFTPWrapper } from 'ssh2';
import type { ExecOptions, ExecResult } from '../ssh/session';
import { SFTP_WRITE, uploadToFile, type UploadPiece } from '../ssh/sftp-upload';
import { Sha256Worker } from './sha256-worker';
import { slabsOf, SlabPool, type ByteSource } from './slab-source';

/** A slab is a few SFTP writes; 8 of them (8 MiB) keep 16 writes in flight while others are hashed and filled. */
const SLAB = 4 * SFTP_WRITE;
const SLABS = 8;

/** Hashes stdin with OpenSSL (about 4x coreutils with SHA extensions) where it is installed. */
const HASHER =
  'if command -v openssl >/dev/null 2>&1; then openssl dgst -sha256 -r; else sha256sum; fi';

/** The node's SHA-256 of a whole file; the path is an argument, never part of the script. */
export function sha256Argv(path: string): string[] {
  return ['sh', '-c', `${HASHER} < "$1"`, 'sha256', path];
}

/**
 * The node's SHA-256 of the first `bytes` bytes of a file that is still
 * being written (or, if it was quick, already renamed to its final name).
 * It waits for the file, holds it open (so the rename to its
 * final name does not disturb it), reads what has grown in pieces of at
 * least 16 MiB (or the rest), and gives up when the file is deleted (a
 * cancelled upload) or stops growing for 30 s. Each look costs the node a
 * `stat` process and each read a `dd`: reading whatever had grown (often
 * one SFTP write) cost the node's side of a 200 MiB upload (sshd,
 * sftp-server, this) ~650 ms of CPU, in 16 MiB pieces ~570 ms, against
 * ~450 ms for hashing the finished file instead (measured); at most 16 MiB
 * is left to hash after the last write, where the finished file would
 * take the whole hash's time after it.
 * SFTP servers apply writes in order, so everything below the size is
 * written. Needs GNU stat and dd, as on every Linux libvirt host; elsewhere
 * it fails and the whole-file hash decides.
 */
export function followingSha256Argv(path: string, finalPath: string, bytes: number): string[] {
  // One line: remote arguments never carry line breaks (quoteArgv refuses them).
  const script = [
    'f=$1 g=$2 n=$3 off=0 idle=0 seen=-1 piece=16777216;',
    'wait_more() { idle=$((idle + 1)); [ "$idle" -lt 600 ] || exit 1; sleep 0.05; };',
    // A small file may be written and renamed before this even starts.
    'until [ -e "$f" ] || [ -e "$g" ]; do wait_more; done;',
    'if [ -e "$f" ]; then exec 3<"$f"; else exec 3<"$g"; fi;',
    '{ while [ "$off" -lt "$n" ]; do',
    'set -- $(stat -L -c "%s %h" /dev/fd/3) || exit 1;',
    'size=$(( $1 < n ? $1 : n ));',
    // Any growth restarts the 30 s, however slowly the file comes.
    'if [ "$size" -ne "$seen" ]; then idle=0 seen=$size; fi;',
    'if [ "$size" -ge $((off + piece)) ] || [ "$size" -eq "$n" ]; then',
    'dd bs=1M count=$((size - off)) iflag=count_bytes status=none <&3 || exit 1;',
    'off=$size;',
    'else [ "$2" -gt 0 ] || exit 1; wait_more; fi;',
    `done; } | { ${HASHER}; }`,
  ].join(' ');
  return ['sh', '-c', script, 'sha256-following', path, finalPath, String(bytes)];
}

type Exec = (argv: readonly string[], opts: ExecOptions) => Promise<ExecResult>;

export interface CheckedUpload {
  exec: Exec;
  sftp: SFTPWrapper;
  /** A file read here, or a stream (the page's request) whose pieces are gathered into slabs. */
  source: ByteSource;
  bytes: number;
  tmpPath: string;
  finalPath: string;
  signal: AbortSignal;
  log?: ExecOptions['log'];
  onProgress: (bytes: number) => void;
  /** Called when every byte is written and only the check is left. */
  onWritten?: () => void;
}

export interface CheckedResult {
  /** Ours, from the bytes as sent. */
  sha256: string;
  /** The node's, of the file under its final name. */
  nodeSha256: string;
}

const firstWord = (r: ExecResult | undefined) =>
  r && r.code === 0 ? (r.stdout.trim().split(/\s/)[0] ?? '') : '';

/** The slabs, each handed to the hasher as it goes to SFTP; both release it. */
async function* hashedAsSent(
  slabs: AsyncIterable<UploadPiece & { release(): void }>,
  hasher: Sha256Worker,
): AsyncGenerator<UploadPiece> {
  for await (const slab of slabs) {
    if (hasher.failure) throw hasher.failure;
    // Released either way, so nothing waits on a slab; a failed hash fails the digest.
    void hasher.update(slab.bytes).then(slab.release, slab.release);
    yield slab;
  }
}

export async function checkedUpload(u: CheckedUpload): Promise<CheckedResult> {
  const logged = { signal: u.signal, ...(u.log ? { log: u.log } : {}) };
  const following = u
    .exec(followingSha256Argv(u.tmpPath, u.finalPath, u.bytes), { ...logged, timeoutMs: 3_600_000 })
    .catch(() => undefined);
  const pool = new SlabPool(SLAB, SLABS);
  const hasher = new Sha256Worker(pool.memory);
  let sha256: string;
  try {
    const slabs = slabsOf(u.source, pool, 2, u.signal);
    // Should this fail, the follower stops by itself once the temporary file is gone.
    await uploadToFile(u.sftp, hashedAsSent(slabs, hasher), u.tmpPath, u.finalPath, {
      signal: u.signal,
      onProgress: u.onProgress,
    });
    // The worker answers in order: the digest comes after every slab's hash.
    sha256 = await hasher.digest();
  } finally {
    hasher.close();
  }
  u.onWritten?.();
  let nodeSha256 = firstWord(await following);
  if (nodeSha256 !== sha256) {
    nodeSha256 = firstWord(await u.exec(sha256Argv(u.finalPath), logged));
  }
  return { sha256, nodeSha256 };
}
