import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Sha256Worker } from './sha256-worker';
import { SlabPool } from './slab-source';

describe('Sha256Worker', () => {
  it('gives the same hash as node:crypto for bytes hashed slab by slab in shared memory', async () => {
    const data = randomBytes(5 * 65536 + 123);
    const pool = new SlabPool(65536, 2);
    const hasher = new Sha256Worker(pool.memory);
    try {
      for (let off = 0; off < data.length; off += 65536) {
        const slab = await pool.take(1);
        const n = data.copy(slab.bytes, 0, off);
        await hasher.update(slab.bytes.subarray(0, n));
        // Reused at once: the worker has hashed it when update resolves.
        slab.release();
      }
      expect(await hasher.digest()).toBe(createHash('sha256').update(data).digest('hex'));
    } finally {
      hasher.close();
    }
  });

  it('refuses bytes outside its shared memory (it would read other bytes than given)', async () => {
    const pool = new SlabPool(1024, 1);
    const hasher = new Sha256Worker(pool.memory);
    try {
      await expect(hasher.update(Buffer.alloc(16))).rejects.toThrow('memory it was given');
    } finally {
      hasher.close();
    }
  });

  it('fails every later call once the worker is gone', async () => {
    const pool = new SlabPool(1024, 1);
    const hasher = new Sha256Worker(pool.memory);
    hasher.close();
    await expect(hasher.digest()).rejects.toThrow('stopped');
    expect(hasher.failure).toBeInstanceOf(Error);
  });
});
