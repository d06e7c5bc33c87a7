// End to end: the real renderer in Debian's Chromium, through the browser
// shell, against the real backend and the lab's nodes (test/e2e/fixtures.ts).
// Storage: which VM uses a volume, New Storage Pool (with its Scan), volumes
// named like virsh options, and uploads with progress and cancel.
// Runs alone: `LAB_BASE=NN npx vitest run test/e2e/storage.test.ts`.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { labExec, readLab, virshOn, type Lab } from '../lab';
import { ARTIFACTS, openNewVmOnNode1, useE2e } from './fixtures';

// Its own Chromium: it gives the page 200 MiB files, which a shared one would get through its socket.
const e2e = useE2e({ ownBrowser: true });
let page: Page;
let lab: Lab;
let home: string;
beforeAll(() => {
  ({ page, lab, home } = e2e);
});

describe('storage in Chromium', () => {
  it.runIf(readLab().linuxGuest)(
    'names the VM that uses a volume, and offers only ISO images as New VM’s install media',
    async () => {
      await page
        .getByRole('treeitem', { name: /^lab-images/ })
        .first()
        .click();
      const details = page.getByRole('region', { name: 'Details' });
      const row = details.getByRole('row', { name: /lab-linux-data\.qcow2/ });
      await row.getByRole('cell', { name: 'lab-linux (running)' }).waitFor();
      expect(
        await details.getByRole('button', { name: 'Delete lab-linux-data.qcow2' }).isDisabled(),
      ).toBe(true);

      const { wizard, next } = await openNewVmOnNode1();
      await wizard.getByLabel('VM name').fill('e2e-never');
      await next();
      await next();
      await wizard.getByRole('radio', { name: 'No disk' }).check();
      await next();
      await wizard.getByRole('radio', { name: 'An ISO image from a storage pool' }).check();
      const isoPool = wizard.getByLabel('Pool with the ISO');
      await isoPool.selectOption({
        label: (await isoPool.locator('option', { hasText: 'lab-images' }).textContent())!,
      });
      expect(
        await wizard.getByLabel('ISO image').locator('option').allTextContents(),
      ).not.toContain('lab-linux-data.qcow2');
      await wizard.getByText(/volumes? not listed/).click();
      await wizard
        .getByRole('list', { name: 'Volumes not listed as ISO images' })
        .getByText('lab-linux-data.qcow2 is not an ISO image (libvirt reports format qcow2).')
        .waitFor();
      await page.screenshot({ path: join(ARTIFACTS, 'e2e-new-vm-iso-list.png') });
      await wizard.getByRole('button', { name: 'Cancel' }).click();
      await wizard.waitFor({ state: 'detached' });
    },
  );

  it('creates a pool shared by both nodes with the New Storage Pool wizard, and a volume in it', async () => {
    const dir = join(lab.dir, 'e2e-shared');
    rmSync(dir, { recursive: true, force: true });
    await page
      .getByRole('toolbar', { name: 'Actions' })
      .getByRole('button', { name: 'New Storage Pool' })
      .click();
    const wizard = page.getByRole('dialog', { name: 'New Storage Pool' });
    await wizard.getByRole('radio', { name: 'Local directory' }).check();
    await wizard.getByRole('button', { name: 'Next' }).click();
    // Checked as typed, against the same rules the backend applies.
    await wizard.getByLabel('Pool name').fill('bad name');
    await wizard.getByLabel('Directory on the node').fill(dir);
    await wizard.getByText(/Letters, digits and/).waitFor();
    await wizard.getByLabel('Pool name').fill('e2e-shared');
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByRole('checkbox', { name: 'node1' }).check();
    await wizard.getByRole('checkbox', { name: 'node2' }).check();
    await wizard.getByRole('button', { name: 'Next' }).click();
    const commands = wizard.getByRole('list', { name: 'Commands' });
    await commands.getByText('virsh -c qemu:///system pool-start e2e-shared').first().waitFor();
    expect(await commands.getByRole('listitem').count()).toBe(8);
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-new-pool-summary.png') });
    await wizard.getByRole('button', { name: 'Create' }).click();
    await wizard.waitFor({ state: 'detached' });
    try {
      // Running on both nodes: the tree shows each pool's usage.
      const poolItems = page.getByRole('treeitem', { name: /^e2e-shared \d+% used/ });
      await expect.poll(() => poolItems.count(), { timeout: 15_000 }).toBe(2);
      for (const n of ['node1', 'node2'])
        expect(virshOn(n, ['pool-info', 'e2e-shared'])).toMatch(/State:\s+running/);

      await poolItems.first().click();
      const details = page.getByRole('region', { name: 'Details' });
      const form = details.getByRole('form', { name: 'New volume' });
      await form.getByLabel('Volume name').fill('e2e.qcow2');
      await form.getByLabel('Size').fill('64M');
      await form.getByRole('button', { name: 'Create volume' }).click();
      await details
        .getByRole('cell', { name: 'e2e.qcow2', exact: true })
        .waitFor({ timeout: 15_000 });
      await details.getByRole('cell', { name: '64.0 MiB' }).first().waitFor();
      await page.screenshot({ path: join(ARTIFACTS, 'e2e-pool-volume.png') });

      await details.getByRole('button', { name: 'Delete e2e.qcow2' }).click();
      await page
        .getByRole('alertdialog', { name: /Delete the volume e2e.qcow2/ })
        .getByRole('button', { name: 'Delete volume' })
        .click();
      await details
        .getByRole('cell', { name: 'e2e.qcow2', exact: true })
        .waitFor({ state: 'detached' });
    } finally {
      // Whatever state the pools reached, they go (errors here would hide the test's own).
      for (const n of ['node1', 'node2'])
        for (const cmd of ['pool-destroy', 'pool-undefine']) {
          try {
            virshOn(n, [cmd, 'e2e-shared']);
          } catch {
            /* not there, or not running */
          }
        }
    }
  });

  it('shows files named like virsh options under their real names, and deletes only the one chosen', async () => {
    const dir = join(lab.dir, 'e2e-hostile');
    const drop = () => {
      for (const cmd of ['pool-destroy', 'pool-undefine'])
        try {
          virshOn('node1', [cmd, 'e2e-hostile']);
        } catch {
          /* not there */
        }
      rmSync(dir, { recursive: true, force: true });
    };
    drop();
    mkdirSync(dir);
    for (const f of ['victim.img', '--vol=victim.img', ' sp ace  two '])
      writeFileSync(join(dir, f), `${f}\n`);
    virshOn('node1', ['pool-define-as', 'e2e-hostile', 'dir', '--target', dir]);
    virshOn('node1', ['pool-start', 'e2e-hostile']);
    try {
      await page.getByRole('treeitem', { name: /^e2e-hostile / }).click();
      const details = page.getByRole('region', { name: 'Details' });
      const cell = (name: string) => details.getByRole('cell', { name, exact: true });
      await cell('--vol=victim.img').waitFor({ timeout: 15_000 });
      expect(await cell('victim.img').count()).toBe(1);
      // Spaces as the node has them, not folded.
      const spaced = details.getByRole('row').filter({ hasText: 'sp ace' }).getByRole('cell');
      expect(await spaced.first().evaluate((e) => (e as HTMLElement).innerText)).toBe(
        ' sp ace  two ',
      );

      await details.getByRole('button', { name: 'Delete --vol=victim.img' }).click();
      await page
        .getByRole('alertdialog', { name: /Delete the volume --vol=victim.img/ })
        .getByRole('button', { name: 'Delete volume' })
        .click();
      await cell('--vol=victim.img').waitFor({ state: 'detached', timeout: 15_000 });
      expect(labExec('node1', ['ls', '-A', dir]).split('\n').filter(Boolean).sort()).toEqual(
        [' sp ace  two ', 'victim.img'].sort(),
      );
      await cell('victim.img').waitFor();
    } finally {
      drop();
    }
  });

  it('scans from a node in the New Storage Pool wizard and shows what ran', async () => {
    await page
      .getByRole('toolbar', { name: 'Actions' })
      .getByRole('button', { name: 'New Storage Pool' })
      .click();
    const wizard = page.getByRole('dialog', { name: 'New Storage Pool' });
    await wizard.getByRole('radio', { name: 'LVM volume group' }).check();
    await wizard.getByRole('button', { name: 'Next' }).click();
    const scan = wizard.getByRole('region', { name: 'Scan for sources' });
    await scan.getByLabel('Scan from node').selectOption({ label: 'node1' });
    await scan.getByRole('button', { name: 'Scan' }).click();
    await scan.getByText('virsh -c qemu:///system find-storage-pool-sources-as logical').waitFor();
    await scan.getByText('Nothing found.').waitFor();
    // The kernel initiator's tool is missing on the lab nodes: the error says so.
    await wizard.getByRole('button', { name: 'Back' }).click();
    await wizard.getByRole('radio', { name: 'iSCSI (kernel initiator)' }).check();
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByLabel('Target portal address').fill('127.0.0.1');
    await scan.getByRole('button', { name: 'Scan' }).click();
    await expect
      .poll(() => scan.getByRole('alert').textContent())
      .toMatch(/^The scan on node\d failed: .*iscsiadm/);
    await wizard.getByRole('button', { name: 'Cancel' }).click();
    await wizard.waitFor({ state: 'detached' });
  });

  it('uploads a 200 MiB image into a pool with progress, and cancels another half-way', async () => {
    const file = join(home, 'e2e-200.img');
    writeFileSync(file, randomBytes(200 * 2 ** 20));
    const images = virshOn('node1', ['pool-dumpxml', 'lab-images']).match(
      /<path>(.*)<\/path>/,
    )![1]!;
    // node1's comes first in the tree.
    const node1Pool = page.getByRole('treeitem', { name: /^lab-images/ }).first();
    await node1Pool.click();
    const form = page.getByRole('form', { name: 'Upload a file' });
    const tasks = page.getByRole('region', { name: 'Tasks' });
    // Slow the page's uploads down, as a real network would, to watch them.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 80 * 2 ** 20,
    });
    try {
      await form.getByLabel('File to upload (ISO or disk image)').setInputFiles(file);
      await expect.poll(() => form.getByLabel('Upload as').inputValue()).toBe('e2e-200.img');
      await form.getByRole('button', { name: 'Upload', exact: true }).click();
      const bar = tasks.getByRole('progressbar', { name: 'Upload e2e-200.img progress' });
      await expect
        .poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 20_000 })
        .toBeGreaterThan(10);
      await tasks
        .getByText(/MiB of 200 MiB · .*MiB\/s · \d+ s left/)
        .first()
        .waitFor();
      await page.screenshot({ path: join(ARTIFACTS, 'e2e-upload-progress.png') });
      await tasks.getByText(/SHA-256 [0-9a-f]{16}… matches/).waitFor({ timeout: 30_000 });
      await page
        .getByRole('region', { name: 'Details' })
        .getByRole('cell', { name: 'e2e-200.img', exact: true })
        .waitFor();

      await form.getByLabel('File to upload (ISO or disk image)').setInputFiles(file);
      await form.getByLabel('Upload as').fill('e2e-cancelled.img');
      await form.getByRole('button', { name: 'Upload', exact: true }).click();
      const bar2 = tasks.getByRole('progressbar', { name: 'Upload e2e-cancelled.img progress' });
      await expect
        .poll(async () => Number(await bar2.getAttribute('aria-valuenow')), { timeout: 20_000 })
        .toBeGreaterThan(30);
      await bar2.locator('xpath=..').getByRole('button', { name: 'Cancel' }).click();
      await tasks.getByText('Cancelled; nothing was left on the node.').waitFor();
      const left = labExec('node1', ['ls', '-A', images]);
      expect(left).not.toMatch(/e2e-cancelled/);
    } finally {
      await cdp.detach().catch(() => undefined);
      labExec('node1', ['sh', '-c', `rm -f ${images}/e2e-200.img ${images}/.e2e-*`]);
      virshOn('node1', ['pool-refresh', 'lab-images']);
    }
  });
});
