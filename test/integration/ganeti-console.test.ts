// The console of a Ganeti KVM instance through the backend, against the real
// Ganeti lab (QEMU under TCG): the VNC display Ganeti gave the instance,
// bound to its primary node's loopback, reached through Clusterdeck's SSH
// session to another node (relayed by the cluster's own SSH, `ssh -W`) and
// to the primary itself (direct-tcpip), with the RFB handshake through the
// one-time tunnel; the VNC password from the instance's vnc_password_file
// is used by the backend, never shown to the page; a fake-hypervisor
// instance says why it has no console; nothing is left open afterwards.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Backend } from '../../core/backend';
import {
  addGanetiInstance,
  addGanetiKvmInstance,
  addGanetiLabNode,
  ensureGanetiCluster,
  ganetiExec,
  instanceStatusOnMaster,
  removeGanetiInstance,
} from '../ganeti-lab';
import { portRefuses, testBackendOptions, waitFor } from '../lab';
import { ByteReader } from '../byte-reader';

const canRun = existsSync('/usr/sbin/gnt-cluster') && process.getuid?.() === 0;
const KVM = 'cd-gnt-console.gnt.test';
const FAKE = 'cd-gnt-noconsole.gnt.test';
/** On the storage folder every node mounts, so any primary finds it. */
const PASSWORD_FILE = '/srv/ganeti/shared-file-storage/cd-console-vnc-password';
const PASSWORD = 'gnt-Pw7x';
let backend: Backend;
let home: string;

const vmId = (name: string) =>
  waitFor(() => backend.store.all('vms').find((v) => v.name === name)?.id, `${name} in the store`);

/** Opens the console as the page would and runs the RFB handshake to the ServerInit. */
async function handshake(name: string): Promise<{ width: number; desktop: string; port: number }> {
  const { url, consoleId } = (await backend.call('openConsole', { vmId: await vmId(name) })) as {
    url: string;
    consoleId: string;
  };
  expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
  const ws = new WebSocket(url, ['binary']);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const page = new ByteReader(ws);
  try {
    expect((await page.read(12)).toString()).toBe('RFB 003.008\n');
    ws.send(Buffer.from('RFB 003.008\n'));
    // The display asks for its password; the backend answered it, so the
    // page is offered "None" (1) only.
    expect([...(await page.read(2))]).toEqual([1, 1]);
    ws.send(Buffer.from([1]));
    expect((await page.read(4)).readUInt32BE(0)).toBe(0); // SecurityResult: OK
    ws.send(Buffer.from([1])); // ClientInit, shared
    const init = await page.read(24);
    const desktop = (await page.read(init.readUInt32BE(20))).toString();
    return { width: init.readUInt16BE(0), desktop, port: Number(new URL(url).port) };
  } finally {
    ws.close();
    await backend.call('closeConsole', { consoleId });
  }
}

/** TCP connections to the instance's VNC port on its primary node (the relays' far end). */
function vncConnections(node: string, port: number): number {
  const out = ganetiExec(node, ['ss', '-Htn', 'state', 'established', `( dport = :${port} )`]);
  return out.split('\n').filter((l) => l.trim()).length;
}

const networkPort = () =>
  Number(ganetiExec('node1', ['gnt-instance', 'list', '--no-headers', '-o', 'network_port', KVM]));

beforeAll(async () => {
  if (!canRun) return;
  ensureGanetiCluster();
  for (const n of [KVM, FAKE]) removeGanetiInstance(n);
  ganetiExec('node1', [
    'sh',
    '-c',
    `umask 077; printf '%s\\n' "$1" > "$2"`,
    'pw',
    PASSWORD,
    PASSWORD_FILE,
  ]);
  addGanetiKvmInstance(KVM, 'node2', [`vnc_password_file=${PASSWORD_FILE}`]);
  addGanetiInstance(FAKE);
  home = mkdtempSync(join(tmpdir(), 'clusterdeck-gnt-console-'));
  backend = await Backend.start(testBackendOptions(home));
}, 300_000);

afterAll(() => {
  if (!canRun) return;
  backend?.close();
  if (home) rmSync(home, { recursive: true, force: true });
  for (const n of [KVM, FAKE]) removeGanetiInstance(n);
  ganetiExec('node1', ['rm', '-f', PASSWORD_FILE]);
}, 300_000);

describe.skipIf(!canRun)('the console of a Ganeti KVM instance', () => {
  it('offers consoles on Ganeti', async () => {
    const hostId = await addGanetiLabNode(backend, 'node1');
    expect(backend.store.get('hosts', hostId)?.capabilities).toContain('console');
    expect(instanceStatusOnMaster(KVM)).toBe('running');
  }, 120_000);

  it('carries the RFB handshake from node2’s loopback through node1 (relayed by the cluster’s SSH)', async () => {
    const port = networkPort();
    expect(port).toBeGreaterThan(5900);
    const t = Date.now();
    const { width, desktop, port: tunnel } = await handshake(KVM);
    console.log(`[ganeti-console] relayed handshake in ${Date.now() - t} ms`);
    expect(width).toBeGreaterThanOrEqual(640);
    // QEMU names the display after the instance (Ganeti's -name).
    expect(desktop).toContain(KVM);
    // Closed: no listener, and the relay to node2's display is gone.
    await waitFor(() => backend.openConsoles === 0, 'the console closed', 10_000);
    expect(await portRefuses(tunnel)).toBe(true);
    await waitFor(() => vncConnections('node2', port) === 0, 'no relay left on node2', 10_000);
  }, 120_000);

  it('reaches the display directly when connected to the instance’s primary node', async () => {
    const first = backend.store.all('hosts')[0]!.id;
    await backend.call('removeHost', { hostId: first });
    await addGanetiLabNode(backend, 'node2');
    const { desktop } = await handshake(KVM);
    expect(desktop).toContain(KVM);
    await waitFor(() => backend.openConsoles === 0, 'the console closed', 10_000);
  }, 120_000);

  it('says why a fake-hypervisor instance has no console', async () => {
    await expect(backend.call('openConsole', { vmId: await vmId(FAKE) })).rejects.toThrow(
      /cd-gnt-noconsole\.gnt\.test: it runs on Ganeti's fake hypervisor, which has no console/,
    );
    expect(backend.openConsoles).toBe(0);
  });
});
