// HA state in Chromium, against the HA lab (issue 14): the three nodes
// added as plain hosts show their Corosync cluster in the tree (recognised
// from the nodes), the General tab's High availability section shows
// quorum, each node's HA state, the HA VM and where it runs; an outside
// `crm node standby` shows in the tree and the tab within seconds; a failed
// monitor shows with its reason and Clean up (its command shown first)
// clears it on the node; stonith disabled shows the permanent warning. Its
// own setup (not useE2e): the libvirt lab is not needed (LAB_LIBVIRT=0).
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  configureLabResource,
  dropLabResource,
  addHaNodes,
  dropGuestCopy,
  ensureHaCluster,
  haExec,
  haLabCommand,
  haRun,
  haVirsh,
  nodesRunning,
  readHaLab,
  startGuestCopy,
} from '../ha-lab';
import { waitFor } from '../lab';
import { startShellInChromium, type ShellInChromium } from './chromium';
import { ARTIFACTS } from './fixtures';

const canRun = existsSync('/usr/sbin/corosync') && process.getuid?.() === 0;
const RSC = 'hastate-e2e-vm';
const NODES = ['hanode1', 'hanode2', 'hanode3'];
let env: ShellInChromium | undefined;
let page: Page;
let home: string;
let startedLab = false;

const PVM = 'hastate-e2e-p';

const dropResource = () => dropLabResource(RSC);

beforeAll(async () => {
  if (!canRun) return;
  startedLab = ensureHaCluster().startedLab;
  dropResource();
  dropGuestCopy(PVM, [`${PVM}-prefers-hanode1`, `${PVM}-prefers-hanode2`]);
  startGuestCopy(PVM);
  const { guest } = readHaLab();
  configureLabResource(RSC, { allowMigrate: false });
  await waitFor(() => nodesRunning(guest.name)[0], `${guest.name} running`, 90_000);
  mkdirSync(ARTIFACTS, { recursive: true });
  home = mkdtempSync(join(tmpdir(), 'clusterdeck-e2e-ha-'));
  writeFileSync(
    join(home, 'settings.json'),
    JSON.stringify({ version: 1, hosts: [], secrets: {}, vmActionTimeoutSeconds: 6 }),
  );
  env = await startShellInChromium(home);
  page = await env.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await addHaNodes(env.backend);
  await page.goto(env.shell.url);
  await page.getByRole('tree', { name: 'Resources' }).waitFor();
}, 300_000);

afterAll(async () => {
  if (!canRun) return;
  await env?.close();
  if (home) rmSync(home, { recursive: true, force: true });
  haRun('hanode1', ['crm', 'node', 'online', 'hanode2']);
  haRun('hanode1', ['crm', 'configure', 'property', 'stonith-enabled=true']);
  dropResource();
  dropGuestCopy(PVM, [`${PVM}-prefers-hanode1`, `${PVM}-prefers-hanode2`]);
  if (startedLab) haLabCommand(['down']);
}, 300_000);

