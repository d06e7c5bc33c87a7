// The Console tab of a Ganeti KVM instance in Chromium, against the real
// Ganeti lab: noVNC shows the instance's screen (SeaBIOS under TCG), its
// display on node2's loopback reached through the session to node1. Its own
// setup (not useE2e): the libvirt lab is not needed (LAB_LIBVIRT=0).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { addGanetiKvmInstance, ensureGanetiCluster, removeGanetiInstance } from '../ganeti-lab';
import { ARTIFACTS } from './fixtures';
import { expectConsolePicture } from './console-picture';
import { openGanetiInChromium, type GanetiInChromium } from './ganeti-fixture';

const canRun = existsSync('/usr/sbin/gnt-cluster') && process.getuid?.() === 0;
const VM = 'cd-gnt-e2e-console.gnt.test';
let page: Page;
let gnt: GanetiInChromium | undefined;

beforeAll(async () => {
  if (!canRun) return;
  ensureGanetiCluster();
  removeGanetiInstance(VM);
  addGanetiKvmInstance(VM, 'node2');
  gnt = await openGanetiInChromium('gnt-console');
  page = gnt.page;
}, 300_000);

afterAll(async () => {
  if (!canRun) return;
  await gnt?.close();
  removeGanetiInstance(VM);
}, 300_000);

describe.skipIf(!canRun)('the console of a Ganeti KVM instance in Chromium', () => {
  it('shows the instance’s screen in its Console tab', async () => {
    const tree = page.getByRole('tree', { name: 'Resources' });
    await tree.getByRole('treeitem', { name: `${VM} Running · diskless` }).click();
    await page.getByRole('tab', { name: 'Console' }).click();
    await page.getByRole('status', { name: 'Console status' }).getByText('Connected').waitFor();
    // SeaBIOS's text on the screen; under TCG the BIOS may take a few seconds to draw.
    await expectConsolePicture(page, VM, 15_000);
    await page.screenshot({ path: join(ARTIFACTS, 'ganeti-console.png') });
  }, 120_000);
});
