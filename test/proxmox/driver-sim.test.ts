// The Proxmox VE driver against the simulator (test/pve-sim), as
// sim-driver.ts connects it: bootstrap, the view, power actions, tasks.
import { describe, expect, it } from 'vitest';
import type { Vm } from '../../shared/model';
import { VM_ACTIONS } from '../../shared/vm-actions';
import { TOKEN_SECRET_NAME } from '../../core/drivers/proxmox/bootstrap';
import type { DriverSecrets } from '../../core/drivers/registry';
import type { InventoryStore } from '../../core/inventory/store';
import { PVE_VERSIONS, pveSchemasOrSkip } from '../pve-sim/schema';
import { memorySecrets, simSuite, taskContext, until } from './sim-driver';

const haveSchemas = pveSchemasOrSkip('proxmox driver');

describe.skipIf(!haveSchemas).each(PVE_VERSIONS)(
  'Proxmox VE driver against the %s simulator',
  (version) => {
    const suite = simSuite(version, { taskStepMs: 10 });
    const { tokens, secrets } = suite;
    const driver = (secrets: DriverSecrets) => suite.driver({ secrets });

    const vmNamed = (store: InventoryStore, name: string): Vm =>
      store.all('vms').find((v) => v.name === name)!;

    it('makes its token once, then shows the cluster: 3 nodes, quorum, VMs and containers', async () => {
      const { d, store, session } = driver(secrets);
      const info = await d.start();
      expect(session.ran.filter((c) => c.startsWith('pveum user token add'))).toHaveLength(1);
      expect(secrets.kept.get(TOKEN_SECRET_NAME)).toBe(tokens['root@pam!clusterdeck-t3st']);
      expect(info.software).toEqual([{ name: 'Proxmox VE', version: '8.2.4' }]);
      expect(info.cpus).toBe(8);
      const cluster = store.get('clusters', 'proxmox:homelab')!;
      expect(cluster.hostIds).toEqual(['h1']);
      expect(cluster.managed).toMatchObject({ stack: 'proxmox', quorate: true });
      expect(cluster.managed!.nodes.map((n) => [n.name, n.role])).toEqual([
        ['pve1', 'online'],
        ['pve2', 'online'],
        ['pve3', 'online'],
      ]);
      expect(vmNamed(store, 'web01')).toMatchObject({
        id: 'proxmox:homelab:vm:100',
        kind: 'vm',
        state: 'running',
        placement: { primary: 'pve1' },
      });
      expect(vmNamed(store, 'db01')).toMatchObject({ kind: 'vm', state: 'shutoff' });
      expect(vmNamed(store, 'dns01')).toMatchObject({ kind: 'container', state: 'running' });
      expect(store.all('pools').length).toBeGreaterThan(0);
      expect(d.entityId('vm', '100')).toBe('proxmox:homelab:vm:100');
      expect(suite.sim.violations).toEqual([]);
      d.stop();
    });

    it('reuses the saved token; makes it again when its secret was lost', async () => {
      const again = driver(secrets);
      await again.d.start();
      expect(again.session.ran.some((c) => c.startsWith('pveum'))).toBe(false);
      again.d.stop();
      const lost = memorySecrets();
      const other = driver(lost);
      await other.d.start();
      expect(other.session.ran.filter((c) => c.startsWith('pveum'))).toEqual([
        expect.stringMatching(/^pveum user token add root@pam clusterdeck-t3st /),
        'pveum user token delete root@pam clusterdeck-t3st',
        expect.stringMatching(/^pveum user token add /),
      ]);
      expect(lost.kept.get(TOKEN_SECRET_NAME)).toBe(tokens['root@pam!clusterdeck-t3st']);
      other.d.stop();
      // The first store's secret is the old one now; the one just made is kept.
      secrets.kept.set(TOKEN_SECRET_NAME, lost.kept.get(TOKEN_SECRET_NAME)!);
    });

    it('starts a VM through the API and follows its task; the simulator runs it', async () => {
      const { d, store } = driver(secrets);
      await d.start();
      const { ctx, records, details } = taskContext();
      await d.vmAction(vmNamed(store, 'db01'), 'start', ctx, 60);
      expect(suite.sim.state.guests.get(101)!.status).toBe('running');
      expect(vmNamed(store, 'db01').state).toBe('running');
      expect(records.map((r) => r.command)).toContain(
        'pvesh create /nodes/pve2/qemu/101/status/start',
      );
      expect(details.at(-1)).toBe('pve2: TASK OK');
      // No secret in what the task shows.
      const secret = secrets.kept.get(TOKEN_SECRET_NAME)!;
      expect(JSON.stringify([records, details])).not.toContain(secret);
      d.stop();
    });

    it('pauses and resumes a VM (status/suspend, status/resume); a container offers no pause', async () => {
      const { d, store } = driver(secrets);
      await d.start();
      expect(vmNamed(store, 'web01').actions).toEqual([...VM_ACTIONS]);
      expect(vmNamed(store, 'dns01').actions).toEqual(['start', 'shutdown', 'destroy', 'reboot']);
      const { ctx, records, details } = taskContext();
      await d.vmAction(vmNamed(store, 'web01'), 'suspend', ctx, 60);
      expect(records.map((r) => r.command)).toContain(
        'pvesh create /nodes/pve1/qemu/100/status/suspend',
      );
      expect(details.at(-1)).toBe('pve1: TASK OK');
      expect(suite.sim.state.guests.get(100)!.paused).toBe(true);
      expect(vmNamed(store, 'web01').state).toBe('paused');
      await d.vmAction(vmNamed(store, 'web01'), 'resume', taskContext().ctx, 60);
      expect(suite.sim.state.guests.get(100)!.paused).toBeUndefined();
      expect(vmNamed(store, 'web01').state).toBe('running');
      const ct = taskContext();
      await expect(
        d.vmAction(vmNamed(store, 'dns01'), 'suspend', ct.ctx, 60),
      ).rejects.toMatchObject({ code: 'unsupported' });
      expect(ct.records).toEqual([]);
      d.stop();
    });

    it("fails the task with PVE's message, naming the node and the pvesh command", async () => {
      const { d, store } = driver(secrets);
      await d.start();
      await d.vmAction(vmNamed(store, 'dns01'), 'destroy', taskContext().ctx, 60);
      expect(suite.sim.state.guests.get(200)!.status).toBe('stopped');
      suite.sim.tasks.failNext('vzstart', "startup for container '200' failed");
      const { ctx, details } = taskContext();
      await expect(d.vmAction(vmNamed(store, 'dns01'), 'start', ctx, 60)).rejects.toThrow(
        "pve1: `pvesh create /nodes/pve1/lxc/200/status/start` failed: startup for container '200' failed.",
      );
      expect(details.at(-1)).toBe("pve1: TASK ERROR: startup for container '200' failed");
      expect(vmNamed(store, 'dns01').state).toBe('shutoff');
      d.stop();
    });

    it('cancels a running task by deleting it on its node', async () => {
      const { d, store } = driver(secrets);
      await d.start();
      suite.sim.tasks.stepMs = 2000;
      const abort = new AbortController();
      const { ctx, records } = taskContext(abort);
      const running = d.vmAction(vmNamed(store, 'web01'), 'shutdown', ctx, 60);
      await until(() => records.length > 0);
      abort.abort();
      await expect(running).rejects.toMatchObject({ code: 'cancelled' });
      suite.sim.tasks.stepMs = 10;
      expect(records[0]!.command).toBe(
        'pvesh create /nodes/pve1/qemu/100/status/shutdown --timeout 60',
      );
      expect(records.map((r) => r.command)).toContainEqual(
        expect.stringMatching(
          /^pvesh delete '\/nodes\/pve1\/tasks\/UPID:pve1:.*:qmshutdown:100:root@pam!clusterdeck-t3st:'$/,
        ),
      );
      expect(suite.sim.state.guests.get(100)!.status).toBe('running');
      d.stop();
    });

    it('follows changes made elsewhere, quorum included, and stops cleanly', async () => {
      const { d, store } = driver(secrets);
      await d.start();
      suite.sim.state.guests.get(100)!.status = 'stopped';
      await until(() => vmNamed(store, 'web01').state === 'shutoff');
      suite.sim.state.nodes[1]!.online = false;
      suite.sim.state.nodes[2]!.online = false;
      await until(() => store.get('clusters', 'proxmox:homelab')!.managed!.quorate === false);
      expect(store.get('clusters', 'proxmox:homelab')!.managed!.nodes.map((n) => n.role)).toEqual([
        'online',
        'offline',
        'offline',
      ]);
      // Idle cost: one /cluster/resources a refresh; /cluster/status only when a node's state moved.
      const read = d.pollCounts!.resources;
      await until(() => d.pollCounts!.resources >= read + 3);
      expect(d.pollCounts!.status).toBe(1);
      d.stop();
      const before = store.snapshot();
      const stoppedAt = d.pollCounts;
      suite.sim.state.nodes[1]!.online = true;
      suite.sim.state.nodes[2]!.online = true;
      suite.sim.state.guests.get(100)!.status = 'running';
      await new Promise((r) => setTimeout(r, 400));
      expect(store.snapshot()).toEqual(before);
      expect(d.pollCounts).toEqual(stoppedAt);
      expect(suite.sim.violations).toEqual([]);
    });
  },
);