describe.skipIf(!canRun)('HA state in Chromium', () => {
  it('shows the cluster from its nodes, node states, the HA VM, a standby, and Clean up', async () => {
    const { clusterName, guest } = readHaLab();
    const tree = page.getByRole('tree', { name: 'Resources' });
    const clusterItem = tree.getByRole('treeitem', {
      name: `${clusterName} 3 of 3 nodes connected, HA: quorate`,
    });
    await clusterItem.click({ timeout: 30_000 });
    const ha = page.getByRole('region', { name: 'High availability' });
    await ha.getByText('Yes: this partition has quorum').waitFor();
    const nodes = ha.getByRole('table', { name: 'HA nodes' });
    for (const n of NODES)
      await nodes.getByRole('row', { name: new RegExp(`^${n}.* Online`) }).waitFor();
    const where = nodesRunning(guest.name)[0]!;
    const vms = ha.getByRole('table', { name: 'HA VMs' });
    await vms
      .getByRole('row', { name: new RegExp(`^${RSC} ${guest.name} Started on ${where}`) })
      .waitFor({ timeout: 15_000 });
    // Fencing is on: no warning.
    expect(await ha.getByRole('alert').count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'ha-general.png') });

    // Outside: a standby shows in the tab and the tree within seconds.
    haExec('hanode1', ['crm', 'node', 'standby', 'hanode2']);
    await nodes.getByRole('row', { name: /^hanode2.* Standby/ }).waitFor({ timeout: 8000 });
    // Selecting the cluster opened it: its members are listed under it.
    await tree.getByRole('treeitem', { name: /^hanode2 Connected, HA standby/ }).waitFor();
    haExec('hanode1', ['crm', 'node', 'online', 'hanode2']);
    await nodes.getByRole('row', { name: /^hanode2.* Online/ }).waitFor({ timeout: 8000 });

    // A failed monitor with its reason, then Clean up with its command shown first
    // (once Pacemaker has settled: a standby may have moved the VM).
    haExec('hanode1', ['crm_resource', '--wait', '--timeout=60']);
    const now = nodesRunning(guest.name)[0]!;
    haVirsh(now, ['destroy', guest.name]);
    const failed = ha.getByRole('table', { name: 'Failed actions' });
    await failed
      .getByRole('row', {
        name: new RegExp(`^${RSC} monitor on ${now} failed \\((not running|error)`),
      })
      .waitFor({ timeout: 30_000 });
    await failed.getByRole('button', { name: `Clean up ${RSC}` }).click();
    const dialog = page.getByRole('alertdialog', { name: `Clean up ${RSC}?` });
    await dialog.getByText(`crm_resource --cleanup --resource=${RSC}`).waitFor();
    await dialog.getByRole('button', { name: 'Clean up' }).click();
    await failed.waitFor({ state: 'detached', timeout: 30_000 });
    expect(haExec('hanode1', ['crm_mon', '-1', '--output-as=xml'])).not.toContain('<failure ');
    await waitFor(
      () => nodesRunning(guest.name).length === 1 || undefined,
      'running again',
      60_000,
    );
  }, 240_000);

  it("protects a VM with HA from its General tab, the plan's commands shown first", async () => {
    const tree = page.getByRole('tree', { name: 'Resources' });
    await tree.getByRole('treeitem', { name: /^hanode1 Connected/ }).click();
    await tree.getByRole('treeitem', { name: /^hanode1 Connected/ }).press('ArrowRight');
    await tree.getByRole('treeitem', { name: 'VMs' }).first().press('ArrowRight');
    await tree.getByRole('treeitem', { name: `${PVM} Running` }).click();
    const ha = page.getByRole('region', { name: 'High availability' });
    // Preferred nodes with priorities: a bad one is refused before anything runs.
    await ha.getByLabel('Priority on hanode1').fill('0');
    await ha.getByText('A whole number from 1 to 1000000.').waitFor();
    expect(await ha.getByRole('button', { name: 'Protect with HA…' }).isDisabled()).toBe(true);
    await ha.getByLabel('Priority on hanode1').fill('100');
    await ha.getByLabel('Priority on hanode2').fill('50');
    await ha.getByRole('button', { name: 'Protect with HA…' }).click();
    const dialog = page.getByRole('alertdialog', { name: `Protect ${PVM} with HA?` });
    await dialog
      .getByText(new RegExp(`crm configure primitive ${PVM} ocf:heartbeat:VirtualDomain`))
      .waitFor();
    await dialog
      .getByText(`crm configure location ${PVM}-prefers-hanode1 ${PVM} 100: hanode1`)
      .waitFor();
    await dialog
      .getByText(`crm configure location ${PVM}-prefers-hanode2 ${PVM} 50: hanode2`)
      .waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'ha-protect.png') });
    await dialog.getByRole('button', { name: 'Protect with HA' }).click();
    await ha
      .getByText(new RegExp(`^Protected by Pacemaker as ${PVM}: Started on hanode1`))
      .waitFor({ timeout: 60_000 });
    await tree.getByRole('treeitem', { name: `${PVM} Running, HA Started` }).waitFor();
    expect(haExec('hanode1', ['crm_resource', '--resource', PVM, '--locate'])).toContain(
      'is running on: hanode1',
    );
    expect(nodesRunning(PVM)).toEqual(['hanode1']);
    // Each priority is a location constraint on the nodes (the task's last steps:
    // the section shows the resource as soon as it exists).
    const constraints = await waitFor(
      () => {
        const xml = haExec('hanode1', ['cibadmin', '--query', '--scope', 'constraints']);
        return xml.includes(`${PVM}-prefers-hanode2`) ? xml : undefined;
      },
      'both location constraints',
      30_000,
    );
    for (const [node, score] of [
      ['hanode1', '100'],
      ['hanode2', '50'],
    ] as const) {
      const el = constraints.match(
        new RegExp(`<rsc_location [^>]*id="${PVM}-prefers-${node}"[^>]*>`),
      )?.[0];
      expect(el).toContain(`score="${score}"`);
      expect(el).toContain(`node="${node}"`);
    }
  }, 120_000);

  it('warns while fencing is off, and the warning goes when it is on again', async () => {
    const { clusterName } = readHaLab();
    await page
      .getByRole('tree', { name: 'Resources' })
      .getByRole('treeitem', { name: new RegExp(`^${clusterName} `) })
      .click();
    const ha = page.getByRole('region', { name: 'High availability' });
    haExec('hanode1', ['crm', 'configure', 'property', 'stonith-enabled=false']);
    const alert = ha.getByRole('alert');
    await alert.getByText(/split brain both halves may run the same VM at once/).waitFor({
      timeout: 10_000,
    });
    await page.screenshot({ path: join(ARTIFACTS, 'ha-no-fencing.png') });
    haExec('hanode1', ['crm', 'configure', 'property', 'stonith-enabled=true']);
    await alert.waitFor({ state: 'detached', timeout: 10_000 });
  }, 60_000);
});
