// Backups of a lone Proxmox VE node (in no cluster) in Chromium: its own
// Backups tab on the node (PVE keeps a node's backup jobs as a one-node
// datacenter's), New backup job of all its guests, listed. Starts its own
// bare one-node lab (scripts/lab-pve up 1 --bare) and takes it down.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { pveLabCommand, pveLabOrSkip, readPveLab, type PveLab } from '../pve-lab';
import { openPveInChromium, type PveInChromium } from './pve-fixture';

const canRun = pveLabOrSkip('pve-lab backups of a lone node e2e');

let world: PveInChromium;
let lab: PveLab;

beforeAll(async () => {
  if (!canRun) return;
  pveLabCommand(['down']);
  pveLabCommand(['up', '1', '--bare']);
  lab = readPveLab();
  world = await openPveInChromium('pve-backup-lone');
}, 120_000);

afterAll(async () => {
  await world?.close();
  if (canRun) pveLabCommand(['down']);
});

describe.skipIf(!canRun)('Backups of a lone Proxmox VE node in Chromium', () => {
  it('shows the Backups tab on the node and creates a job there', async () => {
    const { page } = world;
    const node = lab.nodes[0]!;
    await page
      .getByRole('toolbar', { name: 'Actions' })
      .getByRole('button', { name: 'Add Host' })
      .click();
    const add = page.getByRole('dialog', { name: 'Add Host' });
    await add.getByLabel('Address').fill(node.host);
    await add.getByLabel('Port').fill(String(node.port));
    await add.getByLabel('User').fill(lab.user);
    await add.getByLabel('Display name').fill(node.name);
    await add.getByLabel('Authentication').selectOption('Private key file');
    await add.getByLabel('Key file').fill(lab.keyPath);
    await add.getByRole('button', { name: 'Connect' }).click();
    await add.getByText(node.hostKeyFingerprint).waitFor({ timeout: 60_000 });
    await add.getByRole('button', { name: 'Trust and connect' }).click();
    await add.waitFor({ state: 'detached', timeout: 60_000 });
    const item = page
      .getByRole('tree', { name: 'Resources' })
      .getByRole('treeitem', { name: new RegExp(`^${node.name} Connected`) });
    await item.waitFor({ timeout: 60_000 });
    await item.click();
    await page.getByRole('tab', { name: 'Backups' }).click();
    const jobs = page.getByRole('region', { name: 'Backup jobs' });
    await jobs.getByText('None').waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'New backup job…' }).click();
    const dialog = page.getByRole('dialog', { name: 'New backup job' });
    await dialog.getByLabel('Storage', { exact: true }).selectOption('local');
    await dialog.getByLabel('Comment', { exact: true }).fill('lone node');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await jobs.getByRole('row').filter({ hasText: 'lone node' }).getByText('All guests').waitFor({
      timeout: 30_000,
    });
  }, 180_000);
});
