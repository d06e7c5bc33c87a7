// Storage through the Proxmox VE driver against the simulator of PVE 8 and 9
// (no SSH): New Storage Pool's types checked against the pinned schema, the
// plan as its pvesh command with the CIFS password hidden, Scan filling the
// fields, create and remove, PVE's refusal in PVE's words, an ISO upload
// with its progress, checksum and cancel, the new volume in the storage's
// content, Download from URL.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { storageSpecSchema, type StorageSpec } from '../../shared/storage-api';
import type { StoragePool } from '../../shared/model';
import { PVE_VERSIONS, pveSchemasOrSkip } from '../pve-sim/schema';
import { PLUGINS } from '../pve-sim/storage-config';
import { probeFor, simSuite, taskContext } from './sim-driver';

const haveSchemas = pveSchemasOrSkip('proxmox storage');
const PASSWORD = 'Sm8-secret!';

describe.skipIf(!haveSchemas).each(PVE_VERSIONS)('storage against the %s simulator', (version) => {
  const suite = simSuite(version, { taskStepMs: 10 });
  const probe = probeFor(version === 'pve8' ? '8.4.1' : '9.1.1');
  const connected = () => suite.connected({ probe });
  const pool = (c: Awaited<ReturnType<typeof connected>>, name: string): StoragePool => {
    const p = c.store.all('pools').find((x) => x.name === name);
    if (!p) throw new Error(`no pool ${name}`);
    return p;
  };
  const spec = (s: Partial<StorageSpec> & Pick<StorageSpec, 'storage' | 'type'>): StorageSpec =>
    storageSpecSchema.parse({ values: {}, content: ['images'], nodes: [], ...s });

  it('offers the release’s types, each field a parameter of POST /storage in its schema', async () => {
    const { d } = await connected();
    const o = await d.storageApi.readStorageOptions();
    const types = o.types.map((t) => t.type);
    expect(types).toContain('nfs');
    expect(types.includes('glusterfs')).toBe(version === 'pve8');
    const post = suite.sim.schema.get('POST', '/storage')!;
    const props = post.parameters.properties!;
    const enumOfTypes = props.type!.enum as string[];
    for (const t of o.types) {
      expect(enumOfTypes).toContain(t.type);
      for (const f of t.fields) expect(Object.keys(props)).toContain(f.name);
    }
    // And as the simulator's plugins (pve-storage's options()) take them: required, allowed, content.
    for (const t of o.types) {
      const plugin = PLUGINS[t.type]!;
      expect(
        t.fields
          .filter((f) => f.required)
          .map((f) => f.name)
          .sort(),
        t.type,
      ).toEqual([...plugin.required].sort());
      for (const f of t.fields)
        expect([...plugin.required, ...plugin.optional], `${t.type}.${f.name}`).toContain(f.name);
      expect([...t.contents].sort(), t.type).toEqual([...plugin.contents].sort());
      expect(t.defaultContent, t.type).toEqual(plugin.defaultContent);
    }
    expect(o.nodes.map((n) => n.name)).toEqual(['pve1', 'pve2', 'pve3']);
    expect(o.storages).toEqual(['local', 'local-lvm', 'nfs-shared']);
  });

  it('plans NFS as its pvesh command; a taken id and a missing export stand in the way', async () => {
    const { d } = await connected();
    const o = await d.storageApi.readStorageOptions();
    const plan = d.storageApi.planStorage(
      spec({
        storage: 'nas-iso',
        type: 'nfs',
        values: { server: '192.0.2.50', export: '/mnt/tank/iso' },
        content: ['iso', 'vztmpl'],
      }),
      o,
    );
    expect(plan.problems).toEqual([]);
    expect(plan.steps.map((s) => s.command)).toEqual([
      'pvesh create /storage --storage nas-iso --type nfs --server 192.0.2.50 --export /mnt/tank/iso --content iso,vztmpl',
    ]);
    const bad = d.storageApi.planStorage(
      spec({ storage: 'local', type: 'nfs', values: { server: '192.0.2.50' } }),
      o,
    );
    expect(bad.problems).toEqual([
      'The cluster already has a storage named local.',
      'Export: enter a value.',
    ]);
  });

  it('scans the filer from a node and fills the fields', async () => {
    const { d } = await connected();
    const nfs = await d.storageApi.scanStorage({
      node: 'pve2',
      kind: 'nfs',
      values: { server: '192.0.2.50' },
    });
    expect(nfs.command).toBe('pvesh get /nodes/pve2/scan/nfs --server 192.0.2.50');
    expect(nfs.sources).toContainEqual({
      label: '/mnt/tank/iso (*)',
      values: { export: '/mnt/tank/iso' },
    });
    const iscsi = await d.storageApi.scanStorage({
      node: 'pve1',
      kind: 'iscsi',
      values: { portal: '192.0.2.60' },
    });
    expect(iscsi.sources[0]!.values).toEqual({
      target: 'iqn.2005-10.org.freenas.ctl:vms',
      portal: '192.0.2.60:3260',
    });
    const cifs = await d.storageApi.scanStorage({
      node: 'pve1',
      kind: 'cifs',
      values: { server: '192.0.2.50', username: 'pveuser', password: PASSWORD },
    });
    expect(cifs.command).toContain('--password <hidden>');
    expect(cifs.sources.map((s) => s.values.share)).toEqual(['isos', 'backup']);
    await expect(
      d.storageApi.scanStorage({ node: 'pve1', kind: 'nfs', values: { server: '192.0.2.99' } }),
    ).rejects.toThrow(/pvesh get \/nodes\/pve1\/scan\/nfs --server 192\.0\.2\.99.*showmount/);
  });

  it('creates NFS and CIFS storages (the password never shown), refuses a wrong export, removes one', async () => {
    const c = await connected();
    const t = taskContext();
    await c.d.storageApi.createStorage(
      spec({
        storage: 'nas-iso',
        type: 'nfs',
        values: { server: '192.0.2.50', export: '/mnt/tank/iso' },
        content: ['iso', 'vztmpl'],
      }),
      t.ctx,
    );
    expect(pool(c, 'nas-iso')).toMatchObject({ type: 'nfs', content: ['iso', 'vztmpl'] });
    const smb = taskContext();
    await c.d.storageApi.createStorage(
      spec({
        storage: 'smb-iso',
        type: 'cifs',
        values: { server: '192.0.2.50', share: 'isos', username: 'pveuser', password: PASSWORD },
        content: ['iso'],
      }),
      smb.ctx,
    );
    expect(smb.commands()[0]).toContain('--password <hidden>');
    expect(JSON.stringify([smb.records, smb.details])).not.toContain(PASSWORD);
    const wrong = taskContext();
    await expect(
      c.d.storageApi.createStorage(
        spec({
          storage: 'nas-x',
          type: 'nfs',
          values: { server: '192.0.2.50', export: '/nope' },
        }),
        wrong.ctx,
      ),
    ).rejects.toThrow(/pve1: `pvesh create \/storage .*access denied by server/);
    expect(c.store.all('pools').some((p) => p.name === 'nas-x')).toBe(false);
    await c.d.storageApi.removeStorage(pool(c, 'smb-iso'), taskContext().ctx);
    expect(c.store.all('pools').some((p) => p.name === 'smb-iso')).toBe(false);
  });

  it('uploads an ISO with progress and its SHA-256 checked by the node; it shows in the content', async () => {
    const c = await connected();
    const data = Buffer.alloc(3 * 1024 * 1024, 9);
    const t = taskContext();
    await c.d.storageApi.uploadToStorage(
      pool(c, 'local'),
      {
        name: 'tiny.iso',
        content: 'iso',
        bytes: data.length,
        checksum: { algorithm: 'sha256', value: createHash('sha256').update(data).digest('hex') },
        source: async () => Readable.from([data.subarray(0, 1 << 20), data.subarray(1 << 20)]),
      },
      t.ctx,
    );
    expect(t.progress.length).toBeGreaterThan(0);
    expect(t.commands()[0]).toMatch(
      /^pvesh create \/nodes\/pve1\/storage\/local\/upload --content iso --filename tiny\.iso --checksum-algorithm sha256 --checksum [0-9a-f]{64}$/,
    );
    expect(t.details.some((l) => l.includes('finished file import successfully'))).toBe(true);
    expect(pool(c, 'local').volumes).toContainEqual(
      expect.objectContaining({
        name: 'tiny.iso',
        path: 'local:iso/tiny.iso',
        capacity: data.length,
      }),
    );
  });

  it('fails on a wrong checksum, refuses a storage without that content before sending, cancels mid-way', async () => {
    const c = await connected();
    const data = Buffer.alloc(4096, 1);
    await expect(
      c.d.storageApi.uploadToStorage(
        pool(c, 'local'),
        {
          name: 'bad.iso',
          content: 'iso',
          bytes: data.length,
          checksum: { algorithm: 'sha256', value: '0'.repeat(64) },
          source: async () => Readable.from([data]),
        },
        taskContext().ctx,
      ),
    ).rejects.toThrow(/checksum mismatch/);
    expect(pool(c, 'local').volumes.some((v) => v.name === 'bad.iso')).toBe(false);
    let asked = false;
    await expect(
      c.d.storageApi.uploadToStorage(
        pool(c, 'nfs-shared'),
        {
          name: 'ct.tar.zst',
          content: 'vztmpl',
          bytes: 1,
          source: async () => ((asked = true), Readable.from([Buffer.from('x')])),
        },
        taskContext().ctx,
      ),
    ).rejects.toThrow(/nfs-shared does not hold container templates/);
    expect(asked).toBe(false);
    // Cancel while the bytes flow: the connection drops, pveproxy keeps nothing.
    const t = taskContext();
    const slow = new Readable({ read() {} });
    slow.push(Buffer.alloc(1024));
    const run = c.d.storageApi.uploadToStorage(
      pool(c, 'local'),
      { name: 'slow.iso', content: 'iso', bytes: 1 << 20, source: async () => slow },
      t.ctx,
    );
    setTimeout(() => t.abort.abort(), 100);
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    expect(suite.sim.state.storageLab!.tmpFiles.size).toBe(0);
    expect(pool(c, 'local').volumes.some((v) => v.name === 'slow.iso')).toBe(false);
  });

  it('downloads from a URL into a storage with a worker', async () => {
    const c = await connected();
    suite.sim.state.storageLab!.urls['https://images.example/alpine.tar.xz'] = Buffer.alloc(
      2048,
      3,
    );
    await c.d.storageApi.downloadToStorage(
      pool(c, 'local'),
      { url: 'https://images.example/alpine.tar.xz', filename: 'alpine.tar.xz', content: 'vztmpl' },
      taskContext().ctx,
    );
    expect(pool(c, 'local').volumes).toContainEqual(
      expect.objectContaining({ name: 'alpine.tar.xz', type: 'vztmpl' }),
    );
  });
});
