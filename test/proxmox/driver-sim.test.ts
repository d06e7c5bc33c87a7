// The Proxmox VE driver against the simulator (test/pve-sim): the real API
// client over HTTPS with the certificate pinned, a local TCP connection
// standing in for the SSH-forwarded channel (the driver's openTunnel seam),
// and a fake SSH session answering only what bootstrap runs over SSH
// (openssl for the fingerprint, pveum for the token), which registers the
// token it makes with the simulator as pveum would with the cluster.
import { randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandRecord, Vm } from '../../shared/model';
import { VM_ACTIONS } from '../../shared/vm-actions';
import { parseProbe } from '../../core/drivers/detect';
import { ProxmoxDriver } from '../../core/drivers/proxmox/driver';
import { TOKEN_SECRET_NAME } from '../../core/drivers/proxmox/bootstrap';
import type { DriverSecrets } from '../../core/drivers/registry';
import { InventoryStore } from '../../core/inventory/store';
import type { ExecResult } from '../../core/ssh/session';
import type { TaskContext } from '../../core/tasks/runner';
import { PVE_VERSIONS, pveSchemasOrSkip } from '../pve-sim/schema';
import { startPveSim, type PveSim } from '../pve-sim/server';

const haveSchemas = pveSchemasOrSkip('proxmox driver');

const PROBE = [
  'has:pveversion',
  'has:pmxcfs',
  'pve:pve-manager/8.2.4/faa83925c9641325 (running kernel: 6.8.8-2-pve)',
  'hostname:pve1',
  'uptime:5000',
  'cpu:Intel Xeon',
].join('\n');

/** The SSH side of a PVE node: the commands bootstrap runs, answered as the node would. */
function fakeSession(sim: PveSim, tokens: Record<string, string>) {
  const ran: string[] = [];
  return {
    ran,
    target: { label: 'pve1' },
    exec(argv: readonly string[]): Promise<ExecResult> {
      ran.push(argv.join(' '));
      const ok = (stdout: string) => Promise.resolve({ code: 0, stdout, stderr: '' });
      if (argv[0] === 'sh' && argv[2]?.includes('openssl x509'))
        return ok(`sha256 Fingerprint=${sim.fingerprint}\n`);
      if (argv[0] === 'pveum' && argv[3] === 'add') {
        const id = `${argv[4]}!${argv[5]}`;
        if (tokens[id])
          return Promise.resolve({
            code: 255,
            stdout: '',
            stderr: `Token '${argv[5]}' for user '${argv[4]}' already exists\n`,
          });
        tokens[id] = randomUUID();
        return ok(JSON.stringify({ 'full-tokenid': id, info: { privsep: 0 }, value: tokens[id] }));
      }
      if (argv[0] === 'pveum' && argv[3] === 'delete') {
        delete tokens[`${argv[4]}!${argv[5]}`];
        return ok('');
      }
      return Promise.resolve({ code: 127, stdout: '', stderr: `${argv[0]}: not found\n` });
    },
  };
}

function memorySecrets(): DriverSecrets & { kept: Map<string, string> } {
  const kept = new Map<string, string>();
  return {
    kept,
    installationId: () => Promise.resolve('t3st'),
    candidates: (name) => (kept.has(name) ? [kept.get(name)!] : []),
    save: async (name, value) => void kept.set(name, value),
  };
}

function taskContext(abort = new AbortController()) {
  const records: CommandRecord[] = [];
  const details: string[] = [];
  const ctx: TaskContext = {
    signal: abort.signal,
    log: (r) => records.push(r),
    progress: () => {},
    setSteps: () => {},
    stepState: () => {},
    detail: (t) => details.push(t),
    vmJob: () => {},
    vmQueue: () => {},
    offerUndo: () => {},
    offer: () => {},
  };
  return { ctx, records, details };
}

const until = async (what: () => boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe.skipIf(!haveSchemas).each(PVE_VERSIONS)(
  'Proxmox VE driver against the %s simulator',
  (version) => {
    let sim: PveSim;
    const tokens: Record<string, string> = {};
    const tunnels: Socket[] = [];
    const drivers: ProxmoxDriver[] = [];

    beforeAll(async () => {
      sim = await startPveSim({ version, tokens, taskStepMs: 10 });
    });
    afterAll(async () => {
      for (const d of drivers) d.stop();
      for (const t of tunnels) t.destroy();
      await sim.close();
    });

    function driver(secrets: DriverSecrets, store = new InventoryStore()) {
      const session = fakeSession(sim, tokens);
      const d = new ProxmoxDriver({
        session,
        hostId: 'h1',
        store,
        probe: parseProbe(PROBE),
        onError: (e) => {
          throw e;
        },
        secrets,
        openTunnel: () =>
          new Promise((resolve, reject) => {
            const s = connect(sim.port, '127.0.0.1', () => resolve(s));
            s.once('error', reject);
            tunnels.push(s);
          }),
        pollMs: 100,
        taskPollMs: 20,
      });
      drivers.push(d);
      return { d, store, session };
    }

    const vmNamed = (store: InventoryStore, name: string): Vm =>
      store.all('vms').find((v) => v.name === name)!;

    const secrets = memorySecrets();

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
      expect(sim.violations).toEqual([]);
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
      expect(sim.state.guests.get(101)!.status).toBe('running');
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
      expect(sim.state.guests.get(100)!.paused).toBe(true);
      expect(vmNamed(store, 'web01').state).toBe('paused');
      await d.vmAction(vmNamed(store, 'web01'), 'resume', taskContext().ctx, 60);
      expect(sim.state.guests.get(100)!.paused).toBeUndefined();
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
      expect(sim.state.guests.get(200)!.status).toBe('stopped');
      sim.tasks.failNext('vzstart', "startup for container '200' failed");
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
      sim.tasks.stepMs = 2000;
      const abort = new AbortController();
      const { ctx, records } = taskContext(abort);
      const running = d.vmAction(vmNamed(store, 'web01'), 'shutdown', ctx, 60);
      await until(() => records.length > 0);
      abort.abort();
      await expect(running).rejects.toMatchObject({ code: 'cancelled' });
      sim.tasks.stepMs = 10;
      expect(records[0]!.command).toBe(
        'pvesh create /nodes/pve1/qemu/100/status/shutdown --timeout 60',
      );
      expect(records.map((r) => r.command)).toContainEqual(
        expect.stringMatching(
          /^pvesh delete '\/nodes\/pve1\/tasks\/UPID:pve1:.*:qmshutdown:100:root@pam!clusterdeck-t3st:'$/,
        ),
      );
      expect(sim.state.guests.get(100)!.status).toBe('running');
      d.stop();
    });

    it('follows changes made elsewhere, quorum included, and stops cleanly', async () => {
      const { d, store } = driver(secrets);
      await d.start();
      sim.state.guests.get(100)!.status = 'stopped';
      await until(() => vmNamed(store, 'web01').state === 'shutoff');
      sim.state.nodes[1]!.online = false;
      sim.state.nodes[2]!.online = false;
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
      sim.state.nodes[1]!.online = true;
      sim.state.nodes[2]!.online = true;
      sim.state.guests.get(100)!.status = 'running';
      await new Promise((r) => setTimeout(r, 400));
      expect(store.snapshot()).toEqual(before);
      expect(d.pollCounts).toEqual(stoppedAt);
      expect(sim.violations).toEqual([]);
    });
  },
);
