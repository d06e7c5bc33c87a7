// Backups through the Proxmox VE driver against the simulator, without SSH:
// the seeded job and archives read, a job created, changed, run now (vzdump
// on the nodes that hold its guests, followed by UPID) and deleted; a
// storage without backup content failing the run in PVE's words; a guest's
// backups, Back up now, cancel; and restore as a new VM and container with
// the archive's summary; an archive protected (its deletion then refused by
// PVE's worker, in PVE's words), its notes set, unprotected and deleted.
import { describe, expect, it } from 'vitest';
import { backupJobSpecSchema, type BackupJobSpec } from '../../shared/backups';
import type { Vm } from '../../shared/model';
import { PVE_VERSIONS, pveSchemasOrSkip } from '../pve-sim/schema';
import { simSuite, taskContext, until } from './sim-driver';

const haveSchemas = pveSchemasOrSkip('proxmox backups');

const job = (over: Partial<BackupJobSpec> = {}): BackupJobSpec =>
  backupJobSpecSchema.parse({
    schedule: 'sat 21:00',
    storage: 'local',
    all: false,
    vmids: [100, 101, 200],
    mode: 'snapshot',
    compress: 'zstd',
    retention: { keepLast: 2 },
    enabled: true,
    comment: 'web, db and dns',
    notesTemplate: '{{guestname}}',
    ...over,
  });

