// Migrate VM and Health on a Ganeti cluster in Chromium, against the real
// Ganeti lab: Migrate… offers Ganeti's ways with the reason for the refused
// one, migrates a sharedfile instance live to a chosen node; dragging it onto
// another node of the cluster opens the same wizard with that node, and a
// failover takes it there; Verify cluster lists verify's findings with
// their nodes. Each move is checked with gnt-instance list on the master.
// Its own setup (not useE2e): LAB_LIBVIRT=0 runs it without the libvirt lab.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureGanetiCluster, ganetiExec, ganetiMaster, removeGanetiInstance } from '../ganeti-lab';
import { ARTIFACTS } from './fixtures';
import { openGanetiInChromium, type GanetiInChromium } from './ganeti-fixture';

const canRun = existsSync('/usr/sbin/gnt-cluster') && process.getuid?.() === 0;
const VM = 'cd-mig-e2e.gnt.test';
let page: Page;
let gnt: GanetiInChromium | undefined;

/** The instance's primary node, from `gnt-instance list` on the master. */
const primaryOnMaster = () =>
  ganetiExec(ganetiMaster(), ['gnt-instance', 'list', '--no-headers', '-o', 'pnode,status', VM])
    .trim()
    .split(/\s+/);

beforeAll(async () => {
  if (!canRun) return;
  ensureGanetiCluster();
  removeGanetiInstance(VM);
  ganetiExec(ganetiMaster(), [
    'gnt-instance',
    'add',
    '-t',
    'sharedfile',
    '--disk',
    '0:size=1G',
    '-o',
    'noop',
    '-B',
    'memory=128M',
    '--no-name-check',
    '--no-ip-check',
    '-n',
    'node2.gnt.test',
    VM,
  ]);
  gnt = await openGanetiInChromium('gnt-mig', { width: 1280, height: 900 });
  page = gnt.page;
}, 300_000);

afterAll(async () => {
  if (!canRun) return;
  await gnt?.close();
  removeGanetiInstance(VM);
}, 300_000);

describe.skipIf(!canRun)('Migrate VM and Health on Ganeti in Chromium', () => {
  it('migrates live to a chosen node, then fails over by drag-and-drop', async () => {
    const tree = page.getByRole('tree', { name: 'Resources' });
    const item = tree.getByRole('treeitem', { name: `${VM} Running · sharedfile` });
    await item.click();
    await page
      .getByRole('toolbar', { name: 'Actions' })
      .getByRole('button', { name: 'Migrate…' })
      .click();
    const wizard = page.getByRole('dialog', { name: `Migrate ${VM}` });
    await wizard.getByText(/^Not offered: Its disk template sharedfile cannot be copied/).waitFor();
    expect(
      await wizard
        .getByRole('radio', { name: /^Move the disks \(gnt-instance move\)/ })
        .isDisabled(),
    ).toBe(true);
    await wizard.getByRole('radio', { name: /^Live migration \(gnt-instance migrate\)/ }).check();
    await wizard.getByLabel('Target node').selectOption('node3.gnt.test');
    await page.screenshot({ path: join(ARTIFACTS, 'ganeti-migrate-how.png') });
    await wizard.getByRole('button', { name: 'Next' }).click();
    const checks = wizard.getByRole('list', { name: 'Preflight checks' });
    await checks.getByText('Every prerequisite Ganeti checks is met.').waitFor({ timeout: 60_000 });
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard
      .getByRole('list', { name: 'Commands' })
      .getByText(
        `gnt-instance migrate --submit -f --migration-mode=live --target-node=node3.gnt.test -- ${VM}`,
      )
      .waitFor();
    await wizard.getByRole('button', { name: 'Migrate' }).click();
    // The Tasks pane shows the job, the tree says where the VM is going while
    // Ganeti moves it (about 9 s on the fake hypervisor), then shows it under node3.
    await page.getByText(`Migrate ${VM}`).first().waitFor();
    await tree
      .getByRole('treeitem', { name: `${VM} Migrating to node3.gnt.test · sharedfile` })
      .waitFor({ timeout: 30_000 });
    await expect
      .poll(() => primaryOnMaster(), { timeout: 120_000, interval: 1000 })
      .toEqual(['node3.gnt.test', 'running']);

    // The app has it on node3 too (its General tab), so the drop below moves it from there.
    await page
      .getByRole('definition')
      .getByText('node3.gnt.test', { exact: true })
      .waitFor({ timeout: 60_000 });
    // Drag it onto node2: the same wizard, node2 chosen; fail over there.
    const node2 = tree.getByRole('treeitem', { name: 'node2.gnt.test Master candidate' });
    await item.dragTo(node2);
    await wizard.waitFor();
    await wizard.getByRole('radio', { name: /^Failover \(gnt-instance failover\)/ }).check();
    expect(await wizard.getByLabel('Target node').inputValue()).toBe('node2.gnt.test');
    await wizard.getByRole('button', { name: 'Next' }).click();
    await checks.getByText('Every prerequisite Ganeti checks is met.').waitFor({ timeout: 60_000 });
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByRole('button', { name: 'Migrate' }).click();
    await expect
      .poll(() => primaryOnMaster(), { timeout: 120_000, interval: 1000 })
      .toEqual(['node2.gnt.test', 'running']);
  }, 300_000);

  it('verifies the cluster and lists the findings with their nodes', async () => {
    const tree = page.getByRole('tree', { name: 'Resources' });
    await tree.getByRole('treeitem', { name: 'cluster.gnt.test 3 nodes' }).click();
    await page.getByRole('tab', { name: 'General' }).click();
    const health = page.getByRole('region', { name: 'Health' });
    await health.getByRole('button', { name: 'Verify cluster' }).click();
    const findings = health.getByRole('list', { name: 'Verify findings' });
    // No /proc/sysrq-trigger in the lab: Ganeti reports a node setup error per node.
    for (const n of ['node1', 'node2', 'node3'])
      await findings
        .getByText(new RegExp(`${n}\\.gnt\\.test: node setup error: The procfs`))
        .waitFor({ timeout: 120_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'ganeti-verify.png') });
  }, 180_000);
});
