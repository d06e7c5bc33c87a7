// Uploads into a pool as the page sends them (an HTTP PUT to the one-time
// loopback URL), over SFTP to a real lab node: progress, integrity, cancel.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Backend } from '../../core/backend';
import { addLabNode, labExec, taskFinished, testBackendOptions, virshOn, waitFor } from '../lab';

let home: string;
let backend: Backend;
let node1: string;
let picked: string | undefined;
const MIB = 2 ** 20;

const pool = () =>
  backend.store.all('pools').find((p) => p.hostId === node1 && p.name === 'lab-images')!;

/** A source of `mib` MiB of random bytes, optionally paced, with its SHA-256. */
function source(mib: number, msPerMib = 0): { stream: Readable; sha256: Promise<string> } {
  const hash = createHash('sha256');
  let sent = 0;
  let resolveHash!: (h: string) => void;
  const sha256 = new Promise<string>((r) => (resolveHash = r));
  const block = randomBytes(MIB);
  const stream = new Readable({
    read() {
      if (sent === mib) {
        resolveHash(hash.digest('hex'));
        this.push(null);
        return;
      }
      sent++;
      // Vary each MiB so a reordered write could not pass the check.
      const chunk = Buffer.from(block);
      chunk.writeUInt32BE(sent, 0);
      hash.update(chunk);
      if (msPerMib) setTimeout(() => this.push(chunk), msPerMib);
      else this.push(chunk);
    },
  });
  return { stream, sha256 };
}

/** PUTs a stream as the page's fetch would; resolves with the HTTP status (0 if cut off). */
function put(url: string, body: Readable, bytes: number, origin?: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, {
      method: 'PUT',
      headers: { 'content-length': String(bytes), ...(origin && { origin }) },
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    body.pipe(req);
  });
}

function filesOnNode(): string[] {
  return labExec('node1', ['ls', '-A', pool().targetPath]).split('\n').filter(Boolean);
}

/** A file's permission bits and owner on the node, as `stat` gives them ("600 root"). */
function modeOnNode(name: string): string {
  return labExec('node1', ['stat', '-c', '%a %U', join(pool().targetPath, name)]).trim();
}

beforeAll(async () => {
  // Files an earlier, interrupted run may have left.
  labExec('node1', [
    'sh',
    '-c',
    'rm -f /var/lib/libvirt/images/upload-* /var/lib/libvirt/images/.upload-*',
  ]);
  virshOn('node1', ['pool-refresh', 'lab-images']);
  home = mkdtempSync(join(tmpdir(), 'clusterdeck-upload-'));
  // The desktop app's open dialog cannot run here; its answer can.
  backend = await Backend.start({ ...testBackendOptions(home), pickFile: async () => picked });
  node1 = await addLabNode(backend, 'node1');
});

afterAll(() => {
  backend?.close();
  rmSync(home, { recursive: true, force: true });
});