describe.skipIf(!haveSchemas).each(PVE_VERSIONS)('backups against the %s simulator', (version) => {
  const suite = simSuite(version, { taskStepMs: 10 });
  const connected = () => suite.connected();
  const vmNamed = (vms: Vm[], name: string): Vm => vms.find((v) => v.name === name)!;

  it('reads the jobs, the backup storages, the guests and the archives', async () => {
    const { d } = await connected();
    const o = await d.backups.overview();
    expect(o.jobs).toEqual([
      {
        id: 'backup-7c1a2f3e-9b41',
        nextRun: expect.any(Number),
        spec: {
          schedule: '02:30',
          storage: 'nfs-shared',
          all: true,
          vmids: [],
          mode: 'snapshot',
          compress: 'zstd',
          retention: { keepDaily: 7, keepWeekly: 4 },
          enabled: true,
          comment: 'Nightly, every guest',
          notesTemplate: '{{guestname}}',
        },
      },
    ]);
    expect(o.storages).toEqual([
      { id: 'local', shared: false, nodes: ['pve1', 'pve2', 'pve3'] },
      { id: 'nfs-shared', shared: true, nodes: ['pve1', 'pve2', 'pve3'] },
    ]);
    expect(o.guests.map((g) => [g.vmid, g.kind])).toEqual([
      [100, 'vm'],
      [101, 'vm'],
      [200, 'container'],
    ]);
    // The shared storage's two archives, read once (not once per node).
    expect(o.backups.map((b) => [b.vmid, b.storage, b.kind])).toEqual([
      [100, 'nfs-shared', 'vm'],
      [100, 'nfs-shared', 'vm'],
    ]);
    expect(o.backups[0]!.notes).toBe('web01');
  });

  it('creates a job, changes it, runs it now on the nodes of its guests, deletes it', async () => {
    const { d, store } = await connected();
    const c1 = taskContext();
    await d.backups.saveJob(undefined, job(), c1.ctx);
    expect(c1.commands()[0]).toMatch(
      /^pvesh create \/cluster\/backup --schedule 'sat 21:00' --storage local --mode snapshot --compress zstd --enabled 1 --prune-backups keep-last=2 --comment 'web, db and dns' --notes-template '\{\{guestname\}\}' --vmid 100,101,200$/,
    );
    const created = (await d.backups.overview()).jobs.find(
      (j) => j.spec.comment === 'web, db and dns',
    )!;
    expect(created.spec).toEqual(job());
    const c2 = taskContext();
    await d.backups.saveJob(created.id, job({ comment: '', vmids: [100, 101] }), c2.ctx);
    expect(c2.commands()[0]).toContain('--delete comment');
    const changed = (await d.backups.overview()).jobs.find((j) => j.id === created.id)!;
    expect(changed.spec).toMatchObject({ comment: '', vmids: [100, 101] });

    const run = taskContext();
    await d.backups.runJob(created.id, run.ctx);
    // One vzdump per node holding a guest of the job: 100 on pve1, 101 on pve2.
    expect(run.commands().filter((c) => c.includes('/vzdump'))).toEqual([
      "pvesh create /nodes/pve1/vzdump --vmid 100 --storage local --mode snapshot --compress zstd --prune-backups keep-last=2 --notes-template '{{guestname}}'",
      "pvesh create /nodes/pve2/vzdump --vmid 101 --storage local --mode snapshot --compress zstd --prune-backups keep-last=2 --notes-template '{{guestname}}'",
    ]);
    expect(run.details).toContain('pve2: INFO: Starting Backup of VM 101 (qemu)');
    const web = vmNamed(store.all('vms'), 'web01');
    const b = await d.backups.guestBackups(web);
    expect(b.storages).toEqual(['local', 'nfs-shared']);
    expect(b.backups.map((x) => x.storage)).toEqual(['local', 'nfs-shared', 'nfs-shared']);
    expect(b.backups[0]).toMatchObject({ vmid: 100, node: 'pve1', notes: 'web01', kind: 'vm' });

    const del = taskContext();
    await d.backups.deleteJob(created.id, del.ctx);
    expect(del.commands()).toEqual([`pvesh delete /cluster/backup/${created.id}`]);
    expect((await d.backups.overview()).jobs.map((j) => j.id)).not.toContain(created.id);
  });

  it('runs a job limited to one node there only', async () => {
    const { d } = await connected();
    await d.client.create('/cluster/backup', {
      id: 'only-pve2',
      schedule: '03:00',
      all: 1,
      node: 'pve2',
      storage: 'local',
    });
    const listed = (await d.backups.overview()).jobs.find((j) => j.id === 'only-pve2')!;
    expect(listed.node).toBe('pve2');
    const run = taskContext();
    await d.backups.runJob('only-pve2', run.ctx);
    expect(run.commands().filter((c) => c.includes('/vzdump'))).toEqual([
      'pvesh create /nodes/pve2/vzdump --all 1 --storage local --mode snapshot --compress 0 --prune-backups keep-all=1',
    ]);
    await d.client.delete('/cluster/backup/only-pve2');
  });

  it('fails a run on a storage without backup content, in PVE words', async () => {
    const { d } = await connected();
    const c = taskContext();
    await d.backups.saveJob(
      undefined,
      job({ storage: 'local-lvm', vmids: [200], comment: 'bad' }),
      c.ctx,
    );
    const id = (await d.backups.overview()).jobs.find((j) => j.spec.comment === 'bad')!.id;
    const run = taskContext();
    await expect(d.backups.runJob(id, run.ctx)).rejects.toThrow(
      /storage 'local-lvm' does not support backups/,
    );
  });

  it('backs up one guest now, and cancels a backup that runs', async () => {
    const { d, store } = await connected();
    const dns = vmNamed(store.all('vms'), 'dns01');
    const before = (await d.backups.guestBackups(dns)).backups.length;
    const c = taskContext();
    await d.backups.backupGuest(
      dns,
      { vmId: dns.id, storage: 'nfs-shared', mode: 'stop', compress: 'gzip' },
      c.ctx,
    );
    const after = (await d.backups.guestBackups(dns)).backups;
    expect(after).toHaveLength(before + 1);
    expect(after[0]!.volid).toMatch(/^nfs-shared:backup\/vzdump-lxc-200-.*\.tar\.gz$/);

    suite.sim.tasks.stepMs = 300;
    try {
      const slow = taskContext();
      const running = d.backups.backupGuest(
        dns,
        { vmId: dns.id, storage: 'local', mode: 'snapshot', compress: 'zstd' },
        slow.ctx,
      );
      await until(() => slow.details.some((l) => l.includes('Starting Backup')));
      slow.abort.abort();
      await expect(running).rejects.toThrow(/interrupted by signal/);
      expect(suite.sim.state.guests.get(200)!.lock).toBeUndefined();
    } finally {
      suite.sim.tasks.stepMs = 10;
    }
  });

  it('restores a VM backup as a new VM and a container backup as a new container', async () => {
    const { d, store } = await connected();
    const web = vmNamed(store.all('vms'), 'web01');
    const archive = (await d.backups.guestBackups(web)).backups.find((b) => b.shared)!;
    const plan = await d.backups.restorePlan(archive.volid, 'pve2');
    expect(plan.kind).toBe('vm');
    expect(plan.nextVmid).toBe(102);
    expect(plan.summary).toEqual(
      expect.arrayContaining([
        ['Name', 'web01'],
        ['CPUs', '2'],
        ['Memory', '2048 MiB'],
        ['Disk scsi0', 'local-lvm:vm-100-disk-0'],
      ]),
    );
    expect(plan.storages).toEqual(['local-lvm', 'nfs-shared']);
    const c = taskContext();
    await d.backups.restore(
      {
        hostId: 'h1',
        volid: archive.volid,
        node: 'pve2',
        vmid: plan.nextVmid,
        storage: 'local-lvm',
        start: false,
      },
      c.ctx,
    );
    expect(c.commands()[0]).toBe(
      `pvesh create /nodes/pve2/qemu --vmid 102 --storage local-lvm --unique 1 --archive ${archive.volid}`,
    );
    expect(c.details.at(-1)).toBe('pve2: TASK OK');
    await until(() =>
      store.all('vms').some((v) => v.placement?.primary === 'pve2' && /:vm:102$/.test(v.id)),
    );
    const conf = await d.client.get<Record<string, unknown>>('/nodes/pve2/qemu/102/config');
    expect(conf).toMatchObject({
      name: 'web01',
      scsi0: expect.stringMatching(/^local-lvm:vm-102-disk-0,/),
    });

    const dns = vmNamed(store.all('vms'), 'dns01');
    const ct = (await d.backups.guestBackups(dns)).backups[0]!;
    const ctPlan = await d.backups.restorePlan(ct.volid, ct.node);
    expect(ctPlan.kind).toBe('container');
    expect(ctPlan.summary[0]).toEqual(['Name', 'dns01']);
    const c2 = taskContext();
    await d.backups.restore(
      { hostId: 'h1', volid: ct.volid, node: ct.node, vmid: 260, start: true },
      c2.ctx,
    );
    expect(c2.commands()[0]).toBe(
      `pvesh create /nodes/${ct.node}/lxc --vmid 260 --unique 1 --start 1 --ostemplate ${ct.volid} --restore 1`,
    );
    expect(suite.sim.state.guests.get(260)).toMatchObject({ kind: 'lxc', status: 'running' });
    // A taken id: PVE's refusal, in its words.
    await expect(
      d.backups.restore(
        { hostId: 'h1', volid: ct.volid, node: ct.node, vmid: 101, start: false },
        taskContext().ctx,
      ),
    ).rejects.toThrow(/already exists/);
  });

  it('protects an archive, is refused its deletion, unprotects and deletes it', async () => {
    const { d, store } = await connected();
    const web = vmNamed(store.all('vms'), 'web01');
    await d.backups.backupGuest(
      web,
      { vmId: web.id, storage: 'local', mode: 'snapshot', compress: 'zstd' },
      taskContext().ctx,
    );
    const b = (await d.backups.guestBackups(web)).backups.find((x) => x.storage === 'local')!;
    expect(b.protected).toBe(false);
    const ref = { hostId: 'h1', volid: b.volid, node: b.node };
    const path = `/nodes/pve1/storage/local/content/${b.volid}`;

    const p = taskContext();
    await d.backups.protectBackup(ref, true, p.ctx);
    expect(p.commands()).toEqual([`pvesh set ${path} --protected 1`]);
    expect(p.steps).toEqual([`Protect ${b.volid.split('/').pop()}`]);
    const listed = (await d.backups.guestBackups(web)).backups.find((x) => x.volid === b.volid);
    expect(listed?.protected).toBe(true);

    // Notes: the list has their first line, the volume's info all of them.
    const n = taskContext();
    await d.backups.setBackupNotes(ref, 'before the upgrade\nkeep until 2027', n.ctx);
    expect(n.commands()).toEqual([
      `pvesh set ${path} --notes $'before the upgrade\\nkeep until 2027'`,
    ]);
    expect(await d.backups.backupNotes(ref)).toBe('before the upgrade\nkeep until 2027');
    const noted = (await d.backups.guestBackups(web)).backups.find((x) => x.volid === b.volid);
    expect(noted?.notes).toBe('before the upgrade');

    const refused = taskContext();
    await expect(d.backups.deleteBackup(ref, refused.ctx)).rejects.toThrow(
      `pve1: \`pvesh delete ${path}\` failed: cannot remove protected volume '${b.volid.slice(6)}' on 'local'.`,
    );
    expect(refused.states).toEqual(['0:running', '0:failed']);
    expect(suite.sim.state.backups!.archives.some((a) => a.volid === b.volid)).toBe(true);

    await d.backups.protectBackup(ref, false, taskContext().ctx);
    const del = taskContext();
    await d.backups.deleteBackup(ref, del.ctx);
    expect(del.commands()).toEqual([`pvesh delete ${path}`]);
    expect(del.details).toContain(`pve1: Removed volume '${b.volid}'`);
    expect(del.details.at(-1)).toBe('pve1: TASK OK');
    const after = (await d.backups.guestBackups(web)).backups.map((x) => x.volid);
    expect(after).not.toContain(b.volid);
    expect(suite.sim.state.backups!.archives.some((a) => a.volid === b.volid)).toBe(false);
  });
});
