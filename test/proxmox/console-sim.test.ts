// The Proxmox driver's consoles against the simulator and a real QEMU guest:
// vncproxy + vncwebsocket through the real API client (pinned TLS, the token
// in the upgrade only), the bytes read as an RFB client reads them: the
// guest's ProtocolVersion, the VNC login with the password vncproxy made
// (QEMU refuses any other), ServerInit and a framebuffer update. Wrong
// tickets, ports and missing parameters are refused as PVE refuses them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Vm } from '../../shared/model';
import type { ConsoleSource } from '../../core/drivers/capabilities';
import type { ProxmoxDriver } from '../../core/drivers/proxmox/driver';
import { InventoryStore } from '../../core/inventory/store';
import { startTinyQemu, type TinyQemu } from '../pve-sim/qemu-display';
import { PVE_VERSIONS, pveSchemasOrSkip } from '../pve-sim/schema';
import { rfbFirstFrame, rfbLogin, StreamReader } from '../rfb-stream';
import { probeFor, simSuite } from './sim-driver';

const haveSchemas = pveSchemasOrSkip('proxmox consoles');
const MANAGER = { pve8: '8.4.1', pve9: '9.1.1' } as const;

const passwordOf = (s: ConsoleSource): string => {
  const p = typeof s.password === 'function' ? s.password() : s.password;
  if (!p) throw new Error('no password');
  return p;
};

