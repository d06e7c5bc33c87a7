// The Console tab of a Proxmox VE VM in Chromium, against the Proxmox lab:
// the node added through Add Host, the VM found in the tree by its visible
// label, noVNC showing the screen of the real QEMU the lab runs for it
// (SeaBIOS under TCG), reached by vncproxy + vncwebsocket through the API
// tunnel of the SSH session the app holds. Its own setup (pve-fixture.ts).
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { ARTIFACTS } from './fixtures';
import { expectConsolePicture } from './console-picture';
import { addPveNodeThroughDialog, openPveInChromium, type PveInChromium } from './pve-fixture';
import { pveLabOrSkip } from '../pve-lab';

const canRun = pveLabOrSkip('pve-lab-console e2e', ['/usr/bin/qemu-system-x86_64']);
let page: Page;
let pve: PveInChromium | undefined;

beforeAll(async () => {
  if (!canRun) return;
  pve = await openPveInChromium('pve-console');
  page = pve.page;
  await addPveNodeThroughDialog(page, pve.lab, 'pve1');
}, 180_000);

afterAll(async () => {
  await pve?.close();
}, 60_000);

describe.skipIf(!canRun)('the console of a Proxmox VE VM in Chromium', () => {
  it('shows the VM’s screen in its Console tab', async () => {
    const tree = page.getByRole('tree', { name: 'Resources' });
    await tree.getByRole('treeitem', { name: /^web01 Running/ }).click();
    await page.getByRole('tab', { name: 'Console' }).click();
    await page.getByRole('status', { name: 'Console status' }).getByText('Connected').waitFor();
    // SeaBIOS's text on the screen; under TCG the BIOS may take a few seconds to draw.
    await expectConsolePicture(page, 'web01', 15_000);
    await page.screenshot({ path: join(ARTIFACTS, 'pve-console.png') });
  }, 120_000);
});
