// The simulator's HA manager: what PVE 8 and PVE 9 accept and refuse, and
// the CRM acting on a requested state (the guest follows after a short delay).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pveCall } from './client';
import { haOf } from './ha';
import { PVE_VERSIONS, pveSchemasOrSkip } from './schema';
import { startPveSim, type PveSim } from './server';

const haveSchemas = pveSchemasOrSkip('pve-sim HA');
const tokenId = 'root@pam!clusterdeck';
const secret = '4a2b6c8d-1e3f-4a5b-9c7d-0e1f2a3b4c5d';

describe.skipIf(!haveSchemas).each(PVE_VERSIONS)('the %s simulator’s HA manager', (version) => {
  let sim: PveSim;
  const call = (method: string, path: string, params: Record<string, string | number> = {}) =>
    pveCall(sim, method, path, params, { token: `${tokenId}=${secret}` });
  const until = async (what: () => boolean): Promise<void> => {
    for (let i = 0; i < 200 && !what(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(what()).toBe(true);
  };

  beforeAll(async () => {
    sim = await startPveSim({ version, tokens: { [tokenId]: secret }, taskStepMs: 5 });
    haOf(sim.state).settleMs = 20;
  });
  afterAll(() => sim.close());

  it('answers status/current with the quorum alone while nothing is an HA resource', async () => {
    const r = await call('GET', '/cluster/ha/status/current');
    expect(r.status).toBe(200);
    expect(r.body.data).toEqual([
      { id: 'quorum', type: 'quorum', node: 'pve1', quorate: 1, status: 'OK' },
    ]);
  });

  it('refuses an unknown guest, a type that is not the guest’s, a malformed sid', async () => {
    expect((await call('POST', '/cluster/ha/resources', { sid: 'vm:999' })).status).toBe(500);
    const wrong = await call('POST', '/cluster/ha/resources', { sid: 'vm:200' });
    expect(wrong.status).toBe(500);
    expect(wrong.body.message).toBe('VM 200 does not exist\n');
    const bad = await call('POST', '/cluster/ha/resources', { sid: 'vm 100' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual({
      sid: 'invalid format - value does not look like a valid ha resource id\n',
    });
  });

  it('requests a stopped guest started: the CRM starts it; a second resource for it is refused', async () => {
    expect(sim.state.guests.get(101)!.status).toBe('stopped');
    expect((await call('POST', '/cluster/ha/resources', { sid: '101' })).status).toBe(200);
    await until(() => sim.state.guests.get(101)!.status === 'running');
    const dup = await call('POST', '/cluster/ha/resources', { sid: 'vm:101' });
    expect(dup.status).toBe(500);
    expect(dup.body.message).toBe("resource ID 'vm:101' already defined\n");
    const st = (await call('GET', '/cluster/ha/status/current')).body.data as Record<
      string,
      unknown
    >[];
    expect(st.map((e) => e.id)).toEqual([
      'quorum',
      'master',
      'lrm:pve1',
      'lrm:pve2',
      'lrm:pve3',
      'service:vm:101',
    ]);
    expect(st.at(-1)).toMatchObject({ crm_state: 'started', request_state: 'started' });
    expect((await call('PUT', '/cluster/ha/resources/vm:101', { state: 'stopped' })).status).toBe(
      200,
    );
    await until(() => sim.state.guests.get(101)!.status === 'stopped');
    // qm start of an HA guest is a request to HA, as PVE's API makes it.
    const started = await call('POST', '/nodes/pve2/qemu/101/status/start');
    expect(started.body.data).toMatch(/^UPID:pve2:[0-9A-F:]+:hastart:101:root@pam!clusterdeck:$/);
    await until(() => sim.state.guests.get(101)!.status === 'running');
    expect(haOf(sim.state).resources.get('vm:101')!.state).toBe('started');
    const current = await call('GET', '/nodes/pve2/qemu/101/status/current');
    expect((current.body.data as { ha: unknown }).ha).toEqual({ managed: 1, state: 'started' });
    await call('POST', '/nodes/pve2/qemu/101/status/shutdown');
    await until(() => sim.state.guests.get(101)!.status === 'stopped');
    expect(haOf(sim.state).resources.get('vm:101')!.state).toBe('stopped');
  });

  it(
    version === 'pve8'
      ? 'keeps preferences in groups; refuses a group naming an unknown node; has no rules'
      : 'keeps preferences in node-affinity rules; refuses groups, as migrated to rules',
    async () => {
      const group = await call('POST', '/cluster/ha/groups', { group: 'g1', nodes: 'pve3:2' });
      const rule = await call('POST', '/cluster/ha/rules', {
        rule: 'r1',
        type: 'node-affinity',
        resources: 'vm:101',
        nodes: 'pve3:2',
      });
      if (version === 'pve8') {
        expect(group.status).toBe(200);
        expect(rule.status).toBe(501);
        const unknown = await call('POST', '/cluster/ha/groups', { group: 'g2', nodes: 'pve9' });
        expect(unknown.status).toBe(500);
        expect(unknown.body.message).toMatch(/node 'pve9' does not exist/);
        expect(
          (await call('PUT', '/cluster/ha/resources/vm:101', { group: 'g1', state: 'started' }))
            .status,
        ).toBe(200);
      } else {
        expect(group.status).toBe(500);
        expect(group.body.message).toMatch(/migrated to rules/);
        expect(rule.status).toBe(200);
        expect(
          (await call('PUT', '/cluster/ha/resources/vm:101', { state: 'started' })).status,
        ).toBe(200);
      }
      // Stopped on pve2, the CRM starts it on the preferred node.
      await until(() => sim.state.guests.get(101)!.status === 'running');
      expect(sim.state.guests.get(101)!.node).toBe('pve3');
      expect(sim.violations).toEqual([]);
    },
  );

  it('moves a running resource to the higher-priority node its preference names', async () => {
    const ct = sim.state.guests.get(200)!;
    expect([ct.node, ct.status]).toEqual(['pve1', 'running']);
    if (version === 'pve8') {
      await call('POST', '/cluster/ha/groups', { group: 'g-ct', nodes: 'pve3:2,pve1:1' });
      await call('POST', '/cluster/ha/resources', { sid: 'ct:200', group: 'g-ct' });
    } else {
      await call('POST', '/cluster/ha/resources', { sid: 'ct:200' });
      await call('POST', '/cluster/ha/rules', {
        rule: 'r-ct',
        type: 'node-affinity',
        resources: 'ct:200',
        nodes: 'pve3:2,pve1:1',
      });
    }
    await until(() => ct.node === 'pve3');
    expect(ct.status).toBe('running');
    expect(sim.tasks.list('pve1').map((t) => t.type)).toContain('vzmigrate');
    expect((await call('DELETE', '/cluster/ha/resources/ct:200')).status).toBe(200);
    if (version === 'pve8')
      expect((await call('DELETE', '/cluster/ha/groups/g-ct')).status).toBe(200);
  });

  it('removes a resource; PVE 9 purges it from its rules', async () => {
    expect((await call('DELETE', '/cluster/ha/resources/vm:101')).status).toBe(200);
    expect((await call('GET', '/cluster/ha/resources')).body.data).toEqual([]);
    const rules = haOf(sim.state).rules;
    expect(rules.size).toBe(0);
    expect((await call('DELETE', '/cluster/ha/resources/vm:101')).status).toBe(500);
    expect(sim.violations).toEqual([]);
  });
});
