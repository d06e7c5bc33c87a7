// A Proxmox VE cluster in Chromium, against the Proxmox lab over real SSH
// (50 guests): Add Host of pve1 by the dialog's visible labels shows the
// cluster, its three nodes and its guests (containers marked); a VM started
// from its menu runs as a PVE task whose pvesh command the Tasks pane shows,
// and `qm status` on the VM's node says it runs. A container's menu has no
// Pause (Proxmox VE offers none for containers here); a VM paused and resumed
// from the toolbar, checked with `qm status --verbose`.
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sshTo, type PveSsh, pveLabOrSkip } from '../pve-lab';
import { ARTIFACTS } from './fixtures';
import { addPveNodeThroughDialog, openPveInChromium, type PveInChromium } from './pve-fixture';

const canRun = pveLabOrSkip('pve-lab-tree');
const GUESTS = 50;
let pve: PveInChromium | undefined;
let page: Page;
let ssh: PveSsh;

interface Row {
  vmid: number;
  type: 'qemu' | 'lxc';
  node: string;
  status: string;
  name: string;
}

async function onNode(argv: string[]): Promise<string> {
  const r = await ssh.exec(argv);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

const guests = async (): Promise<Row[]> =>
  JSON.parse(
    await onNode(['pvesh', 'get', '/cluster/resources', '--type', 'vm', '--output-format', 'json']),
  ) as Row[];

const tree = (): Locator => page.getByRole('tree', { name: 'Resources' });
const guestItem = (name: string, state: string, container = false) =>
  tree().getByRole('treeitem', {
    name: `${name} ${state}${container ? ' · container' : ''}`,
    exact: true,
  });

beforeAll(async () => {
  if (!canRun) return;
  pve = await openPveInChromium('pve-tree', undefined, GUESTS);
  page = pve.page;
  // Checks on the nodes go over SSH as an admin's would (pve2: not the node added).
  ssh = await sshTo(pve.lab, pve.lab.nodes[1]!);
}, 180_000);

afterAll(async () => {
  ssh?.close();
  await pve?.close();
}, 120_000);

describe.skipIf(!canRun)('a Proxmox VE cluster in Chromium', () => {
  it('adds pve1 through the Add Host dialog and shows the cluster, its nodes and 50 guests', async () => {
    const lab = pve!.lab;
    await addPveNodeThroughDialog(page, lab, 'pve1');
    // Proxmox nodes have no roles: online or not; pve1 is the node connected to.
    await tree().getByRole('treeitem', { name: 'pve1 Online, connected', exact: true }).waitFor();
    for (const n of ['pve2', 'pve3'])
      await tree()
        .getByRole('treeitem', { name: `${n} Online`, exact: true })
        .waitFor();
    const rows = await guests();
    expect(rows).toHaveLength(GUESTS);
    for (const g of rows) {
      const state = g.status === 'running' ? 'Running' : 'Shut off';
      await guestItem(g.name, state, g.type === 'lxc').waitFor();
    }
    // Containers carry their mark beside the name.
    const ct = rows.find((g) => g.type === 'lxc')!;
    const ctItem = guestItem(ct.name, ct.status === 'running' ? 'Running' : 'Shut off', true);
    await ctItem.getByTitle('Container').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'pve-tree.png') });
  });

  it("offers no Ganeti node operations in a Proxmox node's menu", async () => {
    await tree().getByRole('treeitem', { name: 'pve1 Online, connected', exact: true }).click({
      button: 'right',
    });
    const menu = page.getByRole('menu', { name: 'Actions for pve1' });
    await menu.getByRole('menuitem', { name: 'Reconnect' }).waitFor();
    expect(await menu.getByRole('menuitem').allTextContents()).toEqual(['Reconnect']);
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });
  });

  it("shows a container's kind and node, and offers no Pause in its menu", async () => {
    const ct = (await guests()).find((g) => g.type === 'lxc' && g.status === 'running')!;
    // Its General tab says what it is and where it runs (no Ganeti disk template).
    await guestItem(ct.name, 'Running', true).click();
    const panel = page.getByRole('tabpanel');
    await panel.getByText('Container', { exact: true }).waitFor();
    await panel.getByText(ct.node, { exact: true }).waitFor();
    expect(await panel.getByText('Disk template', { exact: true }).count()).toBe(0);
    await guestItem(ct.name, 'Running', true).click({ button: 'right' });
    const menu = page.getByRole('menu', { name: `Actions for ${ct.name}` });
    await menu.getByRole('menuitem', { name: /^Shut down/ }).waitFor();
    expect(await menu.getByRole('menuitem', { name: /^Pause/ }).count()).toBe(0);
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });
  });

  it('starts a VM from its menu: the Tasks pane shows the pvesh command, qm status says running', async () => {
    const vm = (await guests()).find(
      (g) => g.type === 'qemu' && g.node === 'pve2' && g.status === 'stopped',
    )!;
    await guestItem(vm.name, 'Shut off').click({ button: 'right' });
    await page
      .getByRole('menu', { name: `Actions for ${vm.name}` })
      .getByRole('menuitem', { name: 'Start' })
      .click();
    await guestItem(vm.name, 'Running').waitFor({ timeout: 30_000 });
    const tasks = page.getByRole('region', { name: 'Tasks' });
    const task = tasks
      .getByRole('listitem')
      .filter({ hasText: `Start ${vm.name}` })
      .first();
    await task.getByText('Succeeded').waitFor();
    await task.getByRole('button', { name: 'Show log' }).click();
    await task
      .getByRole('list', { name: `Log of Start ${vm.name}` })
      .getByText(`pvesh create /nodes/pve2/qemu/${vm.vmid}/status/start`, { exact: true })
      .waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'pve-start-task.png') });
    expect(await onNode(['qm', 'status', String(vm.vmid)])).toBe('status: running\n');
  });
});

describe.skipIf(!canRun)('Pause and Resume of a Proxmox VM in Chromium', () => {
  it('pauses a running VM from the toolbar and resumes it: qm status says paused, then running', async () => {
    const vm = (await guests()).find(
      (g) => g.type === 'qemu' && g.node === 'pve2' && g.status === 'running',
    )!;
    const toolbar = page.getByRole('toolbar', { name: 'Actions' });
    const qmp = async () =>
      /^qmpstatus: (\S+)$/m.exec(await onNode(['qm', 'status', String(vm.vmid), '--verbose']))?.[1];
    await guestItem(vm.name, 'Running').click();
    await toolbar.getByRole('button', { name: 'Pause' }).click();
    await guestItem(vm.name, 'Paused').waitFor({ timeout: 30_000 });
    expect(await qmp()).toBe('paused');
    await toolbar.getByRole('button', { name: 'Resume' }).click();
    await guestItem(vm.name, 'Running').waitFor({ timeout: 30_000 });
    expect(await qmp()).toBe('running');
  });
});