describe.skipIf(!haveSchemas).each(PVE_VERSIONS)(
  'Proxmox consoles on the %s simulator',
  (version) => {
    let qemu: TinyQemu;
    let dir: string;
    let d: ProxmoxDriver;
    const store = new InventoryStore();
    const streams: Duplex[] = [];
    const vm = (name: string): Vm => store.all('vms').find((v) => v.name === name)!;

    // Hooks run in this order, and after the tests in the reverse one: the
    // guest's QEMU, the simulator, the driver; the consoles closed, then
    // what simSuite closes, then QEMU.
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'pve-console-'));
      qemu = await startTinyQemu(dir, 100);
    }, 30_000);
    afterAll(async () => {
      await qemu?.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    // The one QEMU shows the VM; for the container it stands in for vncterm.
    const suite = simSuite(version, {
      displays: async (vmid) => (vmid === 100 || vmid === 200 ? qemu : undefined),
    });
    beforeAll(async () => {
      ({ d } = await suite.connected({
        store,
        probe: probeFor(MANAGER[version]),
        onError: () => undefined,
        pollMs: 60_000,
      }));
    }, 30_000);
    afterAll(() => {
      for (const s of streams) s.destroy();
    });

    async function open(name: string) {
      const source = await d.openConsole(vm(name));
      const stream = await source.connect();
      streams.push(stream);
      return { source, stream, reader: new StreamReader(stream) };
    }

    it("shows the guest's real display after the VNC login with vncproxy's password", async () => {
      expect(d.capabilities).toContain('console');
      const { source, stream, reader } = await open('web01');
      const login = await rfbLogin(stream, reader, passwordOf(source));
      expect(login.version).toBe('RFB 003.008\n');
      expect(login.offered).toEqual([2]); // VNC authentication only: QEMU's password=on
      expect(login).toMatchObject({ result: 0, reason: '' });
      const frame = await rfbFirstFrame(stream, reader);
      expect(frame.name).toBe('QEMU (pve-sim-100)');
      expect(frame.width).toBeGreaterThan(300);
      expect(frame.height).toBeGreaterThan(150);
      expect(frame).toMatchObject({ messageType: 0 });
      expect(frame.rects).toBeGreaterThan(0);
      expect(frame.firstRect.encoding).toBe(0); // Raw, as asked
      expect(frame.firstRect.w * frame.firstRect.h).toBeGreaterThan(0);
      stream.destroy();
      // The worker ends with its connection, as PVE's vncproxy task does.
      const task = () => suite.sim.tasks.list('pve1').find((t) => t.type === 'vncproxy');
      await expect.poll(() => task()?.exitstatus, { timeout: 5000 }).toBe('OK');
      expect(task()!.user).toBe('root@pam!clusterdeck-t3st');
    });

    it('is refused by the guest with any other password (a new one per console)', async () => {
      const first = await open('web01');
      const firstPassword = passwordOf(first.source);
      first.stream.destroy();
      const { source, stream, reader } = await open('web01');
      expect(passwordOf(source)).not.toBe(firstPassword);
      const login = await rfbLogin(stream, reader, firstPassword);
      expect(login.result).not.toBe(0);
      expect(login.reason).toMatch(/fail/i);
    });

    it('asks PVE 8 for a generated password; PVE 9 makes one unasked', async () => {
      const answer = await d.client.create<{ password?: string; ticket: string; cert: string }>(
        '/nodes/pve1/qemu/100/vncproxy',
        { websocket: 1 },
      );
      expect(answer.ticket).toMatch(/^PVEVNC:[0-9A-F]{8}::/);
      expect(answer.cert).toContain('BEGIN CERTIFICATE');
      if (version === 'pve9') expect(answer.password).toMatch(/^[!-~]{8}$/);
      else expect(answer.password).toBeUndefined();
      const { source } = await open('web01');
      expect(passwordOf(source)).toMatch(/^[!-~]{8}$/);
      expect(passwordOf(source)).not.toMatch(/^PVEVNC/);
    });

    it('opens a container console the same way (the lxc calls, the ticket as password)', async () => {
      const { source, stream, reader } = await open('dns01');
      expect(passwordOf(source)).toMatch(/^PVEVNC:/);
      const login = await rfbLogin(stream, reader, passwordOf(source));
      expect(login.result).toBe(0);
      expect(
        suite.sim.tasks.list('pve1').some((t) => t.type === 'vncproxy' && t.id === '200'),
      ).toBe(true);
    });

    it('refuses a wrong ticket, naming the node and the call, the ticket hidden', async () => {
      const answer = await d.client.create<{ port: number; ticket: string }>(
        '/nodes/pve1/qemu/100/vncproxy',
        { websocket: 1 },
      );
      const forged = `${answer.ticket.slice(0, -4)}AAA=`;
      const err = await d.client
        .webSocket(
          '/nodes/pve1/qemu/100/vncwebsocket',
          { port: answer.port, vncticket: forged },
          { hidden: ['vncticket'] },
        )
        .catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toBe(
        `pve1: \`pvesh get /nodes/pve1/qemu/100/vncwebsocket --port ${answer.port} --vncticket <hidden>\` failed: 500 permission denied - invalid PVEVNC ticket.`,
      );
      // Another VM's ticket does not open this one either (the path is signed).
      const other = await d.client.create<{ port: number; ticket: string }>(
        '/nodes/pve1/lxc/200/vncproxy',
        { websocket: 1 },
      );
      await expect(
        d.client.webSocket('/nodes/pve1/qemu/100/vncwebsocket', {
          port: other.port,
          vncticket: other.ticket,
        }),
      ).rejects.toThrow(/invalid PVEVNC ticket/);
    });

    it('drops a connection to a port no vncproxy listens on; wants port and vncticket', async () => {
      const answer = await d.client.create<{ port: number; ticket: string; upid: string }>(
        '/nodes/pve1/qemu/100/vncproxy',
        { websocket: 1 },
      );
      await expect(
        d.client.webSocket('/nodes/pve1/qemu/100/vncwebsocket', {
          port: answer.port + 1,
          vncticket: answer.ticket,
        }),
      ).rejects.toThrow(
        /^pve1: `pvesh get \/nodes\/pve1\/qemu\/100\/vncwebsocket .*` was not upgraded to a WebSocket: the node closed the connection without an answer/,
      );
      await expect(
        d.client.webSocket('/nodes/pve1/qemu/100/vncwebsocket', { port: answer.port }),
      ).rejects.toThrow(/400 Parameter verification failed \(vncticket: property is missing/);
      // The worker still waits for its own port; deleting the task stops it
      // and its port with it.
      const waiting = suite.sim.tasks.get(answer.upid);
      expect(waiting).toMatchObject({ status: 'running', type: 'vncproxy', id: '100' });
      await d.client.delete(`/nodes/pve1/tasks/${waiting!.upid}`);
      expect(suite.sim.tasks.get(waiting!.upid)).toMatchObject({
        exitstatus: 'interrupted by signal',
      });
      await expect(
        d.client.webSocket('/nodes/pve1/qemu/100/vncwebsocket', {
          port: answer.port,
          vncticket: answer.ticket,
        }),
      ).rejects.toThrow(/closed the connection without an answer/);
    });

    it("says why in the worker's words when the display never answers", async () => {
      // db01 runs (as far as PVE knows) but no QEMU shows it here.
      suite.sim.state.guests.get(101)!.status = 'running';
      await d.refresh();
      try {
        const source = await d.openConsole(vm('db01'));
        await expect(source.connect()).rejects.toMatchObject({
          code: 'command-failed',
          message:
            'db01 on pve2: its console did not start (VM 101 has no display; Failed to run vncproxy).',
        });
      } finally {
        suite.sim.state.guests.get(101)!.status = 'stopped';
        await d.refresh();
      }
    });

    it('refuses a stopped guest before any call', async () => {
      await expect(d.openConsole(vm('db01'))).rejects.toMatchObject({
        code: 'invalid-state',
        message: 'db01 is not running on pve2; start it to open its console.',
      });
      expect(suite.sim.violations).toEqual([]);
    });
  },
);
