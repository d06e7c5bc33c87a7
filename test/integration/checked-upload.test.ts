// The checked upload's parts against a lab node's real sshd and sftp-server:
// our SHA-256 (taken on a worker thread) against the node's, from a file and
// from a stream; the node's follower hashing a file as it grows; a cancelled
// upload of a local file leaving nothing behind.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { SFTPWrapper } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SshSession } from '../../core/ssh/session';
import {
  checkedUpload,
  followingSha256Argv,
  type CheckedUpload,
} from '../../core/transfers/checked-upload';
import type { ByteSource } from '../../core/transfers/slab-source';
import { labExec, openLabSession, waitFor } from '../lab';

const MIB = 2 ** 20;
const DIR = '/var/lib/libvirt/images';
let session: SshSession;
let home: string;

beforeAll(async () => {
  labExec('node1', ['sh', '-c', `rm -f ${DIR}/checked-* ${DIR}/.checked-*`]);
  session = await openLabSession();
  home = mkdtempSync(join(tmpdir(), 'clusterdeck-checked-'));
});

afterAll(() => {
  session?.close();
  rmSync(home, { recursive: true, force: true });
  labExec('node1', ['sh', '-c', `rm -f ${DIR}/checked-* ${DIR}/.checked-*`]);
});

const filesOnNode = () => labExec('node1', ['ls', '-A', DIR]).split('\n').filter(Boolean);

function call<T>(fn: (cb: (err: Error | null | undefined, v: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v))));
}

async function upload(
  name: string,
  source: ByteSource,
  bytes: number,
  more?: Partial<CheckedUpload>,
) {
  const sftp = await session.sftp();
  try {
    return await checkedUpload({
      exec: (argv, opts) => session.exec(argv, opts),
      sftp,
      source,
      bytes,
      tmpPath: `${DIR}/.${name}.part`,
      finalPath: `${DIR}/${name}`,
      signal: new AbortController().signal,
      onProgress: () => undefined,
      ...more,
    });
  } finally {
    sftp.end();
  }
}

describe('checked upload', () => {
  // Not a whole number of slabs or SFTP writes: the last ones are partial.
  const bytes = randomBytes(24 * MIB + 12_345);
  const sha256 = createHash('sha256').update(bytes).digest('hex');

  it('hashes a local file as sent, on a worker thread, and the node agrees', async () => {
    const file = join(home, 'a.img');
    writeFileSync(file, bytes);
    const r = await upload('checked-file.img', { path: file }, bytes.length);
    expect(r).toEqual({ sha256, nodeSha256: sha256 });
    const onNode = labExec('node1', ['sha256sum', `${DIR}/checked-file.img`]).split(' ')[0];
    expect(onNode).toBe(sha256);
  });

  it('hashes a stream’s small pieces as sent, and the node agrees', async () => {
    const pieces = Array.from({ length: Math.ceil(bytes.length / 65536) }, (_, i) =>
      bytes.subarray(i * 65536, (i + 1) * 65536),
    );
    const r = await upload('checked-stream.img', { stream: Readable.from(pieces) }, bytes.length);
    expect(r).toEqual({ sha256, nodeSha256: sha256 });
  });

  it('has the node hash a file as it grows, slowly and in small writes, then is renamed', async () => {
    const total = 40 * MIB + 7;
    const data = randomBytes(total);
    const tmp = `${DIR}/.checked-grow.part`;
    const final = `${DIR}/checked-grow.img`;
    const following = session.exec(followingSha256Argv(tmp, final, total), {});
    const sftp: SFTPWrapper = await session.sftp();
    try {
      const handle = await call<Buffer>((cb) => sftp.open(tmp, 'wx', cb));
      // 1 MiB at a time with pauses: the follower sees growth below its piece size.
      for (let at = 0; at < total; at += MIB) {
        const piece = data.subarray(at, at + MIB);
        await call<void>((cb) =>
          sftp.write(handle, piece, 0, piece.length, at, (e) => cb(e, undefined)),
        );
        if (at % (8 * MIB) === 0) await new Promise((r) => setTimeout(r, 120));
      }
      await call<void>((cb) => sftp.close(handle, (e) => cb(e, undefined)));
      await call<void>((cb) => sftp.rename(tmp, final, (e) => cb(e, undefined)));
    } finally {
      sftp.end();
    }
    const r = await following;
    expect(r.code).toBe(0);
    expect(r.stdout.split(/\s/)[0]).toBe(createHash('sha256').update(data).digest('hex'));
  });

  it('cancelled while reading a local file, removes its part and stops the node’s hasher', async () => {
    const file = join(home, 'big.img');
    writeFileSync(file, randomBytes(200 * MIB));
    const cancel = new AbortController();
    let seen = 0;
    const done = upload('checked-cancel.img', { path: file }, 200 * MIB, {
      signal: cancel.signal,
      onProgress: (n) => {
        seen = n;
        if (n >= 60 * MIB) cancel.abort();
      },
    });
    await expect(done).rejects.toMatchObject({ code: 'cancelled' });
    expect(seen).toBeGreaterThanOrEqual(60 * MIB);
    expect(seen).toBeLessThan(200 * MIB);
    expect(filesOnNode().filter((f) => f.includes('checked-cancel'))).toEqual([]);
    await waitFor(
      () => spawnSync('pgrep', ['-f', 'sha256-following .*checked-cancel']).status === 1,
      'the following hasher gone from the node',
    );
  });
});
