// The simulator's backups: jobs created, edited, refused and deleted as
// /cluster/backup does; vzdump workers that take time, write archives into
// the storage's content and prune by retention, fail on a storage without
// backup content and answer "OK" when the guests are on other nodes;
// restore making a new guest from the archive's config; an archive
// protected (its deletion then refused by the imgdel worker), its notes
// changed, unprotected and deleted, as pve-storage's Content.pm does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneGroup } from './backup-run';
import type { SimBackup } from './backups';
import { pveCall } from './client';
import { PVE_VERSIONS, pveSchemasOrSkip } from './schema';
import { startPveSim, type PveSim } from './server';
import { storageLab } from './storage-config';

const haveSchemas = pveSchemasOrSkip('pve-sim backups');

const archive = (ctime: number, extra: Partial<SimBackup> = {}): SimBackup => ({
  volid: `s:backup/${ctime}`,
  storage: 's',
  vmid: 100,
  kind: 'qemu',
  ctime,
  size: 1,
  format: 'vma.zst',
  config: {},
  ...extra,
});

describe('retention (prune-backups)', () => {
  const day = 86_400;
  const base = Date.UTC(2026, 10, 2, 12) / 1000; // a Monday
  // Buckets an earlier option kept do not count towards the next option's N, as in PVE.
  it('keeps the last N, then one per day, as PVE marks a backup group', () => {
    const group = [0, 1, 2, 3, 4].map((d) => archive(base + d * day));
    // two on the newest day
    group.push(archive(base + 4 * day + 60));
    const removed = pruneGroup(group, { 'keep-last': 1, 'keep-daily': 2 });
    expect(removed.map((a) => a.ctime).sort()).toEqual([base, base + day, base + 4 * day].sort());
  });
  it('removes nothing for keep-all or no option, and never a protected archive', () => {
    const group = [
      archive(base),
      archive(base + day, { protected: true }),
      archive(base + 2 * day),
    ];
    expect(pruneGroup(group, { 'keep-all': 1 })).toEqual([]);
    expect(pruneGroup(group, {})).toEqual([]);
    expect(pruneGroup(group, { 'keep-last': 1 }).map((a) => a.ctime)).toEqual([base]);
  });
  it('keeps one per ISO week and per month', () => {
    const group = [0, 1, 7, 8, 40].map((d) => archive(base + d * day));
    expect(pruneGroup(group, { 'keep-weekly': 3 }).map((a) => a.ctime)).toEqual([
      base + 7 * day,
      base,
    ]);
    expect(pruneGroup(group, { 'keep-monthly': 5 }).map((a) => a.ctime)).toEqual([
      base + 7 * day,
      base + day,
      base,
    ]);
  });
});

