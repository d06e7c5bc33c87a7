// End to end: Reboot and Shut down a node. In the lab a node is a namespace
// on this machine, so its power commands are the lab's stand-in
// (scripts/lab, docs/lab.md): checked in place before anything is pressed,
// and the file refuses to run otherwise. Effects are read on the machine: the
// node's recorded processes gone, and (reboot) new ones answering.
// Runs alone: `LAB_BASE=NN npx vitest run --project lab test/e2e/host-power.test.ts`.
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../core/backend';
import { labCommand, labExec, readLab, virshOn, waitFor } from '../lab';
import { ensureE2eCluster, useE2e } from './fixtures';

/** Refuses unless every power command inside the node is the lab's stand-in. */
function guardPower(node: string) {
  try {
    labCommand(['check-power', node]);
  } catch (e) {
    throw new Error(
      `refusing to test node power: ${node}'s power commands are not the lab's stand-in (${String(e)})`,
    );
  }
  // And the machine's own are untouched (the mounts are the node's only).
  expect(readFileSync('/usr/bin/systemctl').includes('clusterdeck-lab-power')).toBe(false);
}

// Before anything else in the file, the Backend included.
for (const node of ['node2', 'node3']) guardPower(node);

const e2e = useE2e({ nodes: ['node1', 'node2', 'node3'] });
let page: Page;
let backend: Backend;
beforeAll(() => {
  ({ page, backend } = e2e);
});

const alive = (pid: number | null) => {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
type Pids = Record<'holder' | 'sshd' | 'libvirtd' | 'virtlogd', number | null>;
/** The node's processes as lab.json records them (rewritten after each power change). */
const pids = (node: string): Pids =>
  (readLab().nodes.find((n) => n.name === node) as unknown as { pids: Pids }).pids;
const hostState = (node: string) => backend.store.all('hosts').find((h) => h.name === node)?.state;

afterAll(() => {
  labCommand(['power-on', 'node3']);
});

describe('node power in Chromium', () => {
  it('refuses to reboot a node that runs VMs', async () => {
    await page
      .getByRole('treeitem', { name: /^node1/ })
      .first()
      .click({ button: 'right' });
    const menu = page.getByRole('menu', { name: 'Actions for node1' });
    await menu.getByRole('menuitem', { name: 'Reboot…' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /node1 runs .*lab-tiny-1.*reboot would stop them/ })
      .waitFor();
    const hostId = backend.store.all('hosts').find((h) => h.name === 'node1')!.id;
    await expect(backend.call('hostPower', { hostId, action: 'reboot' })).rejects.toThrow(
      /node1 runs .*lab-tiny-1/,
    );
    // Its libvirtd still runs: the pid its pid file holds now (lab.json's may be
    // older: the TLS suites restart libvirtd on some nodes).
    expect(alive(Number(labExec('node1', ['cat', '/run/libvirtd.pid']).trim()))).toBe(true);
  });

  it('reboots node2 from its General tab: it goes down and comes back', async () => {
    guardPower('node2');
    const before = pids('node2');
    await page
      .getByRole('treeitem', { name: /^node2/ })
      .first()
      .click();
    await page.getByRole('tab', { name: 'General' }).click();
    await page
      .getByRole('toolbar', { name: 'Node power' })
      .getByRole('button', { name: 'Reboot…' })
      .click();
    const confirm = page.getByRole('alertdialog', { name: 'Reboot node2?' });
    // No systemd in the node: the SysV command, shown before it runs.
    await confirm.getByText('shutdown -r now').waitFor();
    guardPower('node2');
    await confirm.getByRole('button', { name: 'Reboot' }).click();
    await waitFor(
      () => !alive(before.libvirtd) && !alive(before.sshd),
      'node2 processes gone',
      30_000,
    );
    await waitFor(() => hostState('node2') !== 'connected', 'node2 seen down', 30_000);
    await waitFor(() => hostState('node2') === 'connected', 'node2 back', 90_000);
    const after = pids('node2');
    expect(after.libvirtd).not.toBe(before.libvirtd);
    expect(alive(after.libvirtd)).toBe(true);
    expect(virshOn('node2', ['list', '--all', '--name'])).toMatch(/lab-tiny-3/);
    const tasks = page.getByRole('region', { name: 'Tasks' });
    const steps = tasks.getByRole('list', { name: 'Steps of Reboot node2' });
    await tasks.getByRole('button', { name: 'Show log' }).first().click();
    await steps.getByText('Wait for node2 to come back').waitFor({ timeout: 20_000 });
    await tasks.getByText('shutdown -r now', { exact: true }).first().waitFor();
  }, 240_000);

  it('shuts node3 down from its menu: its processes are gone', async () => {
    guardPower('node3');
    const before = pids('node3');
    await page
      .getByRole('treeitem', { name: /^node3/ })
      .first()
      .click({ button: 'right' });
    await page
      .getByRole('menu', { name: 'Actions for node3' })
      .getByRole('menuitem', { name: 'Shut down…' })
      .click();
    const confirm = page.getByRole('alertdialog', { name: 'Shut down node3?' });
    await confirm.getByText('shutdown -P now').waitFor();
    guardPower('node3');
    await confirm.getByRole('button', { name: 'Shut down' }).click();
    await waitFor(
      () => !alive(before.libvirtd) && !alive(before.sshd) && !alive(before.virtlogd),
      'node3 processes gone',
      30_000,
    );
    await waitFor(() => hostState('node3') !== 'connected', 'node3 seen down', 30_000);
    // Powered on again (the lab's power button), it reconnects by itself.
    labCommand(['power-on', 'node3']);
    // Its retries back off up to 30 s while it was off: Reconnect, as an admin would.
    const hostId = backend.store.all('hosts').find((h) => h.name === 'node3')!.id;
    await backend.call('reconnectHost', { hostId }).catch(() => undefined);
    await waitFor(() => hostState('node3') === 'connected', 'node3 back', 90_000);
  }, 240_000);

  it('offers maintenance mode instead when the node is in a cluster', async () => {
    labCommand(['power-on', 'node3']);
    await ensureE2eCluster();
    await page
      .getByRole('treeitem', { name: /^node1/ })
      .first()
      .click({ button: 'right' });
    await page
      .getByRole('menu', { name: 'Actions for node1' })
      .getByRole('menuitem', { name: 'Reboot…' })
      .click();
    const ask = page.getByRole('alertdialog', { name: 'Reboot node1: move its VMs first' });
    await ask.getByText(/Maintenance mode moves them to the other nodes/).waitFor();
    await ask.getByRole('button', { name: 'Enter maintenance mode…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Maintenance mode for node1' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(alive(pids('node1').libvirtd)).toBe(true);
  }, 120_000);
});
