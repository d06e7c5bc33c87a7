// An upload's bytes in large pieces ("slabs") of shared memory, from a local
// file or from a stream (the page's HTTP request). One slab goes to SFTP as
// a few large writes and to the SHA-256 worker as it is, so the main
// thread neither hashes nor copies it again; it is refilled only once both
// are done with it. The page's request arrives in 64 KiB pieces: gathering
// them here is the one copy it costs, and SFTP then writes as large pieces
// as for a file (64 KiB writes cost the page path about half its speed).
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { ClusterdeckError } from '../../shared/errors';

/** Where an upload's bytes come from. */
export type ByteSource = { path: string } | { stream: Readable };

/** A slab: `bytes` lies in shared memory; `release` once per holder. */
export interface Slab {
  bytes: Buffer;
  release(): void;
}

/** A fixed set of slabs handed out in turn; memory stays at count x size. */
export class SlabPool {
  private readonly free: Buffer[] = [];
  private readonly waiting: ((b: Buffer) => void)[] = [];
  /** Every slab's bytes, shared with the hashing thread. */
  readonly memory: SharedArrayBuffer;

  constructor(size: number, count: number) {
    this.memory = new SharedArrayBuffer(size * count);
    for (let i = 0; i < count; i++) this.free.push(Buffer.from(this.memory, i * size, size));
  }

  /** The next free slab, given back once `holders` releases are in. */
  async take(holders: number): Promise<Slab> {
    const memory = this.free.pop() ?? (await new Promise<Buffer>((r) => this.waiting.push(r)));
    let left = holders;
    return {
      bytes: memory,
      release: () => {
        if (--left !== 0) return;
        const next = this.waiting.shift();
        if (next) next(memory);
        else this.free.push(memory);
      },
    };
  }
}

const cancelled = () => new ClusterdeckError('cancelled', 'The upload was cancelled.');

/** Reads a file straight into slabs: no copy on this side at all. */
async function* fileSlabs(
  path: string,
  pool: SlabPool,
  holders: number,
  signal: AbortSignal,
): AsyncGenerator<Slab> {
  const file = await open(path, 'r');
  try {
    for (;;) {
      if (signal.aborted) throw cancelled();
      const slab = await pool.take(holders);
      let filled = 0;
      while (filled < slab.bytes.length) {
        const { bytesRead } = await file.read(slab.bytes, filled, slab.bytes.length - filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      if (filled === 0) {
        for (let i = 0; i < holders; i++) slab.release();
        return;
      }
      yield { bytes: slab.bytes.subarray(0, filled), release: slab.release };
      if (filled < slab.bytes.length) return;
    }
  } finally {
    await file.close();
  }
}

/** Gathers a stream's pieces into slabs; a cancel destroys the stream, ending any wait on it. */
async function* streamSlabs(
  stream: Readable,
  pool: SlabPool,
  holders: number,
  signal: AbortSignal,
): AsyncGenerator<Slab> {
  const abort = () => stream.destroy(cancelled());
  signal.addEventListener('abort', abort);
  let slab: Slab | undefined;
  let filled = 0;
  try {
    if (signal.aborted) throw cancelled();
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      for (let off = 0; off < chunk.length;) {
        slab ??= await pool.take(holders);
        const n = chunk.copy(slab.bytes, filled, off);
        off += n;
        filled += n;
        if (filled === slab.bytes.length) {
          yield slab;
          slab = undefined;
          filled = 0;
        }
      }
    }
    if (slab && filled > 0) {
      yield { bytes: slab.bytes.subarray(0, filled), release: slab.release };
      slab = undefined;
    }
  } finally {
    signal.removeEventListener('abort', abort);
    // A slab taken but never handed on goes back.
    if (slab) for (let i = 0; i < holders; i++) slab.release();
    // Left early (cancel, a failed write): the sender is cut off.
    if (!stream.readableEnded) stream.destroy();
  }
}

/** The source's bytes as slabs from `pool`, each to be released by `holders` holders. */
export function slabsOf(
  source: ByteSource,
  pool: SlabPool,
  holders: number,
  signal: AbortSignal,
): AsyncGenerator<Slab> {
  return 'path' in source
    ? fileSlabs(source.path, pool, holders, signal)
    : streamSlabs(source.stream, pool, holders, signal);
}