describe('upload into a pool', () => {
  it('writes 200 MiB with progress, checks its SHA-256 and lists the volume', async () => {
    const { taskId, url } = (await backend.call('startUpload', {
      poolId: pool().id,
      name: 'upload-200.img',
      bytes: 200 * MIB,
    })) as { taskId: string; url: string };
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
    const seen = new Set<number>();
    const poll = setInterval(() => {
      const t = backend.store.get('tasks', taskId);
      if (t) seen.add(t.progress);
    }, 20);
    // Paced to last over 1.6 s: progress is shown at most every 200 ms, and an
    // unpaced upload here can finish in under a second, too soon to see it move.
    const { stream, sha256 } = source(200, 8);
    const status = await put(url, stream, 200 * MIB);
    const task = await taskFinished(backend, taskId, 60_000);
    clearInterval(poll);
    expect(task.error).toBeUndefined();
    expect(status).toBe(204);
    expect(task.state).toBe('succeeded');
    // Progress moved through values between 0 and 1, not just the two ends.
    expect([...seen].filter((p) => p > 0.05 && p < 0.9).length).toBeGreaterThan(3);
    expect(task.detail).toMatch(/200 MiB of 200 MiB · .*MiB\/s · SHA-256 [0-9a-f]{16}… matches/);
    // The node hashed the file as it was written (the follower named in the log).
    expect(task.log.map((r) => r.command).join('\n')).toContain(
      `sha256-following ${join(pool().targetPath, '.upload-200.img.clusterdeck-upload')} ${join(pool().targetPath, 'upload-200.img')} ${200 * MIB}`,
    );
    const onNode = labExec('node1', ['sha256sum', join(pool().targetPath, 'upload-200.img')]);
    expect(onNode.split(' ')[0]).toBe(await sha256);
    expect(modeOnNode('upload-200.img')).toBe('600 root');
    await waitFor(
      () => pool().volumes.find((v) => v.name === 'upload-200.img')?.capacity === 200 * MIB,
      'the volume listed at 200 MiB',
    );
    expect(filesOnNode().filter((f) => f.includes('clusterdeck-upload'))).toEqual([]);
  });

  it('reads a file chosen in the desktop app’s own dialog itself: the page gets no path', async () => {
    const file = join(home, 'chosen disk.img');
    const bytes = randomBytes(48 * MIB);
    writeFileSync(file, bytes);
    expect(await backend.call('appInfo', {})).toEqual({ nativeFilePicker: true });
    picked = undefined;
    expect(await backend.call('chooseLocalFile', {})).toBeNull();
    picked = file;
    const chosen = (await backend.call('chooseLocalFile', {})) as {
      fileId: string;
      name: string;
      bytes: number;
    };
    expect(chosen).toEqual({
      fileId: expect.any(String),
      name: 'chosen disk.img',
      bytes: 48 * MIB,
    });
    expect(JSON.stringify(chosen)).not.toContain(home);
    const started = (await backend.call('startUpload', {
      poolId: pool().id,
      name: 'upload-chosen.img',
      bytes: chosen.bytes,
      fileId: chosen.fileId,
    })) as { taskId: string; url?: string };
    expect(started.url).toBeUndefined();
    const task = await taskFinished(backend, started.taskId, 60_000);
    expect(task.error).toBeUndefined();
    expect(task.steps?.[0]?.title).toBe(
      `node1: Read upload-chosen.img and write it to ${pool().targetPath}`,
    );
    const onNode = labExec('node1', ['sha256sum', join(pool().targetPath, 'upload-chosen.img')]);
    expect(onNode.split(' ')[0]).toBe(createHash('sha256').update(bytes).digest('hex'));
    // Readable by its owner only, as libvirt makes its own volumes.
    expect(modeOnNode('upload-chosen.img')).toBe('600 root');
    // The id was good for one upload.
    await expect(
      backend.call('startUpload', {
        poolId: pool().id,
        name: 'upload-again.img',
        bytes: chosen.bytes,
        fileId: chosen.fileId,
      }),
    ).rejects.toThrow('Choose the file again.');
  });

  it('cancelled half-way, leaves nothing behind on the node', async () => {
    const { taskId, url } = (await backend.call('startUpload', {
      poolId: pool().id,
      name: 'upload-cancelled.img',
      bytes: 200 * MIB,
    })) as { taskId: string; url: string };
    const { stream } = source(200, 15);
    const status = put(url, stream, 200 * MIB);
    await waitFor(
      () => (backend.store.get('tasks', taskId)?.progress ?? 0) >= 0.4,
      'progress past 40%',
      30_000,
    );
    // A partial file exists while it runs, under a temporary name only.
    expect(filesOnNode()).toContain('.upload-cancelled.img.clusterdeck-upload');
    await backend.call('cancelTask', { taskId });
    const task = await taskFinished(backend, taskId);
    expect(task.state).toBe('cancelled');
    expect([0, 499]).toContain(await status);
    stream.destroy();
    await waitFor(
      () => !filesOnNode().some((f) => f.includes('upload-cancelled')),
      'no partial file on the node',
    );
    expect(pool().volumes.some((v) => v.name.includes('upload-cancelled'))).toBe(false);
    // The node's hasher that followed the file stopped with it.
    await waitFor(
      () => spawnSync('pgrep', ['-f', 'sha256-following .*upload-cancelled']).status === 1,
      'the following hasher gone from the node',
    );
  });

  it('takes the bytes only once, from our own pages, of the announced size', async () => {
    const open = async (name: string) =>
      (await backend.call('startUpload', { poolId: pool().id, name, bytes: MIB })) as {
        taskId: string;
        url: string;
      };
    const a = await open('upload-a.img');
    expect(await put(a.url, source(1).stream, MIB, 'https://evil.example')).toBe(403);
    expect(
      await put(a.url.replace(/token=.*/, 'token=' + 'x'.repeat(32)), source(1).stream, MIB),
    ).toBe(403);
    expect(await put(a.url, source(1).stream, MIB)).toBe(204);
    // Refused after its one use, or already gone.
    expect([0, 403]).toContain(await put(a.url, source(1).stream, MIB));
    expect((await taskFinished(backend, a.taskId)).state).toBe('succeeded');

    await expect(
      backend.call('startUpload', { poolId: pool().id, name: 'upload-a.img', bytes: MIB }),
    ).rejects.toMatchObject({
      message: expect.stringMatching(/already has a volume named upload-a.img/),
    });
    await expect(
      backend.call('startUpload', { poolId: pool().id, name: '../etc/passwd', bytes: MIB }),
    ).rejects.toMatchObject({ code: 'invalid-input' });
    for (const f of ['upload-200.img', 'upload-a.img']) {
      const { taskId } = (await backend.call('volumeAction', {
        poolId: pool().id,
        volume: { op: 'delete', name: f },
      })) as { taskId: string };
      expect((await taskFinished(backend, taskId)).state).toBe('succeeded');
    }
  });

  it('downloads a volume with progress, byte for byte', async () => {
    const { taskId: up, url } = (await backend.call('startUpload', {
      poolId: pool().id,
      name: 'upload-dl.img',
      bytes: 8 * MIB,
    })) as { taskId: string; url: string };
    const { stream, sha256 } = source(8);
    expect(await put(url, stream, 8 * MIB)).toBe(204);
    expect((await taskFinished(backend, up)).state).toBe('succeeded');
    await waitFor(() => pool().volumes.some((v) => v.name === 'upload-dl.img'), 'upload-dl listed');

    const dl = (await backend.call('startDownload', {
      poolId: pool().id,
      volume: 'upload-dl.img',
    })) as { taskId: string; url: string };
    expect(dl.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
    const got = await new Promise<{ status: number; sha: string; bytes: number; name: string }>(
      (resolve, reject) => {
        get(dl.url, (res) => {
          const h = createHash('sha256');
          let bytes = 0;
          res.on('data', (d: Buffer) => {
            h.update(d);
            bytes += d.length;
          });
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              sha: h.digest('hex'),
              bytes,
              name: String(res.headers['content-disposition']),
            }),
          );
        }).on('error', reject);
      },
    );
    expect(got).toEqual({
      status: 200,
      sha: await sha256,
      bytes: 8 * MIB,
      name: 'attachment; filename="upload-dl.img"',
    });
    const task = await taskFinished(backend, dl.taskId);
    expect(task.state).toBe('succeeded');
    expect(task.detail).toMatch(/^8\.0 MiB of 8\.0 MiB · /);
    // The URL served once.
    const again = await new Promise<number>((resolve) =>
      get(dl.url, (res) => resolve(res.statusCode ?? 0)).on('error', () => resolve(0)),
    );
    expect([0, 403]).toContain(again);
    const del = (await backend.call('volumeAction', {
      poolId: pool().id,
      volume: { op: 'delete', name: 'upload-dl.img' },
    })) as { taskId: string };
    expect((await taskFinished(backend, del.taskId)).state).toBe('succeeded');
  });
});