describe.skipIf(!haveSchemas).each(PVE_VERSIONS)('backups on the %s simulator', (version) => {
  let sim: PveSim;
  const call = (method: string, path: string, params: Record<string, string | number> = {}) =>
    pveCall(sim, method, path, params, { token: 'root@pam!t=s' });
  const ok = async (method: string, path: string, params: Record<string, string | number> = {}) => {
    const r = await call(method, path, params);
    expect(r.status, `${String(r.body.message)} ${JSON.stringify(r.body.errors)}`).toBe(200);
    return r.body.data;
  };
  async function run(node: string, path: string, params: Record<string, string | number>) {
    const upid = (await ok('POST', path, params)) as string;
    const task = `/nodes/${node}/tasks/${encodeURIComponent(upid)}`;
    for (;;) {
      const st = (await ok('GET', `${task}/status`)) as { status: string; exitstatus?: string };
      if (st.status === 'stopped') {
        const log = (await ok('GET', `${task}/log`, { limit: 500 })) as { t: string }[];
        return { upid, exit: st.exitstatus, log: log.map((l) => l.t) };
      }
      await new Promise((res) => setTimeout(res, 10));
    }
  }
  const backupsOf = async (node: string, storage: string, vmid?: number) =>
    (await ok('GET', `/nodes/${node}/storage/${storage}/content`, {
      content: 'backup',
      ...(vmid ? { vmid } : {}),
    })) as { volid: string; vmid: number; ctime: number; notes?: string; format: string }[];

  beforeAll(async () => {
    sim = await startPveSim({ version, tokens: { 'root@pam!t': 's' }, taskStepMs: 5 });
  });
  afterAll(async () => {
    expect(sim.violations).toEqual([]);
    await sim.close();
  });

  it('lists the seeded job with its retention as an object and its next run', async () => {
    const jobs = (await ok('GET', '/cluster/backup')) as Record<string, unknown>[];
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({
      id: 'backup-7c1a2f3e-9b41',
      all: 1,
      storage: 'nfs-shared',
      'prune-backups': { 'keep-daily': 7, 'keep-weekly': 4 },
    });
    expect(jobs[0]!['next-run']).toBeGreaterThan(Date.now() / 1000);
  });

  it('creates, edits and deletes a job; refuses what PVE refuses', async () => {
    const conflict = await call('POST', '/cluster/backup', {
      schedule: '21:00',
      all: 1,
      vmid: '100',
      storage: 'local',
    });
    expect(conflict.status).toBe(400);
    expect(conflict.body.errors).toMatchObject({ all: expect.stringContaining('conflicts') });
    const none = await call('POST', '/cluster/backup', { schedule: '21:00', storage: 'local' });
    expect(none.status).toBe(400);
    const unknown = await call('POST', '/cluster/backup', {
      schedule: '21:00',
      vmid: '100',
      color: 'red',
    });
    expect(unknown.status).toBe(400);
    await ok('POST', '/cluster/backup', {
      id: 'weekly-web',
      schedule: 'sun 01:00',
      vmid: '100,200',
      storage: 'local',
      mode: 'stop',
      compress: 'gzip',
      'prune-backups': 'keep-last=2',
      enabled: 0,
      comment: 'web and dns',
    });
    expect(
      (await call('POST', '/cluster/backup', { id: 'weekly-web', schedule: '1:00', all: 1 }))
        .status,
    ).toBe(500);
    await ok('PUT', '/cluster/backup/weekly-web', { all: 1, enabled: 1, delete: 'comment' });
    const job = (await ok('GET', '/cluster/backup/weekly-web')) as Record<string, unknown>;
    expect(job).toMatchObject({ all: 1, enabled: 1, mode: 'stop', schedule: 'sun 01:00' });
    expect(job.vmid).toBeUndefined();
    expect(job.comment).toBeUndefined();
    await ok('DELETE', '/cluster/backup/weekly-web');
    expect((await call('GET', '/cluster/backup/weekly-web')).status).toBe(500);
  });

  it('runs vzdump as a worker that writes archives and prunes by retention', async () => {
    const before = await backupsOf('pve1', 'local', 100);
    expect(before).toEqual([]);
    const first = await run('pve1', '/nodes/pve1/vzdump', {
      vmid: '100,200',
      storage: 'local',
      compress: 'zstd',
      mode: 'snapshot',
      'notes-template': '{{guestname}} on {{node}}',
    });
    expect(first.exit).toBe('OK');
    expect(first.log.join('\n')).toContain('INFO: Starting Backup of VM 100 (qemu)');
    expect(first.log.join('\n')).toContain('INFO: Starting Backup of VM 200 (lxc)');
    const [b100] = await backupsOf('pve1', 'local', 100);
    expect(b100!.volid).toMatch(
      /^local:backup\/vzdump-qemu-100-\d{4}_\d\d_\d\d-\d\d_\d\d_\d\d\.vma\.zst$/,
    );
    expect(b100!.notes).toBe('web01 on pve1');
    const [b200] = await backupsOf('pve1', 'local', 200);
    expect(b200!.volid).toMatch(/vzdump-lxc-200-.*\.tar\.zst$/);
    // Local storage: another node does not see pve1's archives.
    expect(await backupsOf('pve2', 'local')).toEqual([]);
    // Two more with keep-last=2: the oldest goes.
    for (let i = 0; i < 2; i++)
      await run('pve1', '/nodes/pve1/vzdump', {
        vmid: '100',
        storage: 'local',
        'prune-backups': 'keep-last=2',
      });
    const after = await backupsOf('pve1', 'local', 100);
    expect(after).toHaveLength(2);
    expect(after.map((a) => a.volid)).not.toContain(b100!.volid);
  });

  it('stops a running guest for a stop-mode backup and starts it again', async () => {
    const r = await run('pve1', '/nodes/pve1/vzdump', {
      vmid: '100',
      storage: 'local',
      mode: 'stop',
    });
    expect(r.exit).toBe('OK');
    const i = r.log.indexOf('INFO: stopping virtual guest');
    expect(i).toBeGreaterThan(0);
    expect(r.log.indexOf('INFO: restarting vm')).toBeGreaterThan(i);
    expect(sim.state.guests.get(100)!.status).toBe('running');
  });

  it('fails on a storage without backup content; answers OK for guests on other nodes', async () => {
    const bad = await run('pve1', '/nodes/pve1/vzdump', { vmid: '100', storage: 'local-lvm' });
    expect(bad.exit).toBe("storage 'local-lvm' does not support backups");
    const elsewhere = await ok('POST', '/nodes/pve1/vzdump', { vmid: '101', storage: 'local' });
    expect(elsewhere).toBe('OK');
  });

  it('cancels a running backup, releasing the guest', async () => {
    sim.tasks.stepMs = 200;
    try {
      const upid = (await ok('POST', '/nodes/pve1/vzdump', {
        vmid: '100',
        storage: 'local',
      })) as string;
      await new Promise((r) => setTimeout(r, 250));
      expect(sim.state.guests.get(100)!.lock).toBe('backup');
      await ok('DELETE', `/nodes/pve1/tasks/${encodeURIComponent(upid)}`);
      expect(sim.state.guests.get(100)!.lock).toBeUndefined();
    } finally {
      sim.tasks.stepMs = 5;
    }
  });

  it('restores a VM and a container as new guests from their archives', async () => {
    const [vm] = await backupsOf('pve1', 'nfs-shared', 100);
    const config = (await ok('GET', '/nodes/pve1/vzdump/extractconfig', {
      volume: vm!.volid,
    })) as string;
    expect(config).toContain('name: web01');
    const taken = await call('POST', '/nodes/pve1/qemu', { vmid: 101, archive: vm!.volid });
    expect(taken.status).toBe(500);
    const r = await run('pve1', '/nodes/pve1/qemu', {
      vmid: 150,
      archive: vm!.volid,
      storage: 'local-lvm',
      unique: 1,
    });
    expect(r.exit).toBe('OK');
    expect(r.upid).toContain(':qmrestore:150:');
    const c = (await ok('GET', '/nodes/pve1/qemu/150/config')) as Record<string, unknown>;
    expect(c).toMatchObject({ name: 'web01', cores: 2, memory: '2048' });
    expect(String(c.scsi0)).toMatch(/^local-lvm:vm-150-disk-0,/);
    expect(String(c.net0)).not.toContain('BC:24:11:5E:0A:01');
    const [ct] = await backupsOf('pve1', 'local', 200);
    const r2 = await run('pve1', '/nodes/pve1/lxc', {
      vmid: 250,
      ostemplate: ct!.volid,
      restore: 1,
      storage: 'local-lvm',
    });
    expect(r2.exit).toBe('OK');
    const c2 = (await ok('GET', '/nodes/pve1/lxc/250/config')) as Record<string, unknown>;
    expect(c2).toMatchObject({ hostname: 'dns01' });
    // The wrong kind: a container archive into qmrestore fails and leaves nothing.
    const wrong = await run('pve1', '/nodes/pve1/qemu', { vmid: 151, archive: ct!.volid });
    expect(wrong.exit).toMatch(/not a VMA archive/);
    expect(sim.state.guests.has(151)).toBe(false);
  });

  it('protects an archive, refuses its deletion, unprotects and deletes it', async () => {
    const made = await run('pve1', '/nodes/pve1/vzdump', { vmid: '100', storage: 'local' });
    expect(made.exit).toBe('OK');
    const [b] = (await backupsOf('pve1', 'local', 100)) as { volid: string; protected?: number }[];
    const volname = b!.volid.slice('local:'.length);
    // The volume id as pvesh writes it (a slash inside), or encoded as one segment.
    const raw = `/nodes/pve1/storage/local/content/${b!.volid}`;
    const encoded = `/nodes/pve1/storage/local/content/${encodeURIComponent(b!.volid)}`;
    const del = async (path: string) => {
      const upid = (await ok('DELETE', path)) as string;
      expect(upid).toMatch(/^UPID:pve1:[0-9A-F]{8}:[0-9A-F]{8,9}:[0-9A-F]{8}:imgdel:100@local:/);
      const task = `/nodes/pve1/tasks/${encodeURIComponent(upid)}`;
      for (;;) {
        const st = (await ok('GET', `${task}/status`)) as { status: string; exitstatus?: string };
        if (st.status === 'stopped') {
          const log = (await ok('GET', `${task}/log`)) as { t: string }[];
          return { exit: st.exitstatus, log: log.map((l) => l.t) };
        }
        await new Promise((res) => setTimeout(res, 10));
      }
    };

    expect(
      await ok('PUT', raw, { protected: 1, notes: 'before the upgrade\nkeep until 2027' }),
    ).toBeNull();
    // The list has the notes' first line; the volume's info all of them.
    expect((await backupsOf('pve1', 'local', 100))[0]).toMatchObject({
      volid: b!.volid,
      protected: 1,
      notes: 'before the upgrade',
    });
    expect(await ok('GET', raw)).toMatchObject({
      path: `/var/lib/vz/dump/${volname.slice('backup/'.length)}`,
      notes: 'before the upgrade\nkeep until 2027',
      protected: 1,
    });
    // The call answers a task; the worker refuses, as free_image does.
    const refused = await del(encoded);
    expect(refused.exit).toBe(`cannot remove protected volume '${volname}' on 'local'`);
    expect((await backupsOf('pve1', 'local', 100)).map((a) => a.volid)).toContain(b!.volid);

    await ok('PUT', encoded, { protected: 0, notes: '' });
    const plain = (await backupsOf('pve1', 'local', 100))[0] as Record<string, unknown>;
    expect(plain.protected).toBeUndefined();
    expect(plain.notes).toBeUndefined();
    const removed = await del(raw);
    expect(removed.exit).toBe('OK');
    expect(removed.log).toContain(`Removed volume '${b!.volid}'`);
    expect((await backupsOf('pve1', 'local', 100)).map((a) => a.volid)).not.toContain(b!.volid);
    // Gone: deleting again only warns, as free_image does for a missing file.
    const again = await del(raw);
    expect(again.exit).toBe('OK');
    expect((await call('GET', raw)).body.message).toBe(
      `volume_size_info on '${b!.volid}' failed - no format\n`,
    );
    expect(again.log[0]).toMatch(
      /^disk image '\/var\/lib\/vz\/dump\/vzdump-qemu-100-.*' does not exist$/,
    );
  });

  it('refuses what Content.pm refuses: a mismatched storage, attributes of a non-backup, a limit', async () => {
    const [a, b] = await backupsOf('pve1', 'nfs-shared', 100);
    const path = (volid: string, storage = 'nfs-shared') =>
      `/nodes/pve1/storage/${storage}/content/${volid}`;
    const mismatch = await call('PUT', path(a!.volid, 'local'), { protected: 1 });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.errors).toEqual({ volume: 'storage ID mismatch (nfs-shared != local)' });
    const unknown = await call('PUT', path(a!.volid), { protected: 1, color: 'red' });
    expect(unknown.status).toBe(400);
    const notBackup = await call('PUT', path('local:iso/debian-12.iso', 'local'), {
      protected: 1,
    });
    expect(notBackup.status).toBe(500);
    expect(notBackup.body.message).toBe("only backups support attribute 'protected'\n");
    const noStorage = await call('DELETE', path('nope:backup/x.vma', 'nope'));
    expect(noStorage.status).toBe(500);
    expect(noStorage.body.message).toBe("storage 'nope' does not exist\n");
    // Other content goes the same way, its task owned by no guest.
    const iso = 'nfs-shared:iso/ubuntu-24.04.1-live-server-amd64.iso';
    const isoUpid = (await ok('DELETE', path(iso))) as string;
    expect(isoUpid).toContain(':imgdel:nfs-shared:');
    const isoTask = `/nodes/pve1/tasks/${encodeURIComponent(isoUpid)}/status`;
    let st: { status?: string; exitstatus?: string } = {};
    while (st.status !== 'stopped') {
      await new Promise((res) => setTimeout(res, 10));
      st = (await ok('GET', isoTask)) as typeof st;
    }
    expect(st.exitstatus).toBe('OK');
    const isos = (await ok('GET', '/nodes/pve2/storage/nfs-shared/content', {
      content: 'iso',
    })) as { volid: string }[];
    expect(isos.map((v) => v.volid)).not.toContain(iso);
    // storage.cfg's max-protected-backups holds even for root.
    const cfg = (storageLab(sim.state).configs['nfs-shared'] ??= {});
    cfg['max-protected-backups'] = 1;
    try {
      await ok('PUT', path(a!.volid), { protected: 1 });
      const over = await call('PUT', path(b!.volid), { protected: 1 });
      expect(over.status).toBe(500);
      expect(over.body.message).toBe(
        "The number of protected backups per guest is limited to 1 on storage 'nfs-shared'\n",
      );
      // Protecting the one already protected again is no new protection.
      await ok('PUT', path(a!.volid), { protected: 1 });
    } finally {
      delete cfg['max-protected-backups'];
      await ok('PUT', path(a!.volid), { protected: 0 });
    }
  });
});
