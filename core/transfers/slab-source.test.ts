import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { slabsOf, SlabPool, type ByteSource } from './slab-source';

const dir = mkdtempSync(join(tmpdir(), 'slab-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every slab's bytes, copied out, each released as a consumer would. */
async function collect(source: ByteSource, pool: SlabPool, signal = new AbortController().signal) {
  const pieces: Buffer[] = [];
  for await (const slab of slabsOf(source, pool, 1, signal)) {
    expect(slab.bytes.buffer).toBe(pool.memory);
    pieces.push(Buffer.from(slab.bytes));
    slab.release();
  }
  return pieces;
}

describe('slabsOf', () => {
  const data = randomBytes(10_000);
  const file = join(dir, 'data');
  writeFileSync(file, data);

  it('reads a file into full slabs, the last one partial', async () => {
    const pieces = await collect({ path: file }, new SlabPool(4096, 2));
    expect(pieces.map((p) => p.length)).toEqual([4096, 4096, 1808]);
    expect(Buffer.concat(pieces).equals(data)).toBe(true);
  });

  it('gathers a stream’s small pieces into full slabs', async () => {
    const chunks = Array.from({ length: 100 }, (_, i) => data.subarray(i * 100, i * 100 + 100));
    const pieces = await collect({ stream: Readable.from(chunks) }, new SlabPool(4096, 2));
    expect(pieces.map((p) => p.length)).toEqual([4096, 4096, 1808]);
    expect(Buffer.concat(pieces).equals(data)).toBe(true);
  });

  it('gives nothing for an empty file or stream', async () => {
    writeFileSync(join(dir, 'empty'), '');
    expect(await collect({ path: join(dir, 'empty') }, new SlabPool(4096, 1))).toEqual([]);
    expect(await collect({ stream: Readable.from([]) }, new SlabPool(4096, 1))).toEqual([]);
  });

  it('waits for a slab to be released before filling it again', async () => {
    const pool = new SlabPool(4096, 1);
    const slabs = slabsOf({ path: file }, pool, 2, new AbortController().signal);
    const first = (await slabs.next()).value!;
    let second = false;
    const next = slabs.next().then(() => (second = true));
    await new Promise((r) => setTimeout(r, 50));
    first.release();
    await new Promise((r) => setTimeout(r, 50));
    // One of two holders has released it: still held.
    expect(second).toBe(false);
    first.release();
    await next;
    expect(second).toBe(true);
    await slabs.return(undefined);
  });

  it('ends a stream that stalls when the upload is cancelled', async () => {
    const stream = new Readable({ read() {} });
    stream.push(data.subarray(0, 100));
    const cancel = new AbortController();
    const done = collect({ stream }, new SlabPool(4096, 1), cancel.signal);
    setTimeout(() => cancel.abort(), 20);
    await expect(done).rejects.toMatchObject({ code: 'cancelled' });
    expect(stream.destroyed).toBe(true);
  });
});
