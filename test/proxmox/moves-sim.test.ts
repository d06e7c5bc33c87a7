// Migrate VM on Proxmox VE: the driver's cluster moves against the simulator
// (test/pve-sim), through the real API client with the certificate pinned.
// The SSH side only answers bootstrap (the fingerprint, the token), as in
// driver-sim.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import type { Vm } from '../../shared/model';
import type { ProxmoxDriver } from '../../core/drivers/proxmox/driver';
import { InventoryStore } from '../../core/inventory/store';
import type { ExecResult } from '../../core/ssh/session';
import { PVE_VERSIONS, pveSchemasOrSkip } from '../pve-sim/schema';
import type { PveSim } from '../pve-sim/server';
import { crmCommand, haManage } from '../pve-sim/ha';
import { seedCluster } from '../pve-sim/state';
import { fakeSession, memorySecrets, probeFor, simSuite, taskContext, until } from './sim-driver';

const haveSchemas = pveSchemasOrSkip('proxmox moves');

/** The commands the fake session ran other than bootstrap's. */
const ran: string[] = [];

/** ha-manager writes the CRM's command file; here the simulator's CRM takes it at once. */
const haManager =
  (sim: PveSim) =>
  (argv: readonly string[]): ExecResult | undefined => {
    if (argv.slice(0, 3).join(' ') !== 'ha-manager crm-command node-maintenance') return undefined;
    ran.push(argv.join(' '));
    crmCommand(sim, `${argv[3]}-node-maintenance ${argv[4]}`);
    return { code: 0, stdout: '', stderr: '' };
  };

