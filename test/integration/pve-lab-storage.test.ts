// Storage on the Proxmox lab through the backend's services over real SSH:
// New Storage Pool's choices read from pve1's API, Scan of the lab's filer
// from pve2, an NFS storage created (seen by pve3's own pvesh), an ISO
// uploaded into it through the app's upload path with progress and its
// SHA-256 checked by the node (listed by pve1's pvesh), a container template
// chosen in the desktop app's file dialog, then Remove storage.
// Starts the lab only where it is not up.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Backend } from '../../core/backend';
import type { StoragePool } from '../../shared/model';
import type { StorageOptions } from '../../shared/storage-api';
import { taskFinished, testBackendOptions, waitFor } from '../lab';
import {
  ensurePveLab,
  pveLabCommand,
  pveLabOrSkip,
  readPveLab,
  sshTo,
  type PveLab,
  type PveSsh,
} from '../pve-lab';

const canRun = pveLabOrSkip('pve-lab-storage');
const MIB = 2 ** 20;
// Removing a storage leaves its files (as PVE does): names of this run's own.
const RUN = Date.now().toString(36);
const ISO = `lab-${RUN}.iso`;

let lab: PveLab;
let startedLab = false;
let backend: Backend;
let home: string;
let hostId: string;
let picked = '';
const ssh: Record<string, PveSsh> = {};

async function pvesh(node: string, path: string): Promise<unknown> {
  const r = await ssh[node]!.exec(['pvesh', 'get', path, '--output-format', 'json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as unknown;
}

function put(url: string, body: Readable, bytes: number): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'PUT', headers: { 'content-length': String(bytes) } });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    body.pipe(req);
  });
}

const poolNamed = (name: string): StoragePool | undefined =>
  backend.store.all('pools').find((p) => p.hostId === hostId && p.name === name);

beforeAll(async () => {
  if (!canRun) return;
  ({ startedLab } = ensurePveLab(3));
  lab = readPveLab();
  for (const n of lab.nodes) ssh[n.name] = await sshTo(lab, n);
  home = mkdtempSync(join(tmpdir(), 'clusterdeck-pve-storage-'));
  writeFileSync(
    join(home, 'settings.json'),
    JSON.stringify({ version: 1, hosts: [], secrets: {} }),
  );
  // The desktop app's file dialog, answering the file a test put there.
  backend = await Backend.start({ ...testBackendOptions(home), pickFile: async () => picked });
  const pve1 = lab.nodes[0]!;
  ({ hostId } = (await backend.call('addHost', {
    name: 'pve1',
    address: pve1.host,
    port: pve1.port,
    user: lab.user,
    auth: 'key',
    keyPath: lab.keyPath,
    fingerprint: pve1.hostKeyFingerprint,
  })) as { hostId: string });
}, 180_000);

afterAll(() => {
  if (!canRun) return;
  backend?.close();
  for (const s of Object.values(ssh)) s.close();
  rmSync(home, { recursive: true, force: true });
  if (startedLab) pveLabCommand(['down']);
});

