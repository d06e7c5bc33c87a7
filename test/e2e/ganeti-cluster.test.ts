// New Cluster on Ganeti in Chromium, by accessible names, on a second
// Ganeti lab with no cluster (newGanetiLab: the shared lab is not touched):
// three nodes with Ganeti and no cluster show as such; the wizard offers
// the Ganeti stack, reads its settings from the nodes (DRBD not offered,
// saying which node lacks what), shows a failing preflight line for a name
// that does not resolve, then the checklist passes and Create makes the
// cluster, which appears in the tree with its 3 nodes; a node's menu drains it
// and the cluster's General tab undrains it.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newGanetiLab } from '../ganeti-lab';
import { startShellInChromium, type ShellInChromium } from './chromium';
import { ARTIFACTS } from './fixtures';

const canRun = existsSync('/usr/sbin/gnt-cluster') && process.getuid?.() === 0;
const lab = newGanetiLab();
let env: ShellInChromium | undefined;
let page: Page;
let home: string;

beforeAll(async () => {
  if (!canRun) return;
  lab.fresh();
  mkdirSync(ARTIFACTS, { recursive: true });
  home = mkdtempSync(join(tmpdir(), 'clusterdeck-e2e-gcl-'));
  writeFileSync(
    join(home, 'settings.json'),
    JSON.stringify({ version: 1, hosts: [], secrets: {}, vmActionTimeoutSeconds: 6 }),
  );
  env = await startShellInChromium(home);
  page = await env.browser.newPage({ viewport: { width: 1280, height: 900 } });
  for (const n of ['node1', 'node2', 'node3']) await lab.addNode(env.backend, n);
  await page.goto(env.shell.url);
  await page.getByRole('tree', { name: 'Resources' }).waitFor();
}, 300_000);

afterAll(async () => {
  if (!canRun) return;
  await env?.close();
  if (home) rmSync(home, { recursive: true, force: true });
  lab.down();
}, 120_000);

describe.skipIf(!canRun)('New Cluster on Ganeti in Chromium', () => {
  it('makes a Ganeti cluster of three nodes with the wizard; a node menu drains one', async () => {
    const tree = page.getByRole('tree', { name: 'Resources' });
    await tree.getByRole('treeitem', { name: 'new-node1 Connected, Ganeti, no cluster' }).waitFor();
    await page
      .getByRole('toolbar', { name: 'Actions' })
      .getByRole('button', { name: 'New Cluster' })
      .click();
    const wizard = page.getByRole('dialog', { name: 'New Cluster' });
    const stack = wizard.getByRole('group', { name: 'Stack' });
    expect(await stack.getByRole('radio', { name: /^Ganeti/ }).isChecked()).toBe(true);
    await wizard.getByLabel('Cluster name').fill('nowhere.gnt.test');
    for (const n of ['new-node1', 'new-node2', 'new-node3'])
      expect(await wizard.getByRole('checkbox', { name: new RegExp(`^${n} `) }).isChecked()).toBe(
        true,
      );
    await wizard.getByRole('button', { name: 'Next' }).click();

    const settings = wizard.getByRole('region', { name: 'Cluster settings' });
    await expect.poll(() => settings.getByLabel('Master network device').inputValue()).toBe('eth0');
    expect(await settings.getByLabel('Instance bridge').inputValue()).toBe('br0');
    const drbd = settings.getByRole('checkbox', { name: /^drbd/ });
    expect(await drbd.isDisabled()).toBe(true);
    await settings.getByText(/new-node1 lacks the drbd kernel module/).waitFor();
    expect(await settings.getByRole('checkbox', { name: 'sharedfile' }).isChecked()).toBe(true);
    expect(await settings.getByRole('checkbox', { name: 'fake' }).isChecked()).toBe(true);
    // As scripts/lab-ganeti init-cluster makes it: guests under TCG.
    await settings.getByRole('checkbox', { name: /Use KVM acceleration/ }).uncheck();
    await wizard.getByRole('button', { name: 'Next' }).click();

    const checks = wizard.getByRole('list', { name: 'Preflight checks' });
    await checks
      .getByText('new-node2 cannot resolve the cluster name nowhere.gnt.test.')
      .waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-ganeti-preflight-problem.png') });
    await wizard.getByRole('button', { name: /Name and nodes/ }).click();
    await wizard.getByLabel('Cluster name').fill('cluster.gnt.test');
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByRole('button', { name: 'Next' }).click();
    await checks.getByText("Every node resolves every node's name and cluster.gnt.test.").waitFor({
      timeout: 60_000,
    });
    expect(await checks.getByText('Problem').count()).toBe(0);
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByText(/gnt-cluster init .*-- cluster\.gnt\.test/).waitFor({ timeout: 60_000 });
    await wizard.getByRole('button', { name: 'Create' }).click();
    await wizard.waitFor({ state: 'detached' });

    await tree
      .getByRole('treeitem', { name: 'cluster.gnt.test 3 nodes' })
      .waitFor({ timeout: 300_000 });
    await tree.getByRole('treeitem', { name: /^node1\.gnt\.test Master, connected/ }).waitFor();
    const node3 = tree.getByRole('treeitem', { name: /^node3\.gnt\.test Master candidate/ });
    await node3.waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-ganeti-new-cluster.png') });
    const listed = lab.exec('node1', ['gnt-node', 'list', '--no-headers', '-o', 'name']);
    expect(listed.trim().split('\n')).toEqual([
      'node1.gnt.test',
      'node2.gnt.test',
      'node3.gnt.test',
    ]);

    await node3.click({ button: 'right' });
    await page
      .getByRole('menu', { name: 'Actions for node3.gnt.test' })
      .getByRole('menuitem', { name: 'Drain…' })
      .click();
    const ask = page.getByRole('alertdialog', { name: 'Drain: node3.gnt.test?' });
    await ask.getByText('gnt-node modify --submit --drained=yes -- node3.gnt.test').waitFor();
    await ask.getByRole('button', { name: 'Drain' }).click();
    await tree
      .getByRole('treeitem', { name: /^node3\.gnt\.test Drained/ })
      .waitFor({ timeout: 60_000 });
    const drained = lab.exec('node1', [
      'gnt-node',
      'list',
      '--no-headers',
      '-o',
      'drained',
      'node3.gnt.test',
    ]);
    expect(drained.trim()).toBe('Y');

    // The cluster's General tab has the same operations as a toolbar per node.
    await tree.getByRole('treeitem', { name: 'cluster.gnt.test 3 nodes' }).click();
    await page
      .getByRole('toolbar', { name: 'Actions for node3.gnt.test' })
      .getByRole('button', { name: 'Undrain…' })
      .click();
    await page
      .getByRole('alertdialog', { name: 'Undrain: node3.gnt.test?' })
      .getByRole('button', { name: 'Undrain' })
      .click();
    await tree
      .getByRole('treeitem', { name: /^node3\.gnt\.test Master candidate/ })
      .waitFor({ timeout: 60_000 });
    const undrained = lab.exec('node1', [
      'gnt-node',
      'list',
      '--no-headers',
      '-o',
      'drained',
      'node3.gnt.test',
    ]);
    expect(undrained.trim()).toBe('N');
  }, 480_000);
});
