// The simulator's migrations (migrate.ts): PVE's precondition check, the
// refusals of its API, the failures of its migration task, the guest on the
// target at the end, and a cancelled migration leaving it where it was.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pveCall, taskEnded } from './client';
import { PVE_VERSIONS, pveSchemasOrSkip } from './schema';
import { startPveSim, type PveSim } from './server';
import { seedCluster } from './state';
import { crmCommand, haManage } from './ha';

const haveSchemas = pveSchemasOrSkip('pve-sim migrations');

const tokenId = 'root@pam!clusterdeck';
const secret = '4a2b6c8d-1e3f-4a5b-9c7d-0e1f2a3b4c5d';

describe.skipIf(!haveSchemas).each(PVE_VERSIONS)('migrations in the %s simulator', (version) => {
  let sim: PveSim;
  const call = (method: string, path: string, params: Record<string, string | number> = {}) =>
    pveCall(sim, method, path, params, { token: `${tokenId}=${secret}` });

  const ended = (node: string, upid: string) => taskEnded(call, node, upid);

  beforeAll(async () => {
    sim = await startPveSim({ version, tokens: { [tokenId]: secret }, taskStepMs: 5 });
  });
  afterAll(() => sim.close());
  afterEach(() => {
    expect(sim.violations).toEqual([]);
    Object.assign(sim.state, seedCluster()); // the server holds this same object
    sim.tasks.stepMs = 5;
  });

  it("reports a running VM's local disks and the nodes whose storages can take them", async () => {
    sim.state.storages.find((s) => s.storage === 'local-lvm')!.nodes = ['pve1', 'pve2'];
    const r = await call('GET', '/nodes/pve1/qemu/100/migrate');
    expect(r.status).toBe(200);
    expect(r.body.data).toMatchObject({
      running: 1,
      allowed_nodes: ['pve2'],
      not_allowed_nodes: { pve3: { unavailable_storages: ['local-lvm'] } },
      local_disks: [{ volid: 'local-lvm:vm-100-disk-0', size: 32 * 1024 ** 3, cdrom: 0 }],
      local_resources: [],
    });
    // On the wrong node, PVE does not find its config.
    expect((await call('GET', '/nodes/pve2/qemu/100/migrate')).status).toBe(500);
  });

  it('checks containers on PVE 9; PVE 8 has no such call', async () => {
    const r = await call('GET', '/nodes/pve1/lxc/200/migrate');
    if (version === 'pve8') expect(r.status).toBe(501);
    else
      expect(r.body.data).toEqual({
        running: 1,
        'allowed-nodes': ['pve2', 'pve3'],
        'not-allowed-nodes': {},
      });
  });

  it('migrates a running VM online: progress in the log, the VM on the target at the end', async () => {
    const r = await call('POST', '/nodes/pve1/qemu/100/migrate', {
      target: 'pve3',
      online: 1,
      'with-local-disks': 1,
    });
    expect(r.status).toBe(200);
    const upid = r.body.data as string;
    expect(upid).toMatch(/^UPID:pve1:.*:qmigrate:100:/);
    expect(sim.state.guests.get(100)!.lock).toBe('migrate');
    const { exit, log } = await ended('pve1', upid);
    expect(exit).toBe('OK');
    expect(log.join('\n')).toMatch(/drive-scsi0: transferred .* \(37\.50%\)/);
    expect(log.at(-2)).toMatch(/migration finished successfully/);
    expect(sim.state.guests.get(100)).toMatchObject({ node: 'pve3', status: 'running' });
    expect(sim.state.guests.get(100)!.lock).toBeUndefined();
  });

  it('refuses what PVE refuses up front', async () => {
    const local = await call('POST', '/nodes/pve1/qemu/100/migrate', { target: 'pve1', online: 1 });
    expect([local.status, local.body.errors]).toEqual([400, { target: 'target is local node.' }]);
    const unknown = await call('POST', '/nodes/pve1/qemu/100/migrate', { target: 'pve9' });
    expect([unknown.status, unknown.reason]).toEqual([500, "no such cluster node 'pve9'"]);
    const offline = await call('POST', '/nodes/pve1/qemu/100/migrate', { target: 'pve2' });
    expect(offline.reason).toBe("can't migrate running VM without --online");
    const ct = await call('POST', '/nodes/pve1/lxc/200/migrate', { target: 'pve2' });
    expect(ct.reason).toBe("can't migrate running container without --online or --restart");
    sim.state.guests.get(101)!.lock = 'backup';
    expect((await call('POST', '/nodes/pve2/qemu/101/migrate', { target: 'pve1' })).reason).toBe(
      'VM is locked (backup)',
    );
  });

  it('fails the task where the migration fails: an offline target, local devices, local disks', async () => {
    const fails = async (params: Record<string, string | number>, why: RegExp) => {
      const r = await call('POST', '/nodes/pve1/qemu/100/migrate', params);
      expect(r.status).toBe(200);
      const { exit } = await ended('pve1', r.body.data as string);
      expect(exit).toMatch(why);
      expect(sim.state.guests.get(100)).toMatchObject({ node: 'pve1', status: 'running' });
      expect(sim.state.guests.get(100)!.lock).toBeUndefined();
    };
    await fails({ target: 'pve2', online: 1 }, /without with-local-disks option/);
    sim.state.nodes[1]!.online = false;
    await fails(
      { target: 'pve2', online: 1, 'with-local-disks': 1 },
      /^migration aborted .*Can't connect to destination address/,
    );
    sim.state.nodes[1]!.online = true;
    sim.state.guests.get(100)!.config.hostpci0 = '0000:01:00.0';
    await fails(
      { target: 'pve2', online: 1, 'with-local-disks': 1 },
      /uses local devices: hostpci0/,
    );
    const pre = (await call('GET', '/nodes/pve1/qemu/100/migrate')).body.data;
    expect(pre).toMatchObject({ local_resources: ['hostpci0'] });
  });

  it('restart-migrates a running container: stopped on the way, running on the target', async () => {
    sim.tasks.stepMs = 30;
    const r = await call('POST', '/nodes/pve1/lxc/200/migrate', { target: 'pve2', restart: 1 });
    expect(r.status).toBe(200);
    const upid = r.body.data as string;
    expect(upid).toMatch(/:vzmigrate:200:/);
    const g = sim.state.guests.get(200)!;
    for (let i = 0; i < 100 && g.status === 'running'; i++)
      await new Promise((res) => setTimeout(res, 10));
    expect([g.status, g.node]).toEqual(['stopped', 'pve1']);
    const { exit, log } = await ended('pve1', upid);
    expect(exit).toBe('OK');
    expect(log[0]).toMatch(/shutdown CT 200$/);
    expect(log).toContainEqual(expect.stringMatching(/start container on target node$/));
    expect(g).toMatchObject({ node: 'pve2', status: 'running' });
  });

  it('migrates a stopped VM offline, and a cancelled migration leaves the guest where it was', async () => {
    const r = await call('POST', '/nodes/pve2/qemu/101/migrate', { target: 'pve1' });
    expect((await ended('pve2', r.body.data as string)).exit).toBe('OK');
    expect(sim.state.guests.get(101)).toMatchObject({ node: 'pve1', status: 'stopped' });
    sim.tasks.stepMs = 2000;
    const c = await call('POST', '/nodes/pve1/lxc/200/migrate', { target: 'pve3', restart: 1 });
    const upid = c.body.data as string;
    await new Promise((res) => setTimeout(res, 50));
    expect((await call('DELETE', `/nodes/pve1/tasks/${encodeURIComponent(upid)}`)).status).toBe(
      200,
    );
    expect((await ended('pve1', upid)).exit).toBe('interrupted by signal');
    const g = sim.state.guests.get(200)!;
    expect([g.node, g.status, g.lock]).toEqual(['pve1', 'running', undefined]);
  });
});