describe.skipIf(!canRun)('storage on the Proxmox lab, through the backend', () => {
  it('offers the release’s types, scans the filer from pve2 and creates an NFS storage', async () => {
    expect(backend.store.get('hosts', hostId)!.capabilities).toContain('storage-api');
    const o = (await backend.call('getStorageOptions', { hostId })) as StorageOptions;
    expect(o.nodes.map((n) => n.name)).toEqual(['pve1', 'pve2', 'pve3']);
    expect(o.types.some((t) => t.type === 'glusterfs')).toBe(lab.version === 'pve8');
    const scan = (await backend.call('scanStorage', {
      hostId,
      request: { node: 'pve2', kind: 'nfs', values: { server: '192.0.2.50' } },
    })) as { command: string; sources: { label: string; values: Record<string, string> }[] };
    expect(scan.command).toBe('pvesh get /nodes/pve2/scan/nfs --server 192.0.2.50');
    const iso = scan.sources.find((s) => s.values.export === '/mnt/tank/iso');
    expect(iso).toBeDefined();
    const spec = {
      storage: 'lab-iso',
      type: 'nfs',
      values: { server: '192.0.2.50', export: iso!.values.export! },
      content: ['iso', 'vztmpl'],
      nodes: [],
    };
    const plan = (await backend.call('planStorage', { hostId, spec })) as {
      steps: { command: string }[];
      problems: string[];
    };
    expect(plan.problems).toEqual([]);
    expect(plan.steps[0]!.command).toBe(
      'pvesh create /storage --storage lab-iso --type nfs --server 192.0.2.50 --export /mnt/tank/iso --content iso,vztmpl',
    );
    const { taskId } = (await backend.call('createStorage', { hostId, spec })) as {
      taskId: string;
    };
    const task = await taskFinished(backend, taskId, 60_000);
    expect(task.error).toBeUndefined();
    expect(await pvesh('pve3', '/storage/lab-iso')).toMatchObject({
      type: 'nfs',
      server: '192.0.2.50',
      export: '/mnt/tank/iso',
      path: '/mnt/pve/lab-iso',
    });
    await waitFor(() => poolNamed('lab-iso'), 'lab-iso in the store');
    // A second one of that id is refused before anything is sent.
    const again = (await backend.call('planStorage', { hostId, spec })) as { problems: string[] };
    expect(again.problems).toEqual(['The cluster already has a storage named lab-iso.']);
  }, 120_000);

  it('uploads an ISO into it with progress, the node checking its SHA-256; pvesh lists it', async () => {
    const bytes = 24 * MIB;
    const data = Buffer.alloc(bytes, 0x5a);
    const sha = createHash('sha256').update(data).digest('hex');
    const { taskId, url } = (await backend.call('startUpload', {
      poolId: poolNamed('lab-iso')!.id,
      name: ISO,
      bytes,
      content: 'iso',
      checksum: { algorithm: 'sha256', value: sha },
    })) as { taskId: string; url: string };
    const seen = new Set<number>();
    const poll = setInterval(() => {
      const t = backend.store.get('tasks', taskId);
      if (t) seen.add(t.progress);
    }, 10);
    const pieces = Array.from({ length: 24 }, (_, i) => data.subarray(i * MIB, (i + 1) * MIB));
    const status = await put(url, Readable.from(pieces), bytes);
    const task = await taskFinished(backend, taskId, 120_000);
    clearInterval(poll);
    expect(task.error).toBeUndefined();
    expect(status).toBe(204);
    expect([...seen].some((p) => p > 0 && p < 0.9)).toBe(true);
    expect(task.log.map((r) => r.command)[0]).toBe(
      `pvesh create /nodes/pve1/storage/lab-iso/upload --content iso --filename ${ISO} --checksum-algorithm sha256 --checksum ${sha}`,
    );
    const content = (await pvesh('pve1', '/nodes/pve1/storage/lab-iso/content')) as {
      volid: string;
      size: number;
    }[];
    expect(content).toContainEqual(
      expect.objectContaining({ volid: `lab-iso:iso/${ISO}`, size: bytes }),
    );
    await waitFor(
      () => poolNamed('lab-iso')?.volumes.find((v) => v.name === ISO),
      'the ISO in the pool view',
    );
    // The same name again: refused before a byte is sent (PVE would overwrite it).
    await expect(
      backend.call('startUpload', {
        poolId: poolNamed('lab-iso')!.id,
        name: ISO,
        bytes,
        content: 'iso',
      }),
    ).rejects.toThrow(`already has ${ISO}`);
    // A name Proxmox VE would refuse only after the whole file: refused first.
    await expect(
      backend.call('startUpload', {
        poolId: poolNamed('lab-iso')!.id,
        name: `lab-${RUN}.tar.zst`,
        bytes,
        content: 'iso',
      }),
    ).rejects.toThrow(/an ISO image's name ends in \.iso or \.img/);
  }, 180_000);

  it('uploads a container template chosen in the desktop app’s dialog', async () => {
    const name = `lab-${RUN}.tar.zst`;
    picked = join(home, name);
    const data = Buffer.alloc(3 * MIB + 17, 0x17);
    writeFileSync(picked, data);
    const chosen = (await backend.call('chooseLocalFile', {})) as { fileId: string; bytes: number };
    expect(chosen.bytes).toBe(data.length);
    const started = (await backend.call('startUpload', {
      poolId: poolNamed('lab-iso')!.id,
      name,
      bytes: chosen.bytes,
      fileId: chosen.fileId,
      content: 'vztmpl',
    })) as { taskId: string; url?: string };
    expect(started.url).toBeUndefined();
    const task = await taskFinished(backend, started.taskId, 60_000);
    expect(task.error).toBeUndefined();
    const content = (await pvesh('pve2', '/nodes/pve1/storage/lab-iso/content')) as {
      volid: string;
      size: number;
    }[];
    expect(content).toContainEqual(
      expect.objectContaining({ volid: `lab-iso:vztmpl/${name}`, size: data.length }),
    );
  }, 60_000);

  it('removes the storage from the cluster', async () => {
    const { taskId } = (await backend.call('removeStorage', {
      poolId: poolNamed('lab-iso')!.id,
    })) as { taskId: string };
    expect((await taskFinished(backend, taskId, 60_000)).error).toBeUndefined();
    const ids = ((await pvesh('pve2', '/storage')) as { storage: string }[]).map((s) => s.storage);
    expect(ids).not.toContain('lab-iso');
    await waitFor(() => !poolNamed('lab-iso'), 'lab-iso gone from the store');
  }, 60_000);
});
