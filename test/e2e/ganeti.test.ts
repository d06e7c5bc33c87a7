// A Ganeti cluster in Chromium, against the real Ganeti lab: Add Host on one
// node shows Cluster > nodes with their roles > the instances on each
// primary node; Start from the toolbar and Delete VM… run as Ganeti jobs,
// each checked with `gnt-instance list` on the master. Its own setup (not
// useE2e): the libvirt lab is not needed (LAB_LIBVIRT=0).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addGanetiInstance,
  ensureGanetiCluster,
  instanceStatusOnMaster,
  removeGanetiInstance,
} from '../ganeti-lab';
import { waitFor } from '../lab';
import { ARTIFACTS } from './fixtures';
import { openGanetiInChromium, type GanetiInChromium } from './ganeti-fixture';

const canRun = existsSync('/usr/sbin/gnt-cluster') && process.getuid?.() === 0;
const VM = 'cd-gnt-e2e.gnt.test';
let page: Page;
let gnt: GanetiInChromium | undefined;

beforeAll(async () => {
  if (!canRun) return;
  ensureGanetiCluster();
  removeGanetiInstance(VM);
  addGanetiInstance(VM);
  gnt = await openGanetiInChromium('gnt');
  page = gnt.page;
}, 300_000);

afterAll(async () => {
  if (!canRun) return;
  await gnt?.close();
  removeGanetiInstance(VM);
}, 300_000);

describe.skipIf(!canRun)('a Ganeti cluster in Chromium', () => {
  it('shows Cluster > nodes with roles > instances, then starts and deletes one', async () => {
    const tree = page.getByRole('tree', { name: 'Resources' });
    await tree.getByRole('treeitem', { name: 'cluster.gnt.test 3 nodes' }).waitFor();
    await tree.getByRole('treeitem', { name: 'node1.gnt.test Master, connected' }).waitFor();
    await tree.getByRole('treeitem', { name: 'node2.gnt.test Master candidate' }).waitFor();
    await tree.getByRole('treeitem', { name: 'node3.gnt.test Master candidate' }).waitFor();
    const item = (state: string) =>
      tree.getByRole('treeitem', { name: `${VM} ${state} · diskless` });
    await item('Shut off').click();
    await page.getByText('node2.gnt.test', { exact: true }).first().waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'ganeti-tree.png') });

    await page
      .getByRole('toolbar', { name: 'Actions' })
      .getByRole('button', { name: 'Start' })
      .click();
    await item('Running').waitFor({ timeout: 60_000 });
    expect(instanceStatusOnMaster(VM)).toBe('running');

    await page.getByRole('button', { name: 'Delete VM…' }).click();
    const dialog = page.getByRole('alertdialog', { name: `Delete ${VM}?` });
    await dialog.getByText(/removed from its cluster with its diskless disks/).waitFor();
    await dialog.getByRole('button', { name: 'Delete VM' }).click();
    await tree
      .getByRole('treeitem', { name: new RegExp(`^${VM.replace(/\./g, '\\.')} `) })
      .waitFor({ state: 'detached', timeout: 60_000 });
    // The row can go before the job has removed the instance: the master has the last word.
    await waitFor(() => instanceStatusOnMaster(VM) === '' || undefined, `${VM} gone`, 60_000);
  }, 180_000);
});
