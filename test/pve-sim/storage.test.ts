// The simulator's storage: /storage create and remove per type (what PVE's
// plugins require and refuse, activation against the lab's servers), the
// scans, and uploads as pveproxy takes them (multipart only on the upload
// path), with the imgcopy worker's checksum check and the new volume listed.
import { createHash } from 'node:crypto';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pveCall, type PveResponse, taskEnded } from './client';
import { PVE_VERSIONS, pveSchemasOrSkip } from './schema';
import { startPveSim, type PveSim } from './server';

const haveSchemas = pveSchemasOrSkip('pve-sim storage');
const tokenId = 'root@pam!clusterdeck';
const secret = '4a2b6c8d-1e3f-4a5b-9c7d-0e1f2a3b4c5d';

/** A multipart POST as a browser's FormData sends it (fields, then the file part). */
function multipart(
  sim: PveSim,
  path: string,
  fields: Record<string, string>,
  file: { name: string; data: Buffer; field?: string } | undefined,
  contentType?: string,
): Promise<PveResponse> {
  const boundary = '----clusterdeck7d1c';
  const pieces: Buffer[] = [];
  for (const [k, v] of Object.entries(fields))
    pieces.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`),
    );
  if (file)
    pieces.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.field ?? 'filename'}"; filename="${file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
      file.data,
      Buffer.from('\r\n'),
    );
  pieces.push(Buffer.from(`--${boundary}--\r\n`));
  const body = Buffer.concat(pieces);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: sim.host,
        port: sim.port,
        method: 'POST',
        path: `/api2/json${path}`,
        rejectUnauthorized: false,
        headers: {
          Authorization: `PVEAPIToken=${tokenId}=${secret}`,
          'Content-Type': contentType ?? `multipart/form-data; boundary=${boundary}`,
          'Content-Length': body.length,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            reason: res.statusMessage ?? '',
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as PveResponse['body'],
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe.skipIf(!haveSchemas).each(PVE_VERSIONS)('the %s simulator’s storage', (version) => {
  let sim: PveSim;
  const call = (method: string, path: string, params: Record<string, string | number> = {}) =>
    pveCall(sim, method, path, params, { token: `${tokenId}=${secret}` });
  const taskEnd = async (node: string, upid: string) => (await taskEnded(call, node, upid)).exit;

  beforeAll(async () => {
    sim = await startPveSim({ version, tokens: { [tokenId]: secret }, taskStepMs: 5 });
  });
  afterAll(() => sim.close());
  afterAll(() => expect(sim.violations).toEqual([]));

  it('scans the lab: NFS exports, iSCSI targets, VGs, thin pools, zpools; an unknown server fails', async () => {
    const nfs = await call('GET', '/nodes/pve1/scan/nfs', { server: '192.0.2.50' });
    expect(nfs.body.data).toContainEqual({ path: '/mnt/tank/iso', options: '*' });
    const iscsi = await call('GET', '/nodes/pve1/scan/iscsi', { portal: '192.0.2.60' });
    expect(iscsi.body.data).toContainEqual({
      target: 'iqn.2005-10.org.freenas.ctl:vms',
      portal: '192.0.2.60:3260',
    });
    expect((await call('GET', '/nodes/pve1/scan/lvm')).body.data).toEqual([
      { vg: 'pve' },
      { vg: 'vmdata' },
    ]);
    expect((await call('GET', '/nodes/pve2/scan/lvm')).body.data).toEqual([{ vg: 'pve' }]);
    expect((await call('GET', '/nodes/pve1/scan/lvmthin', { vg: 'vmdata' })).body.data).toEqual([
      { lv: 'thin1' },
      { lv: 'thin2' },
    ]);
    expect((await call('GET', '/nodes/pve1/scan/zfs')).body.data).toContainEqual({ pool: 'tank' });
    const none = await call('GET', '/nodes/pve1/scan/nfs', { server: '192.0.2.99' });
    expect(none.status).toBe(500);
    expect(none.reason).toContain('showmount');
    // A CIFS server that wants a user refuses a guest listing.
    expect((await call('GET', '/nodes/pve1/scan/cifs', { server: '192.0.2.50' })).status).toBe(500);
    const shares = await call('GET', '/nodes/pve1/scan/cifs', {
      server: '192.0.2.50',
      username: 'pveuser',
      password: 'pw',
    });
    expect(shares.body.data).toContainEqual({ share: 'isos', description: 'Install media' });
  });

  it('creates an NFS storage (path set by PVE, shared), refuses a duplicate id, a wrong export, a missing option', async () => {
    const made = await call('POST', '/storage', {
      storage: 'nas-iso',
      type: 'nfs',
      server: '192.0.2.50',
      export: '/mnt/tank/iso',
      content: 'iso,vztmpl',
    });
    expect(made.status).toBe(200);
    expect(made.body.data).toEqual({ storage: 'nas-iso', type: 'nfs' });
    const cfg = await call('GET', '/storage/nas-iso');
    expect(cfg.body.data).toMatchObject({ path: '/mnt/pve/nas-iso', content: 'iso,vztmpl' });
    const res = await call('GET', '/cluster/resources', { type: 'storage' });
    const rows = (res.body.data as { storage: string; shared: number }[]).filter(
      (r) => r.storage === 'nas-iso',
    );
    expect(rows.map((r) => r.shared)).toEqual([1, 1, 1]);
    const dup = await call('POST', '/storage', {
      storage: 'nas-iso',
      type: 'dir',
      path: '/srv/x',
    });
    expect(dup.reason).toBe("storage ID 'nas-iso' already defined");
    const wrong = await call('POST', '/storage', {
      storage: 'nas-x',
      type: 'nfs',
      server: '192.0.2.50',
      export: '/nope',
    });
    expect(wrong.reason).toContain('access denied by server');
    expect((await call('GET', '/storage/nas-x')).status).toBe(500);
    const missing = await call('POST', '/storage', {
      storage: 'lv2',
      type: 'lvmthin',
      vgname: 'pve',
    });
    expect(missing.reason).toBe("missing value for required option 'thinpool'");
    const foreign = await call('POST', '/storage', {
      storage: 'lv3',
      type: 'lvm',
      vgname: 'pve',
      export: '/x',
    });
    expect(foreign.reason).toBe("unexpected property 'export'");
  });

  it('keeps a CIFS password out of storage.cfg and checks it at activation', async () => {
    const bad = await call('POST', '/storage', {
      storage: 'smb',
      type: 'cifs',
      server: '192.0.2.50',
      share: 'isos',
      username: 'someone',
      password: 's3cret',
    });
    expect(bad.reason).toContain('Permission denied');
    const ok = await call('POST', '/storage', {
      storage: 'smb',
      type: 'cifs',
      server: '192.0.2.50',
      share: 'isos',
      username: 'pveuser',
      password: 's3cret',
      content: 'iso',
    });
    expect(ok.status).toBe(200);
    expect(JSON.stringify((await call('GET', '/storage/smb')).body.data)).not.toContain('s3cret');
  });

  it('takes GlusterFS on PVE 8 only, as the schema has it', async () => {
    const r = await call('POST', '/storage', {
      storage: 'gl',
      type: 'glusterfs',
      server: '192.0.2.70',
      volume: 'gv0',
    });
    expect(r.status).toBe(version === 'pve8' ? 200 : 400);
  });

  it('uploads an ISO: multipart only, checksum verified by the worker, listed in the content', async () => {
    const data = Buffer.alloc(300_000, 7);
    const sha = createHash('sha256').update(data).digest('hex');
    const up = await multipart(
      sim,
      '/nodes/pve2/storage/local/upload',
      { content: 'iso', 'checksum-algorithm': 'sha256', checksum: sha },
      { name: 'tiny.iso', data },
    );
    expect(up.status).toBe(200);
    expect(await taskEnd('pve2', up.body.data as string)).toBe('OK');
    const content = await call('GET', '/nodes/pve2/storage/local/content', { content: 'iso' });
    expect(content.body.data).toContainEqual(
      expect.objectContaining({ volid: 'local:iso/tiny.iso', size: 300_000, format: 'iso' }),
    );
    // The node's own local storage: pve1 does not see pve2's file.
    const other = await call('GET', '/nodes/pve1/storage/local/content', { content: 'iso' });
    expect(JSON.stringify(other.body.data)).not.toContain('tiny.iso');

    const badSum = await multipart(
      sim,
      '/nodes/pve2/storage/local/upload',
      { content: 'iso', 'checksum-algorithm': 'sha256', checksum: '00'.repeat(32) },
      { name: 'bad.iso', data },
    );
    expect(await taskEnd('pve2', badSum.body.data as string)).toMatch(/^checksum mismatch/);
  });

  it('refuses what PVE refuses: no multipart, wrong content for the storage, a wrong extension, a storage without a path', async () => {
    const data = Buffer.from('x');
    const form = await call('POST', '/nodes/pve1/storage/local/upload', {
      content: 'iso',
      filename: 'a.iso',
    });
    expect(form.status).toBe(501);
    expect(form.reason).toContain('not implemented');
    const noIso = await multipart(
      sim,
      '/nodes/pve1/storage/local-lvm/upload',
      { content: 'iso' },
      { name: 'a.iso', data },
    );
    expect(noIso.reason).toBe("can't upload to storage type 'lvmthin'");
    const noContent = await multipart(
      sim,
      '/nodes/pve1/storage/nfs-shared/upload',
      { content: 'vztmpl' },
      { name: 'a.tar.zst', data },
    );
    expect(noContent.reason).toBe("storage 'nfs-shared' does not support 'vztmpl' content");
    const ext = await multipart(
      sim,
      '/nodes/pve1/storage/local/upload',
      { content: 'vztmpl' },
      { name: 'a.iso', data },
    );
    expect(ext.status).toBe(400);
    expect(ext.body.errors).toEqual({ filename: 'wrong file extension' });
    const elsewhere = await multipart(sim, '/storage', { storage: 'x1', type: 'dir' }, undefined);
    expect(elsewhere.status).toBe(506);
  });

  it('downloads from a URL with a download worker; an unknown URL fails the task', async () => {
    const data = Buffer.alloc(1000, 1);
    sim.state.storageLab!.urls['http://192.0.2.80/alpine.iso'] = data;
    const r = await call('POST', '/nodes/pve1/storage/local/download-url', {
      url: 'http://192.0.2.80/alpine.iso',
      content: 'iso',
      filename: 'alpine.iso',
    });
    expect(await taskEnd('pve1', r.body.data as string)).toBe('OK');
    const missing = await call('POST', '/nodes/pve1/storage/local/download-url', {
      url: 'http://192.0.2.80/none.iso',
      content: 'iso',
      filename: 'none.iso',
    });
    expect(await taskEnd('pve1', missing.body.data as string)).toMatch(/404/);
    // The same file again: download_file_from_url refuses to overwrite it.
    const again = await call('POST', '/nodes/pve1/storage/local/download-url', {
      url: 'http://192.0.2.80/alpine.iso',
      content: 'iso',
      filename: 'alpine.iso',
    });
    expect(await taskEnd('pve1', again.body.data as string)).toBe(
      "refusing to override existing file '/var/lib/vz/template/iso/alpine.iso'",
    );
    // Content is checked before the name on this call.
    const noContent = await call('POST', '/nodes/pve1/storage/nfs-shared/download-url', {
      url: 'http://192.0.2.80/alpine.iso',
      content: 'vztmpl',
      filename: 'alpine.iso',
    });
    expect(noContent.reason).toBe(
      "storage 'nfs-shared' is not configured for content-type 'vztmpl'",
    );
  });

  it('removes a storage; an unknown one is refused', async () => {
    expect((await call('DELETE', '/storage/nas-iso')).status).toBe(200);
    expect((await call('GET', '/storage/nas-iso')).status).toBe(500);
    const again = await call('DELETE', '/storage/nas-iso');
    expect(again.reason).toBe("storage 'nas-iso' does not exist");
  });
});
