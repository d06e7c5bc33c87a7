// VM actions end when libvirt shows their effect: a shutdown once the guest
// is off, a reboot once it restarted; a guest that ignores ACPI (the diskless
// lab-tiny guests) ends the task failed after the timeout, offering Force off.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Backend } from '../../core/backend';
import type { VmAction } from '../../shared/api';
import {
  addLabNode,
  labNode,
  readLab,
  resetLabGuests,
  taskFinished,
  testBackendOptions,
  virshOn,
  waitFor,
} from '../lab';

const TIMEOUT_S = 8;
let home: string;
let backend: Backend;
let node1: string;

const vmOf = (name: string) =>
  backend.store.all('vms').find((v) => v.hostId === node1 && v.name === name)!;
const domstate = (name: string) => virshOn('node1', ['domstate', name]).trim();

/** Other labs on this machine share the loopback: a VNC port taken meanwhile fails a start. */
async function startOnNode(name: string) {
  for (let i = 0; ; i++) {
    try {
      virshOn('node1', ['start', name]);
      return;
    } catch (err) {
      if (i >= 4 || !/available port/.test(String(err))) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function act(name: string, action: VmAction) {
  const { taskId } = (await backend.call('vmAction', { vmId: vmOf(name).id, action })) as {
    taskId: string;
  };
  return taskId;
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'clusterdeck-effects-'));
  // The timeout is the user's setting; a short one here.
  writeFileSync(
    join(home, 'settings.json'),
    JSON.stringify({ version: 1, hosts: [], secrets: {}, vmActionTimeoutSeconds: TIMEOUT_S }),
  );
  backend = await Backend.start(testBackendOptions(home));
  node1 = await addLabNode(backend, 'node1');
  await waitFor(() => vmOf('lab-tiny-1') && vmOf('lab-tiny-2'), 'lab-tiny-1 and 2 listed');
});

afterAll(() => {
  backend?.close();
  rmSync(home, { recursive: true, force: true });
  resetLabGuests();
});

describe('VM actions wait for their effect', () => {
  // The two ignored actions each wait the whole timeout: on two guests, at the same time.
  it.concurrent(
    'ends a shutdown the guest ignores as failed "still running", offering Force off',
    async () => {
      expect(domstate('lab-tiny-1')).toBe('running');
      const started = Date.now();
      const taskId = await act('lab-tiny-1', 'shutdown');
      await waitFor(
        () => backend.store.get('tasks', taskId)?.detail === 'Shutting down…',
        'the task saying Shutting down…',
      );
      const task = await taskFinished(backend, taskId, (TIMEOUT_S + 10) * 1000);
      expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_S * 1000);
      expect(task.state).toBe('failed');
      expect(task.error).toContain(`lab-tiny-1 on node1 is still running ${TIMEOUT_S} s after`);
      expect(domstate('lab-tiny-1')).toBe('running');
      expect(task.offer).toEqual({
        label: 'Force off',
        vmId: vmOf('lab-tiny-1').id,
        action: 'destroy',
      });

      // The offer is a plain VM action; it ends once libvirt shows the guest off.
      const off = await taskFinished(backend, await act('lab-tiny-1', task.offer!.action));
      expect(off.state).toBe('succeeded');
      expect(domstate('lab-tiny-1')).toBe('shut off');
      const on = await taskFinished(backend, await act('lab-tiny-1', 'start'));
      expect(on.state).toBe('succeeded');
      expect(vmOf('lab-tiny-1').state).toBe('running');
    },
  );

  it.concurrent('ends a reboot the guest ignores as failed after the timeout', async () => {
    // lab-tiny-2 is seeded shut off; resetLabGuests in afterAll puts it back.
    await startOnNode('lab-tiny-2');
    await waitFor(() => vmOf('lab-tiny-2').state === 'running', 'lab-tiny-2 shown running');
    const started = Date.now();
    const task = await taskFinished(
      backend,
      await act('lab-tiny-2', 'reboot'),
      (TIMEOUT_S + 10) * 1000,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_S * 1000);
    expect(task.state).toBe('failed');
    expect(task.error).toContain(`lab-tiny-2 on node1 did not restart within ${TIMEOUT_S} s`);
    expect(domstate('lab-tiny-2')).toBe('running');
    expect(task.offer).toBeUndefined();
  });

  it.runIf(readLab().linuxGuest)(
    'ends a shutdown of a guest that obeys only once it is off, and a reboot once it restarted',
    async () => {
      const serial = labNode('node1').serialLog!;
      const boots = () => readFileSync(serial, 'utf8').split('lab-linux: init done').length - 1;
      // Its acpid must be listening before the button is pressed.
      const booted = async (n: number) => {
        await waitFor(() => boots() >= n, 'lab-linux booted', 60_000);
        await new Promise((r) => setTimeout(r, 2000));
      };
      if (domstate('lab-linux') !== 'running') await startOnNode('lab-linux');
      await booted(1);

      const before = boots();
      const reboot = await taskFinished(backend, await act('lab-linux', 'reboot'), 60_000);
      expect(reboot.error).toBeUndefined();
      expect(reboot.state).toBe('succeeded');
      // The guest really went through its boot again.
      await booted(before + 1);

      const task = await taskFinished(backend, await act('lab-linux', 'shutdown'), 60_000);
      // Checked at once: the task said Succeeded only when libvirt had it off.
      const state = domstate('lab-linux');
      expect(task.error).toBeUndefined();
      expect(task.state).toBe('succeeded');
      expect(state).toBe('shut off');
      await startOnNode('lab-linux');
    },
  );
});