describe.skipIf(!haveSchemas).each(PVE_VERSIONS)(
  'HA node maintenance in the %s simulator',
  (version) => {
    let sim: PveSim;
    const call = (method: string, path: string) =>
      pveCall(sim, method, path, {}, { token: `${tokenId}=${secret}` });
    const lrm = async (node: string) =>
      (
        (await call('GET', '/cluster/ha/status/current')).body.data as Record<string, string>[]
      ).find((e) => e.id === `lrm:${node}`)!.status;

    beforeAll(async () => {
      sim = await startPveSim({ version, tokens: { [tokenId]: secret }, taskStepMs: 5 });
    });
    afterAll(() => sim.close());

    it('moves HA-managed guests off a node in maintenance, and back when it ends', async () => {
      // web01 on shared storage (HA migrates online, without local disks), dns01 a container.
      sim.state.guests.get(100)!.config.scsi0 = 'nfs-shared:100/vm-100-disk-0.qcow2,size=32G';
      haManage(sim, 100);
      haManage(sim, 200);
      const res = await call('GET', '/cluster/ha/resources');
      expect(res.body.data).toEqual([
        expect.objectContaining({ sid: 'vm:100' }),
        expect.objectContaining({ sid: 'ct:200' }),
      ]);
      expect(await lrm('pve1')).toMatch(/^pve1 \(active, /);
      crmCommand(sim, 'enable-node-maintenance pve1');
      expect(await lrm('pve1')).toMatch(/^pve1 \(maintenance mode, /);
      const guests = () => [100, 200].map((id) => sim.state.guests.get(id)!);
      for (let i = 0; i < 200 && guests().some((g) => g.node === 'pve1' || g.lock); i++)
        await new Promise((r) => setTimeout(r, 10));
      expect(guests().map((g) => [g.node, g.status])).toEqual([
        ['pve2', 'running'],
        ['pve2', 'running'],
      ]);
      const st = (await call('GET', '/cluster/ha/status/current')).body.data as Record<
        string,
        unknown
      >[];
      expect(st.find((e) => e.id === 'service:vm:100')).toMatchObject({
        node: 'pve2',
        crm_state: 'started',
      });
      crmCommand(sim, 'disable-node-maintenance pve1');
      expect(await lrm('pve1')).toMatch(/^pve1 \(active, /);
      for (let i = 0; i < 200 && guests().some((g) => g.node !== 'pve1' || g.lock); i++)
        await new Promise((r) => setTimeout(r, 10));
      expect(guests().map((g) => g.node)).toEqual(['pve1', 'pve1']);
      expect(() => crmCommand(sim, 'reboot-everything')).toThrow(/unknown crm command/);
      expect(sim.violations).toEqual([]);
    });
  },
);
