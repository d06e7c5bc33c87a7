// New Storage Pool and an ISO upload on the Proxmox lab in Chromium: the
// wizard offers Proxmox VE's types, Scan from a node lists the lab filer's
// NFS exports and Use fills the export, the summary shows the exact pvesh
// command, and the storage made is what pve2's own pvesh says; then an ISO
// dropped into the storage's upload form goes up with progress in the Tasks
// pane and appears in the storage's content (pve1's pvesh lists it), one
// cancelled half-way leaves nothing, Edit storage changes what it holds and
// its nodes, and Remove storage takes it out of the cluster.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sshTo, type PveSsh, pveLabOrSkip } from '../pve-lab';
import { ARTIFACTS } from './fixtures';
import {
  addPveNodeThroughDialog,
  openPveInChromium,
  pveClusterItem,
  type PveInChromium,
} from './pve-fixture';

const canRun = pveLabOrSkip('pve-lab storage e2e');
const ID = 'e2e-iso';
const MIB = 2 ** 20;
// Removing a storage leaves its files (as PVE does): a name of this run's own.
const ISO = `e2e-${Date.now().toString(36)}.iso`;
let pve: PveInChromium | undefined;
let page: Page;
let ssh: PveSsh | undefined;
let files: string;

async function pvesh(path: string): Promise<unknown> {
  const r = await ssh!.exec(['pvesh', 'get', path, '--output-format', 'json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as unknown;
}

beforeAll(async () => {
  if (!canRun) return;
  files = mkdtempSync(join(tmpdir(), 'clusterdeck-e2e-pve-storage-'));
  pve = await openPveInChromium('pvestore');
  page = pve.page;
  await addPveNodeThroughDialog(page, pve.lab, 'pve1');
  ssh = await sshTo(
    pve.lab,
    pve.lab.nodes.find((n) => n.name === 'pve2')!,
  );
}, 300_000);

afterAll(async () => {
  ssh?.close();
  await pve?.close();
  if (files) rmSync(files, { recursive: true, force: true });
}, 120_000);

describe.skipIf(!canRun)('storage on Proxmox VE in Chromium', () => {
  it('creates an NFS storage with Scan filling the export; pvesh on pve2 shows it', async () => {
    await pveClusterItem(page, pve!.lab).click();
    await page
      .getByRole('toolbar', { name: 'Actions' })
      .getByRole('button', { name: 'New Storage Pool' })
      .click();
    const wizard = page.getByRole('dialog', { name: 'New Storage Pool' });
    await wizard.getByText('Reading the cluster’s storage…').waitFor({ state: 'detached' });
    await wizard.getByRole('radio', { name: 'NFS', exact: true }).check();
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByRole('textbox', { name: 'Storage ID' }).fill(ID);
    await wizard.getByRole('textbox', { name: 'Server' }).fill('192.0.2.50');
    await wizard.getByRole('combobox', { name: 'Scan from node' }).selectOption('pve2');
    await wizard.getByRole('button', { name: 'Scan', exact: true }).click();
    await wizard.getByText('pvesh get /nodes/pve2/scan/nfs --server 192.0.2.50').waitFor();
    await wizard
      .getByRole('list', { name: 'Found sources' })
      .getByRole('button', { name: 'Use /mnt/tank/iso (*)' })
      .click();
    await expect(wizard.getByRole('textbox', { name: 'Export' }).inputValue()).resolves.toBe(
      '/mnt/tank/iso',
    );
    await page.screenshot({ path: join(ARTIFACTS, 'pve-new-storage-scan.png') });
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByRole('checkbox', { name: 'Disk images (VMs)' }).uncheck();
    await wizard.getByRole('checkbox', { name: 'ISO images' }).check();
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard
      .getByRole('list', { name: 'Commands' })
      .getByText(
        `pvesh create /storage --storage ${ID} --type nfs --server 192.0.2.50 --export /mnt/tank/iso --content iso`,
      )
      .waitFor();
    await wizard.getByRole('button', { name: 'Create' }).click();
    await wizard.waitFor({ state: 'detached' });
    const tasks = page.getByRole('region', { name: 'Tasks' });
    await tasks.getByText(`New storage ${ID}`).waitFor();
    await expect
      .poll(async () => (await pvesh(`/storage`)) as { storage: string }[], { timeout: 20_000 })
      .toContainEqual(expect.objectContaining({ storage: ID, type: 'nfs', content: 'iso' }));
  }, 120_000);

  it('uploads an ISO into it with progress; it shows in the storage and in pvesh', async () => {
    const tree = page.getByRole('tree', { name: 'Resources' });
    const item = tree.getByRole('treeitem', { name: new RegExp(`^${ID} storage`) });
    if (!(await item.isVisible())) {
      await tree.getByRole('treeitem', { name: /^pve1 Online/ }).click();
      await page.keyboard.press('ArrowRight');
    }
    await item.click();
    const details = page.getByRole('region', { name: 'Details' });
    await details.getByRole('button', { name: 'Remove storage…' }).waitFor();
    const form = page.getByRole('form', { name: 'Upload a file' });
    const file = join(files, ISO);
    writeFileSync(file, randomBytes(32 * MIB));
    const tasks = page.getByRole('region', { name: 'Tasks' });
    // Slow the page's upload down, as a real network would, to watch its progress.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 6 * MIB,
    });
    try {
      await form.getByLabel('File to upload (ISO or disk image)').setInputFiles(file);
      await expect.poll(() => form.getByLabel('Upload as').inputValue()).toBe(ISO);
      await form.getByLabel('Upload content').selectOption('iso');
      await form.getByRole('button', { name: 'Upload', exact: true }).click();
      const bar = tasks.getByRole('progressbar', { name: `Upload ${ISO} progress` });
      // What the Tasks pane said while the bytes went up (the bar and its line).
      const seen: { value: number; text: string }[] = [];
      await expect
        .poll(
          async () => {
            const value = Number(await bar.getAttribute('aria-valuenow'));
            seen.push({ value, text: (await tasks.textContent()) ?? '' });
            return value;
          },
          { timeout: 20_000, interval: 100 },
        )
        .toBeGreaterThan(10);
      await page.screenshot({ path: join(ARTIFACTS, 'pve-upload-progress.png') });
      await details.getByRole('cell', { name: ISO, exact: true }).waitFor({ timeout: 60_000 });
      const line = /MiB of 32(?:\.0)? MiB · .*\/s · \d+ s left/;
      expect(
        seen.some((s) => line.test(s.text)),
        JSON.stringify(seen.slice(-3)),
      ).toBe(true);

      // Another one cancelled half-way: nothing is kept.
      const other = ISO.replace('.iso', '-cancelled.iso');
      await form.getByLabel('File to upload (ISO or disk image)').setInputFiles(file);
      await form.getByLabel('Upload as').fill(other);
      await form.getByRole('button', { name: 'Upload', exact: true }).click();
      const bar2 = tasks.getByRole('progressbar', { name: `Upload ${other} progress` });
      await expect
        .poll(async () => Number(await bar2.getAttribute('aria-valuenow')), { timeout: 20_000 })
        .toBeGreaterThan(20);
      await bar2.locator('xpath=..').getByRole('button', { name: 'Cancel' }).click();
      await tasks.getByText('Cancelled; nothing was kept on the node.').waitFor();
      const after = (await pvesh(`/nodes/pve1/storage/${ID}/content`)) as { volid: string }[];
      expect(after.map((v) => v.volid)).not.toContain(`${ID}:iso/${other}`);
    } finally {
      await cdp.detach().catch(() => undefined);
    }
    const content = (await pvesh(`/nodes/pve1/storage/${ID}/content`)) as {
      volid: string;
      size: number;
    }[];
    expect(content).toContainEqual(
      expect.objectContaining({ volid: `${ID}:iso/${ISO}`, size: 32 * MIB }),
    );
  }, 120_000);

  it('edits what it holds and its nodes after a review of the call; pvesh on pve2 shows the change', async () => {
    const details = page.getByRole('region', { name: 'Details' });
    await details.getByRole('button', { name: 'Edit storage…' }).click();
    const dialog = page.getByRole('dialog', { name: `Edit storage ${ID}` });
    const content = dialog.getByRole('group', { name: 'Content' });
    await content.getByRole('checkbox', { name: 'Backups' }).check();
    await dialog.getByRole('radio', { name: 'The nodes ticked below' }).check();
    const nodes = dialog.getByRole('group', { name: 'Nodes it is for' });
    // None ticked yet: nothing to review.
    await expect(dialog.getByRole('button', { name: 'Review changes' }).isDisabled()).resolves.toBe(
      true,
    );
    await nodes.getByRole('checkbox', { name: 'pve1' }).check();
    await nodes.getByRole('checkbox', { name: 'pve2' }).check();
    await dialog.getByRole('button', { name: 'Review changes' }).click();
    const digest = ((await pvesh(`/storage/${ID}`)) as { digest: string }).digest;
    await dialog
      .getByRole('list', { name: 'Commands' })
      .getByText(
        `pvesh set /storage/${ID} --content iso,backup --nodes pve1,pve2 --digest ${digest}`,
      )
      .waitFor();
    const changes = dialog.getByRole('table', { name: 'Changes' });
    await expect(changes.textContent()).resolves.toBe(
      'Contentiso → iso, backupNodesevery node → pve1, pve2',
    );
    await page.screenshot({ path: join(ARTIFACTS, 'pve-edit-storage.png') });
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page
      .getByRole('region', { name: 'Tasks' })
      .getByText(`Change storage ${ID}`, { exact: true })
      .waitFor();
    await expect
      .poll(async () => (await pvesh(`/storage/${ID}`)) as Record<string, unknown>, {
        timeout: 20_000,
      })
      .toMatchObject({ content: 'iso,backup', nodes: 'pve1,pve2' });
    await details.getByText('iso, backup').waitFor();
  }, 60_000);

  it('removes the storage after asking', async () => {
    const details = page.getByRole('region', { name: 'Details' });
    await details.getByRole('button', { name: 'Remove storage…' }).click();
    const confirm = page.getByRole('alertdialog', {
      name: `Remove the storage ${ID} from the cluster?`,
    });
    await confirm.getByRole('button', { name: 'Remove storage' }).click();
    await expect
      .poll(
        async () => ((await pvesh('/storage')) as { storage: string }[]).map((s) => s.storage),
        {
          timeout: 20_000,
        },
      )
      .not.toContain(ID);
  }, 60_000);
});
