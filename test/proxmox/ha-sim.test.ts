// Proxmox VE HA through the driver against the simulator, for PVE 8 (HA
// groups) and PVE 9 (node-affinity rules): the HA state on the cluster
// entity, Protect with HA with preferred nodes, Start and Shut down of an HA
// guest as the resource's requested state, Remove HA, and the poll's cost.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Host, Vm } from '../../shared/model';
import type { ProxmoxDriver } from '../../core/drivers/proxmox/driver';
import { HA_EVERY } from '../../core/drivers/proxmox/ha-driver';
import { InventoryStore } from '../../core/inventory/store';
import { haOf } from '../pve-sim/ha';
import { PVE_VERSIONS, pveSchemasOrSkip } from '../pve-sim/schema';
import { probeFor, simSuite, taskContext, until } from './sim-driver';

const haveSchemas = pveSchemasOrSkip('proxmox HA');

const MANAGER = { pve8: '8.4.1', pve9: '9.1.1' };

describe.skipIf(!haveSchemas).each(PVE_VERSIONS)(
  'Proxmox VE HA against the %s simulator',
  (version) => {
    const suite = simSuite(version, { taskStepMs: 10 });
    const probe = probeFor(MANAGER[version]);
    let d: ProxmoxDriver;
    const store = new InventoryStore();

    beforeAll(async () => {
      haOf(suite.sim.state).settleMs = 50;
      // The host this driver is, as the hosts service publishes it (its host name read at connect).
      const host: Host = {
        id: 'h1',
        name: 'pve1',
        address: '127.0.0.1',
        port: 22,
        user: 'root',
        auth: 'agent',
        state: 'connected',
        stack: 'proxmox',
        info: {
          hostname: 'pve1',
          cpuModel: 'Intel Xeon',
          cpus: 8,
          memoryKiB: 1,
          software: [],
          virtualization: 'kvm',
          uptimeSeconds: 1,
          uptimeReadAt: 0,
        },
      };
      store.put('hosts', 'h1', host);
      ({ d } = await suite.connected({ store, probe, pollMs: 50 }));
    });

    const vm = (name: string): Vm => store.all('vms').find((v) => v.name === name)!;
    const ha = () => store.get('clusters', 'proxmox:homelab')!.ha!;

    it('shows the HA manager on the cluster: quorum, its nodes, no resource yet', () => {
      expect(ha()).toMatchObject({
        stack: 'proxmox',
        manager: 'Proxmox VE HA',
        clusterName: 'homelab',
        quorate: true,
        resources: [],
      });
      expect(ha().nodes.map((n) => [n.name, n.state])).toEqual([
        ['pve1', 'online'],
        ['pve2', 'online'],
        ['pve3', 'online'],
      ]);
    });

    it('plans Protect with HA with the version’s own preferences and refuses an unknown node', async () => {
      const plan = await d.haGuests!.planProtect(vm('web01'), [
        { node: 'pve2', score: 1 },
        { node: 'pve3', score: 2 },
      ]);
      expect(plan.problems).toEqual([]);
      const commands = plan.steps.map((s) => s.command);
      if (version === 'pve8')
        expect(commands).toEqual([
          "pvesh create /cluster/ha/groups --group clusterdeck-100 --nodes pve3:2,pve2:1 --comment 'Preferred nodes of web01'",
          "pvesh create /cluster/ha/resources --sid vm:100 --state started --group clusterdeck-100 --comment 'web01, protected by Clusterdeck'",
        ]);
      else
        expect(commands).toEqual([
          "pvesh create /cluster/ha/resources --sid vm:100 --state started --comment 'web01, protected by Clusterdeck'",
          "pvesh create /cluster/ha/rules --rule clusterdeck-100 --type node-affinity --resources vm:100 --nodes pve3:2,pve2:1 --strict 0 --comment 'Preferred nodes of web01'",
        ]);
      const bad = await d.haGuests!.planProtect(vm('web01'), [{ node: 'pve7', score: 1 }]);
      expect(bad.problems).toEqual(['pve7 is not a node of homelab.']);
      expect(bad.steps).toEqual([]);
    });

    it('protects a running VM with preferred nodes: the resource, its preference, its state read back', async () => {
      const { ctx, commands } = taskContext();
      await d.haGuests!.protect(vm('web01'), [{ node: 'pve1', score: 5 }], ctx);
      expect(commands()).toHaveLength(2);
      const simHa = haOf(suite.sim.state);
      expect(simHa.resources.get('vm:100')).toMatchObject({ state: 'started' });
      if (version === 'pve8') {
        expect(simHa.groups.get('clusterdeck-100')).toMatchObject({ nodes: 'pve1:5' });
        expect(simHa.rules.size).toBe(0);
      } else {
        expect(simHa.rules.get('clusterdeck-100')).toMatchObject({
          type: 'node-affinity',
          resources: 'vm:100',
          nodes: 'pve1:5',
        });
        expect(simHa.groups.size).toBe(0);
      }
      const r = ha().resources.find((x) => x.id === 'vm:100')!;
      expect(r).toMatchObject({
        agent: 'vm',
        role: 'started',
        nodes: ['pve1'],
        vmUuid: vm('web01').uuid,
        preferred: [{ node: 'pve1', priority: 5 }],
        targetStopped: false,
      });
      expect(ha().dc).toBe('pve1');
      const again = await d.haGuests!.planProtect(vm('web01'), []);
      expect(again.problems).toEqual(['web01 is already protected with HA.']);
    });

    it('shuts down and starts an HA guest through HA: the requested state, not qm', async () => {
      const down = taskContext();
      await d.vmAction(vm('web01'), 'shutdown', down.ctx, 30);
      expect(down.commands()[0]).toBe('pvesh set /cluster/ha/resources/vm:100 --state stopped');
      expect(down.commands().some((c) => c.includes('/status/'))).toBe(false);
      expect(suite.sim.state.guests.get(100)!.status).toBe('stopped');
      expect(vm('web01').state).toBe('shutoff');
      expect(ha().resources.find((x) => x.id === 'vm:100')).toMatchObject({
        role: 'stopped',
        targetStopped: true,
        nodes: [],
      });
      const up = taskContext();
      await d.vmAction(vm('web01'), 'start', up.ctx, 30);
      expect(up.commands()[0]).toBe('pvesh set /cluster/ha/resources/vm:100 --state started');
      expect(suite.sim.state.guests.get(100)!.status).toBe('running');
      expect(vm('web01').state).toBe('running');
    });

    it('protects a running container without preferences: started, as it is', async () => {
      const { ctx, commands } = taskContext();
      await d.haGuests!.protect(vm('dns01'), [], ctx);
      expect(commands()).toEqual([
        "pvesh create /cluster/ha/resources --sid ct:200 --state started --comment 'dns01, protected by Clusterdeck'",
      ]);
      expect(ha().resources.find((x) => x.id === 'ct:200')).toMatchObject({ agent: 'ct' });
    });

    it('removes HA: the resource and what Clusterdeck made for it go; the guest runs on', async () => {
      const { ctx, commands } = taskContext();
      await d.haGuests!.unprotect(vm('web01'), ctx);
      expect(commands()).toEqual(
        version === 'pve8'
          ? [
              'pvesh delete /cluster/ha/resources/vm:100',
              'pvesh delete /cluster/ha/groups/clusterdeck-100',
            ]
          : ['pvesh delete /cluster/ha/resources/vm:100'],
      );
      const simHa = haOf(suite.sim.state);
      expect(simHa.resources.has('vm:100')).toBe(false);
      expect(simHa.groups.size + simHa.rules.size).toBe(0);
      expect(suite.sim.state.guests.get(100)!.status).toBe('running');
      expect(ha().resources.map((r) => r.id)).toEqual(['ct:200']);
      const none = await d.haGuests!.planUnprotect(vm('web01'));
      expect(none.problems).toEqual(['web01 is not protected with HA.']);
    });

    it('reads HA on an idle cluster only every few polls, and its configuration only on change', async () => {
      const before = d.haCounts!;
      const polls = d.pollCounts!.resources;
      await until(() => d.pollCounts!.resources >= polls + 3 * HA_EVERY, 10_000);
      const after = d.haCounts!;
      const n = d.pollCounts!.resources - polls;
      expect(after.status - before.status).toBeLessThanOrEqual(Math.ceil(n / HA_EVERY) + 1);
      expect(after.status - before.status).toBeGreaterThanOrEqual(2);
      expect(after.config).toBe(before.config);
      expect(suite.sim.violations).toEqual([]);
    });

    it('reads the HA status once a load: the read beside /cluster/status feeds the HA state too', async () => {
      // A driver of its own (the same saved token) whose poll stays out of the way.
      const own = await suite.connected({ probe, pollMs: 60_000 });
      const calls = vi.spyOn(own.d.client, 'call');
      const before = own.d.haCounts!;
      await own.d.refresh();
      const paths = calls.mock.calls.map(([method, path]) => `${method} ${path}`);
      expect(paths.filter((p) => p === 'GET /cluster/ha/status/current')).toHaveLength(1);
      expect(paths.filter((p) => p === 'GET /cluster/status')).toHaveLength(1);
      expect(paths.filter((p) => p === 'GET /cluster/resources')).toHaveLength(1);
      // The facet took that read (it sent none of its own) and has the state.
      expect(own.d.haCounts!.status).toBe(before.status);
      expect(own.store.get('clusters', 'proxmox:homelab')!.ha!.resources.map((r) => r.id)).toEqual(
        ha().resources.map((r) => r.id),
      );
      own.d.stop();
    });
  },
);
