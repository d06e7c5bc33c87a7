// The simulator's guest edits, snapshots and clones: the config digest
// moves with every change (pending and snapshots too) and a stale one is
// refused; a running guest keeps what it cannot take now in [PENDING];
// disks only grow; snapshots form a tree by parent, refused under a lock;
// a rollback stops the guest unless its snapshot kept the RAM; a linked
// clone comes only from a template and shares its base volume.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pveCall } from './client';
import { PVE_VERSIONS, pveSchemasOrSkip } from './schema';
import { startPveSim, type PveSim } from './server';

const haveSchemas = pveSchemasOrSkip('pve-sim guest edits');
const STALE = 'detected modified configuration - file changed by other user? Try again.\n';

describe.skipIf(!haveSchemas).each(PVE_VERSIONS)('guest edits on the %s simulator', (version) => {
  let sim: PveSim;
  const call = (method: string, path: string, params: Record<string, string | number> = {}) =>
    pveCall(sim, method, path, params, { token: 'root@pam!t=s' });
  const data = async <T>(
    method: string,
    path: string,
    params: Record<string, string | number> = {},
  ) => {
    const r = await call(method, path, params);
    expect(r.status, String(r.body.message)).toBe(200);
    return r.body.data as T;
  };
  async function run(method: string, path: string, params: Record<string, string | number> = {}) {
    const upid = await data<string>(method, path, params);
    for (;;) {
      const st = await data<{ status: string; exitstatus?: string }>(
        'GET',
        `/nodes/${upid.split(':')[1]}/tasks/${encodeURIComponent(upid)}/status`,
      );
      if (st.status === 'stopped') return st.exitstatus;
      await new Promise((res) => setTimeout(res, 5));
    }
  }
  const config = (path: string, current = 0) =>
    data<Record<string, string | number>>('GET', `${path}/config`, current ? { current } : {});

  beforeAll(async () => {
    sim = await startPveSim({ version, tokens: { 'root@pam!t': 's' }, taskStepMs: 5 });
  });
  afterAll(async () => {
    expect(sim.violations).toEqual([]);
    await sim.close();
  });

  it('checks the digest, moves it on each change and keeps a running VM’s memory pending', async () => {
    const vm = '/nodes/pve1/qemu/100';
    const before = await config(vm);
    const stale = await call('PUT', `${vm}/config`, { name: 'web02', digest: 'a'.repeat(40) });
    expect(stale.status).toBe(500);
    expect(stale.body.message).toBe(STALE);
    await data('PUT', `${vm}/config`, {
      memory: 4096,
      name: 'web02',
      digest: String(before.digest),
    });
    const after = await config(vm);
    expect(after.digest).not.toBe(before.digest);
    // PVE 8.1+ types memory as a property string: '4096'.
    expect(after).toMatchObject({ memory: '4096', name: 'web02' });
    expect(await config(vm, 1)).toMatchObject({ memory: '2048', name: 'web02' });
    const pending = await data<{ key: string; value?: string; pending?: string }[]>(
      'GET',
      `${vm}/pending`,
    );
    expect(pending.find((p) => p.key === 'memory')).toEqual({
      key: 'memory',
      value: '2048',
      pending: '4096',
    });
    expect(pending.find((p) => p.key === 'name')).toEqual({ key: 'name', value: 'web02' });
    // The old digest no longer passes.
    expect(
      (await call('PUT', `${vm}/config`, { cores: 4, digest: String(before.digest) })).status,
    ).toBe(500);
    expect(await run('POST', `${vm}/status/reboot`)).toBe('OK');
    expect(await config(vm, 1)).toMatchObject({ memory: '4096' });
    expect(await data<unknown[]>('GET', `${vm}/pending`)).not.toContainEqual(
      expect.objectContaining({ pending: expect.anything() }),
    );
  });

  it('grows a disk as a worker and refuses to shrink it', async () => {
    const vm = '/nodes/pve1/qemu/100';
    expect(await run('PUT', `${vm}/resize`, { disk: 'scsi0', size: '40G' })).toBe('OK');
    expect(String((await config(vm)).scsi0)).toContain('size=40G');
    const shrink = await call('PUT', `${vm}/resize`, { disk: 'scsi0', size: '8G' });
    expect(shrink.body.message).toBe('shrinking disks is not supported\n');
    expect(await run('PUT', `${vm}/resize`, { disk: 'scsi0', size: '+2G' })).toBe('OK');
    expect(String((await config(vm)).scsi0)).toContain('size=42G');
  });

  it('keeps snapshots as a tree, with RAM of a running VM, and rolls back', async () => {
    const vm = '/nodes/pve1/qemu/100';
    const d0 = (await config(vm)).digest;
    expect(
      await run('POST', `${vm}/snapshot`, { snapname: 'one', vmstate: 1, description: 'before' }),
    ).toBe('OK');
    expect((await config(vm)).digest).not.toBe(d0);
    expect(await run('POST', `${vm}/snapshot`, { snapname: 'two' })).toBe('OK');
    expect(await run('POST', `${vm}/snapshot`, { snapname: 'two' })).toBe(
      "snapshot name 'two' already used",
    );
    const list = await data<
      { name: string; parent?: string; vmstate?: number; description: string }[]
    >('GET', `${vm}/snapshot`);
    expect(list.map((s) => [s.name, s.parent, s.vmstate])).toEqual([
      ['one', undefined, 1],
      ['two', 'one', 0],
      ['current', 'two', undefined],
    ]);
    await data('PUT', `${vm}/config`, { name: 'changed' });
    // RAM kept: back running; the name of 'one'.
    expect(await run('POST', `${vm}/snapshot/one/rollback`)).toBe('OK');
    expect(await config(vm)).toMatchObject({ name: 'web02' });
    expect(sim.state.guests.get(100)!.status).toBe('running');
    expect(await run('POST', `${vm}/snapshot/two/rollback`)).toBe('OK');
    expect(sim.state.guests.get(100)!.status).toBe('stopped');
    expect(await run('DELETE', `${vm}/snapshot/one`)).toBe('OK');
    const left = await data<{ name: string; parent?: string }[]>('GET', `${vm}/snapshot`);
    expect(left.map((s) => [s.name, s.parent])).toEqual([
      ['two', undefined],
      ['current', 'two'],
    ]);
    sim.state.guests.get(100)!.lock = 'backup';
    expect(await run('POST', `${vm}/snapshot`, { snapname: 'three' })).toBe(
      'VM is locked (backup)',
    );
    delete sim.state.guests.get(100)!.lock;
  });

  it('stops a running container to roll it back', async () => {
    const ct = '/nodes/pve1/lxc/200';
    const g = sim.state.guests.get(200)!;
    expect(g.status).toBe('running');
    expect(await run('POST', `${ct}/snapshot`, { snapname: 'base' })).toBe('OK');
    g.lock = 'mounted';
    expect(await run('POST', `${ct}/snapshot/base/rollback`)).toBe('CT is locked (mounted)');
    delete g.lock;
    expect(await run('POST', `${ct}/snapshot/base/rollback`)).toBe('OK');
    expect(g.status).toBe('stopped');
  });

  it('clones fully anywhere, linked only from a template, sharing its base', async () => {
    const src = '/nodes/pve2/qemu/101';
    expect(
      await run('POST', `${src}/clone`, { newid: 300, name: 'db02', target: 'pve3', full: 1 }),
    ).toBe('OK');
    const copy = sim.state.guests.get(300)!;
    expect(copy).toMatchObject({ node: 'pve3', status: 'stopped' });
    expect(copy.config.name).toBe('db02');
    expect(String(copy.config.scsi0)).toMatch(/^nfs-shared:300\/vm-300-disk-0\.qcow2,/);
    expect(copy.config.net0).not.toBe(sim.state.guests.get(101)!.config.net0);
    const linked = await call('POST', `${src}/clone`, { newid: 301, full: 0 });
    expect(linked.body.message).toBe("Linked clone feature is not supported for drive 'scsi0'\n");
    expect(await run('POST', `${src}/template`)).toBe('OK');
    expect(String(sim.state.guests.get(101)!.config.scsi0)).toContain('base-101-disk-0');
    expect(await run('POST', `${src}/clone`, { newid: 301, name: 'db03' })).toBe('OK');
    expect(String(sim.state.guests.get(301)!.config.scsi0)).toMatch(
      /^nfs-shared:101\/base-101-disk-0\.qcow2\/301\/vm-301-disk-0\.qcow2,/,
    );
    const taken = await call('POST', `${src}/clone`, { newid: 300 });
    expect(taken.body.message).toBe("VM 300 already exists on node 'pve3'\n");
    const res = await data<{ vmid: number; template: number }[]>('GET', '/cluster/resources', {
      type: 'vm',
    });
    expect(res.find((r) => r.vmid === 101)!.template).toBe(1);
    expect(await run('POST', `${src}/snapshot`, { snapname: 'xx' })).toBe(
      "you can't take a snapshot if it's a template",
    );
  });
});
