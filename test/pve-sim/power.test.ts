// The simulator's pause and resume of VMs (qemu's status/suspend and
// status/resume, as worker tasks; the QMP status "paused" shown in
// status/current and /cluster/resources) and a shutdown no guest answers
// (ACPI off: the worker waits its timeout, then fails as qemu-server's).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pveCall } from './client';
import { PVE_VERSIONS, pveSchemasOrSkip } from './schema';
import { startPveSim, type PveSim } from './server';

const haveSchemas = pveSchemasOrSkip('pve-sim power');

describe.skipIf(!haveSchemas).each(PVE_VERSIONS)('power actions on the %s simulator', (version) => {
  let sim: PveSim;
  const call = (method: string, path: string, params: Record<string, string | number> = {}) =>
    pveCall(sim, method, path, params, { token: 'root@pam!t=s' });

  async function run(path: string, params: Record<string, string | number> = {}) {
    const r = await call('POST', path, params);
    expect(r.status, String(r.body.message)).toBe(200);
    const upid = r.body.data as string;
    for (;;) {
      const st = (await call('GET', `/nodes/pve1/tasks/${encodeURIComponent(upid)}/status`)).body
        .data as { status: string; exitstatus?: string };
      if (st.status === 'stopped') return { upid, exit: st.exitstatus };
      await new Promise((res) => setTimeout(res, 10));
    }
  }
  const resource = async (vmid: number) =>
    (
      (await call('GET', '/cluster/resources', { type: 'vm' })).body.data as {
        vmid: number;
        status: string;
      }[]
    ).find((g) => g.vmid === vmid)!;
  const current = async (vmid: number) =>
    (await call('GET', `/nodes/pve1/qemu/${vmid}/status/current`)).body.data as {
      status: string;
      qmpstatus: string;
    };

  beforeAll(async () => {
    sim = await startPveSim({ version, tokens: { 'root@pam!t': 's' }, taskStepMs: 5 });
  });
  afterAll(async () => {
    expect(sim.violations).toEqual([]);
    await sim.close();
  });

  it('pauses and resumes a running VM as qmsuspend and qmresume tasks', async () => {
    const s = await run('/nodes/pve1/qemu/100/status/suspend');
    expect(s.exit).toBe('OK');
    expect(s.upid).toMatch(/:qmsuspend:100:/);
    expect(await current(100)).toMatchObject({ status: 'running', qmpstatus: 'paused' });
    expect((await resource(100)).status).toBe('paused');
    // A paused VM refuses a shutdown before any worker starts.
    const refused = await call('POST', '/nodes/pve1/qemu/100/status/shutdown');
    expect(refused.status).toBe(500);
    expect(refused.body.message).toBe('VM is paused - cannot shutdown\n');
    const r = await run('/nodes/pve1/qemu/100/status/resume');
    expect(r.exit).toBe('OK');
    expect(r.upid).toMatch(/:qmresume:100:/);
    expect(await current(100)).toMatchObject({ status: 'running', qmpstatus: 'running' });
    expect((await resource(100)).status).toBe('running');
  });

  it('fails to pause a stopped VM, and has no pause for containers', async () => {
    sim.state.guests.get(101)!.node = 'pve1';
    expect((await run('/nodes/pve1/qemu/101/status/suspend')).exit).toBe('VM 101 not running');
    const ct = await call('POST', '/nodes/pve1/lxc/200/status/suspend');
    expect(ct.status).toBe(501);
  });

  it('lets a shutdown of a VM with ACPI off wait its timeout, then fail', async () => {
    sim.state.guests.get(100)!.config.acpi = 0;
    try {
      const t = Date.now();
      const s = await run('/nodes/pve1/qemu/100/status/shutdown', { timeout: 1 });
      expect(Date.now() - t).toBeGreaterThanOrEqual(1000);
      expect(s.exit).toBe('VM quit/powerdown failed - got timeout');
      expect((await current(100)).status).toBe('running');
    } finally {
      delete sim.state.guests.get(100)!.config.acpi;
    }
  });
});