describe.skipIf(!haveSchemas).each(PVE_VERSIONS)(
  'Proxmox VE migrations (%s simulator)',
  (version) => {
    const suite = simSuite(version, { taskStepMs: 5 });
    let d: ProxmoxDriver;
    let store: InventoryStore;

    afterEach(() => {
      d.stop();
      expect(suite.sim.violations).toEqual([]);
      Object.assign(suite.sim.state, seedCluster()); // the server holds this same object
      suite.sim.tasks.stepMs = 5;
    });

    async function connected(): Promise<void> {
      store = new InventoryStore();
      ({ d } = suite.driver({
        store,
        secrets: memorySecrets(),
        probe: probeFor('9.1.1'),
        session: fakeSession(suite.sim, suite.tokens, haManager(suite.sim)),
        taskPollMs: 10,
        crmPollMs: 10,
      }));
      await d.start();
    }

    const vm = (name: string): Vm => store.all('vms').find((v) => v.name === name)!;
    const moves = () => d.clusterMoves;

    it('offers a running VM online migration to the nodes PVE allows, and says cluster-moves', async () => {
      suite.sim.state.storages.find((s) => s.storage === 'local-lvm')!.nodes = ['pve1', 'pve2'];
      await connected();
      expect(d.capabilities).toContain('cluster-moves');
      expect(await moves().selfNode()).toBe('pve1');
      const [live, offline] = await moves().moveOptions(vm('web01'));
      expect(live).toMatchObject({
        how: 'live',
        label: 'Online migration (qm migrate --online)',
        targets: [
          { node: 'pve2' },
          { node: 'pve3', refused: 'storage local-lvm is not available on pve3' },
        ],
      });
      expect(live!.refused).toBeUndefined();
      expect(offline!.refused).toMatch(/web01 is running/);
      const refused = await moves().checkMove(vm('web01'), { how: 'live', targetNode: 'pve3' });
      expect(refused).toMatchObject({
        node: 'pve1',
        check: { stack: 'Proxmox VE' },
        refusal: 'storage local-lvm is not available on pve3',
      });
      const ok = await moves().checkMove(vm('web01'), { how: 'live', targetNode: 'pve2' });
      expect(ok.refusal).toBeUndefined();
      expect(ok.step.argv).toEqual([
        'pvesh',
        'create',
        '/nodes/pve1/qemu/100/migrate',
        '--target',
        'pve2',
        '--online',
        '1',
        '--with-local-disks',
        '1',
      ]);
    });

    it('migrates a running VM online: the log and progress in the task, the VM on the target', async () => {
      await connected();
      const t = taskContext();
      await moves().runMove(vm('web01'), { how: 'live', targetNode: 'pve2' }, t.ctx);
      expect(suite.sim.state.guests.get(100)).toMatchObject({ node: 'pve2', status: 'running' });
      expect(vm('web01').placement?.primary).toBe('pve2');
      expect(vm('web01').state).toBe('running');
      expect(t.records[0]!.command).toBe(
        'pvesh create /nodes/pve1/qemu/100/migrate --target pve2 --online 1 --with-local-disks 1',
      );
      expect(t.details).toContainEqual(expect.stringMatching(/^pve1: .*drive-scsi0: transferred/));
      expect(t.details.at(-1)).toBe('pve1: TASK OK');
      // Figures from the log, in order, up to the end.
      expect(t.progress.length).toBeGreaterThan(3);
      expect(t.progress).toEqual([...t.progress].sort((a, b) => a - b));
      expect(t.progress.some((p) => p > 0 && p < 1)).toBe(true);
      expect(t.progress.at(-1)).toBe(1);
    });

    it("fails with PVE's reason where the migration fails, the VM still where it was", async () => {
      await connected();
      suite.sim.state.nodes[2]!.online = false;
      // The driver's view lags: it still thinks pve3 is online, so PVE's task is what refuses.
      const t = taskContext();
      await expect(
        moves().runMove(vm('web01'), { how: 'live', targetNode: 'pve3' }, t.ctx),
      ).rejects.toThrow(
        /^pve1: `pvesh create \/nodes\/pve1\/qemu\/100\/migrate .*` failed: migration aborted .*Can't connect to destination address using public key\.$/,
      );
      expect(suite.sim.state.guests.get(100)).toMatchObject({ node: 'pve1', status: 'running' });
      expect(suite.sim.state.guests.get(100)!.lock).toBeUndefined();
      // Read again, the offline node is refused before anything runs.
      await d.refresh();
      const [live] = await moves().moveOptions(vm('web01'));
      expect(live!.targets).toContainEqual({ node: 'pve3', refused: 'pve3 is offline' });
      const checked = await moves().checkMove(vm('web01'), { how: 'live', targetNode: 'pve3' });
      expect(checked.refusal).toBe('pve3 is offline');
      // A VM with a device of its node: every way refused with what PVE reports.
      suite.sim.state.guests.get(100)!.config.hostpci0 = '0000:01:00.0';
      const [dev] = await moves().moveOptions(vm('web01'));
      expect(dev!.refused).toMatch(/uses devices of pve1 \(hostpci0\)/);
    });

    it('refuses to migrate a guest to the node it is on with the API’s own answer', async () => {
      await connected();
      const t = taskContext();
      await expect(
        moves().runMove(vm('web01'), { how: 'live', targetNode: 'pve1' }, t.ctx),
      ).rejects.toThrow(
        /failed: 400 Parameter verification failed \(target: target is local node\.\)/,
      );
      const checked = await moves().checkMove(vm('web01'), { how: 'live', targetNode: 'pve1' });
      expect(checked.refusal).toBe('web01 is on pve1 already.');
    });

    it('cancels a migration by stopping its PVE task; the VM stays', async () => {
      await connected();
      suite.sim.tasks.stepMs = 1000;
      const t = taskContext();
      const running = moves().runMove(vm('web01'), { how: 'live', targetNode: 'pve2' }, t.ctx);
      await until(() => t.records.length > 0);
      t.abort.abort();
      await expect(running).rejects.toMatchObject({ code: 'cancelled' });
      expect(t.records.map((r) => r.command)).toContainEqual(
        expect.stringMatching(/^pvesh delete '\/nodes\/pve1\/tasks\/UPID:pve1:.*:qmigrate:100:/),
      );
      expect(suite.sim.state.guests.get(100)).toMatchObject({ node: 'pve1', status: 'running' });
      expect(suite.sim.state.guests.get(100)!.lock).toBeUndefined();
    });

    it('restart-migrates a running container, and migrates a stopped VM offline', async () => {
      await connected();
      const [restart, offline] = await moves().moveOptions(vm('dns01'));
      expect(restart).toMatchObject({
        how: 'restart',
        label: 'Restart migration (pct migrate --restart)',
      });
      expect(restart!.refused).toBeUndefined();
      expect(offline!.refused).toMatch(/dns01 is running/);
      const t = taskContext();
      await moves().runMove(vm('dns01'), { how: 'restart', targetNode: 'pve3' }, t.ctx);
      expect(t.records[0]!.command).toBe(
        'pvesh create /nodes/pve1/lxc/200/migrate --target pve3 --restart 1',
      );
      expect(t.details).toContainEqual(expect.stringMatching(/shutdown CT 200$/));
      expect(suite.sim.state.guests.get(200)).toMatchObject({ node: 'pve3', status: 'running' });
      expect(vm('dns01').placement?.primary).toBe('pve3');

      const [live, off] = await moves().moveOptions(vm('db01'));
      expect(live!.refused).toBe('db01 is not running: Proxmox VE migrates it offline.');
      expect(off).toMatchObject({ how: 'offline', label: 'Offline migration (qm migrate)' });
      await moves().runMove(vm('db01'), { how: 'offline', targetNode: 'pve1' }, taskContext().ctx);
      expect(suite.sim.state.guests.get(101)).toMatchObject({ node: 'pve1', status: 'stopped' });
    });

    it('enters HA maintenance: HA-managed guests leave the node, others are named; and ends it', async () => {
      suite.sim.state.guests.get(100)!.config.scsi0 = 'nfs-shared:100/vm-100-disk-0.qcow2,size=32G';
      haManage(suite.sim, 100);
      await connected();
      const plan = await moves().maintenancePlan('pve1', true);
      expect(plan.steps.map((st) => st.argv)).toEqual([
        ['ha-manager', 'crm-command', 'node-maintenance', 'enable', 'pve1'],
      ]);
      expect(plan.findings).toEqual([
        expect.objectContaining({
          check: 'web01',
          level: 'ok',
          detail: expect.stringMatching(
            /^web01 \(vm:100\) is HA-managed: the CRM migrates it online/,
          ),
        }),
        {
          check: 'dns01',
          level: 'warning',
          detail: 'dns01 is not HA-managed: maintenance mode leaves it running on pve1.',
          fix: 'Migrate it first (Migrate…), or add it to HA (ha-manager add ct:200).',
        },
      ]);
      const t = taskContext();
      await moves().runMaintenance('pve1', true, t.ctx);
      expect(ran).toContain('ha-manager crm-command node-maintenance enable pve1');
      expect(t.records[0]).toMatchObject({
        command: 'ha-manager crm-command node-maintenance enable pve1',
        exitCode: 0,
      });
      expect(suite.sim.state.guests.get(100)).toMatchObject({ node: 'pve2', status: 'running' });
      expect(suite.sim.state.guests.get(200)!.node).toBe('pve1');
      expect(t.details.at(-1)).toBe(
        'pve1 is in HA maintenance mode; the HA-managed guests left it.',
      );
      expect(vm('web01').placement?.primary).toBe('pve2');
      const role = (node: string) =>
        store.get('clusters', 'proxmox:homelab')!.managed!.nodes.find((n) => n.name === node)!.role;
      expect(role('pve1')).toBe('maintenance');
      expect(role('pve2')).not.toMatch(/maintenance|offline/);

      const exit = await moves().maintenancePlan('pve1', false);
      expect(exit.findings[0]!.detail).toBe('HA brings back the guests it moved off pve1.');
      await moves().runMaintenance('pve1', false, taskContext().ctx);
      expect(suite.sim.state.guests.get(100)!.node).toBe('pve1');
      expect(role('pve1')).not.toMatch(/maintenance|offline/);
    });

    it('fails the task when HA cannot move a guest off (a local disk), naming it', async () => {
      haManage(suite.sim, 100); // web01's disk is on local-lvm: HA's online migration fails
      await connected();
      await expect(moves().runMaintenance('pve1', true, taskContext().ctx)).rejects.toThrow(
        /^pve1 is in HA maintenance mode, but HA did not move vm:100 off it/,
      );
      expect(suite.sim.state.guests.get(100)).toMatchObject({ node: 'pve1', status: 'running' });
    });

    it('refuses maintenance where no other node can take the HA guests', async () => {
      haManage(suite.sim, 100);
      suite.sim.state.nodes[1]!.online = false;
      suite.sim.state.nodes[2]!.online = false;
      await connected();
      const plan = await moves().maintenancePlan('pve1', true);
      expect(plan.findings[0]).toMatchObject({
        level: 'problem',
        detail: expect.stringMatching(
          /^No other node is online and out of maintenance: HA has nowhere to move web01\./,
        ),
      });
    });
  },
);
