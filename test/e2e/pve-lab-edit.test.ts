// Edit settings and snapshots of Proxmox VE guests in Chromium, against the
// Proxmox lab: the settings dialog starts from the guest's config, reviews
// each change before → after with the pvesh commands; an edit made
// meanwhile on the node (pvesh over SSH) makes PVE refuse the stale digest,
// and the task says so, naming the node and the command; applied again,
// `qm config` on the node shows the change. A running VM's snapshot keeps
// its RAM, as the node's snapshot list says.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOnPveNode, type PveLab, pveLabOrSkip } from '../pve-lab';
import { ARTIFACTS } from './fixtures';
import { addPveNodeThroughDialog, openPveInChromium, type PveInChromium } from './pve-fixture';

const canRun = pveLabOrSkip('pve-lab edit e2e');
let pve: PveInChromium | undefined;
let page: Page;
let lab: PveLab;

/** A command's output on a lab node (over SSH as root). */
const on = (node: string, argv: string[]) => runOnPveNode(lab, node, argv);

beforeAll(async () => {
  if (!canRun) return;
  pve = await openPveInChromium('pve-edit', { width: 1280, height: 900 });
  page = pve.page;
  lab = pve.lab;
  await addPveNodeThroughDialog(page, lab, 'pve1');
}, 300_000);

afterAll(async () => {
  await pve?.close();
}, 120_000);

async function openSettings() {
  await page
    .getByRole('tree', { name: 'Resources' })
    .getByRole('treeitem', { name: /^db01 / })
    .click();
  await page.getByRole('button', { name: 'Edit settings…' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Settings of db01' });
  const memory = dialog.getByRole('spinbutton', { name: 'Memory (MiB)', exact: true });
  await expect.poll(() => memory.inputValue(), { timeout: 30_000 }).toBe('4096');
  await memory.fill('6144');
  await dialog.getByRole('spinbutton', { name: 'Cores per socket' }).fill('6');
  await dialog.getByRole('checkbox', { name: 'Start at boot' }).check();
  await dialog.getByRole('spinbutton', { name: 'scsi0 size (MiB)' }).fill('69632');
  await dialog.getByRole('button', { name: 'Review changes' }).click();
  return dialog;
}

describe.skipIf(!canRun)('Edit settings and snapshots on Proxmox VE in Chromium', () => {
  it('reviews the changes; a stale digest is refused; applied again, the node has them', async () => {
    let dialog = await openSettings();
    const changes = dialog.getByRole('list', { name: 'Changes' });
    await changes.getByText('Memory: 4096 MiB → 6144 MiB').waitFor();
    await changes.getByText('Cores per socket: 4 → 6').waitFor();
    await changes.getByText('Start at boot: no → yes').waitFor();
    await changes.getByText('scsi0 size: 65536 MiB → 69632 MiB').waitFor();
    const cmds = dialog.getByRole('list', { name: 'Commands' });
    await cmds
      .getByText(
        /^pvesh set \/nodes\/pve2\/qemu\/101\/config --memory 6144 --cores 6 --onboot 1 --digest [0-9a-f]{40}$/,
      )
      .waitFor();
    await cmds
      .getByText('pvesh set /nodes/pve2/qemu/101/resize --disk scsi0 --size 69632M')
      .waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'pve-edit-settings-review.png') });
    // Another admin changes the guest meanwhile.
    await on('pve2', ['pvesh', 'set', '/nodes/pve2/qemu/101/config', '--tags', 'edited-elsewhere']);
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page
      .getByText(
        /pve1: `pvesh set \/nodes\/pve2\/qemu\/101\/config .*` failed: 500 detected modified configuration/,
      )
      .first()
      .waitFor({ timeout: 30_000 });
    expect(await on('pve2', ['qm', 'config', '101'])).toMatch(/^memory: 4096$/m);

    dialog = await openSettings();
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect
      .poll(() => on('pve2', ['qm', 'config', '101']), { timeout: 60_000, interval: 1000 })
      .toMatch(/^onboot: 1$/m);
    const conf = await on('pve2', ['qm', 'config', '101']);
    expect(conf).toMatch(/^memory: 6144$/m);
    expect(conf).toMatch(/^cores: 6$/m);
    await expect
      .poll(() => on('pve2', ['qm', 'config', '101']), { timeout: 30_000, interval: 1000 })
      .toMatch(/^scsi0: .*size=68G/m);
  }, 240_000);

  it('takes a snapshot of a running VM with its RAM', async () => {
    await page
      .getByRole('tree', { name: 'Resources' })
      .getByRole('treeitem', { name: /^web01 Running/ })
      .click();
    await page.getByRole('tab', { name: 'Snapshots' }).click();
    const form = page.getByRole('form', { name: 'Take a snapshot' });
    const memory = page.getByRole('radio', { name: 'Disks and memory (the running state)' });
    await expect.poll(() => memory.isChecked(), { timeout: 20_000 }).toBe(true);
    await form.getByLabel('Snapshot name').fill('e2e_ram');
    await form.getByRole('button', { name: 'Take snapshot' }).click();
    const list = page.getByRole('region', { name: 'Snapshots' });
    await list.getByText('e2e_ram').waitFor({ timeout: 60_000 });
    await list.getByText('· disks and memory').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'pve-snapshot.png') });
    const snaps = JSON.parse(
      await on('pve1', [
        'pvesh',
        'get',
        '/nodes/pve1/qemu/100/snapshot',
        '--output-format',
        'json',
      ]),
    ) as { name: string; vmstate?: number }[];
    expect(snaps.find((s) => s.name === 'e2e_ram')).toMatchObject({ vmstate: 1 });
  }, 120_000);

  it('clones a VM fully onto another node with the proposed id; linked is for templates', async () => {
    await page
      .getByRole('tree', { name: 'Resources' })
      .getByRole('treeitem', { name: /^db01 / })
      .click({ button: 'right' });
    await page
      .getByRole('menu', { name: 'Actions for db01' })
      .getByRole('menuitem', { name: 'Clone…' })
      .click();
    const dialog = page.getByRole('dialog', { name: 'Clone db01' });
    const id = dialog.getByRole('spinbutton', { name: 'New ID' });
    await expect.poll(() => id.inputValue(), { timeout: 20_000 }).toMatch(/^\d{3,}$/);
    const newId = await id.inputValue();
    await dialog
      .getByText(/db01 is not a template: Proxmox VE makes linked clones of templates only/)
      .waitFor();
    expect(await dialog.getByRole('checkbox', { name: /Linked clone/ }).isDisabled()).toBe(true);
    await dialog.getByLabel('Name of the copy').fill('db01-copy');
    await dialog.getByLabel('Target node').selectOption('pve3');
    await dialog.getByRole('button', { name: 'Clone' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect
      .poll(() => on('pve3', ['qm', 'list']), { timeout: 60_000, interval: 1000 })
      .toMatch(new RegExp(`^\\s*${newId}\\s+db01-copy\\s+stopped`, 'm'));
    // The copy exists before its clone task ends; it is locked (`lock: clone`) until then.
    await expect
      .poll(() => on('pve3', ['qm', 'config', newId]), { timeout: 60_000, interval: 1000 })
      .not.toMatch(/^lock: /m);
    await page
      .getByRole('tree', { name: 'Resources' })
      .getByRole('treeitem', { name: /^db01-copy / })
      .waitFor({ timeout: 20_000 });

    // Made a template, the copy is the base of a linked clone.
    await page
      .getByRole('tree', { name: 'Resources' })
      .getByRole('treeitem', { name: /^db01-copy / })
      .click({ button: 'right' });
    await page
      .getByRole('menu', { name: 'Actions for db01-copy' })
      .getByRole('menuitem', { name: 'Convert to template…' })
      .click();
    await page
      .getByRole('alertdialog', { name: /Convert db01-copy to a template/ })
      .getByRole('button', { name: 'Convert' })
      .click();
    await expect
      .poll(() => on('pve3', ['qm', 'config', newId]), { timeout: 60_000, interval: 1000 })
      .toMatch(/^template: 1$/m);
    await page
      .getByRole('tree', { name: 'Resources' })
      .getByRole('treeitem', { name: /^db01-copy / })
      .click({ button: 'right' });
    await page
      .getByRole('menu', { name: 'Actions for db01-copy' })
      .getByRole('menuitem', { name: 'Clone…' })
      .click();
    const again = page.getByRole('dialog', { name: 'Clone db01-copy' });
    const linked = again.getByRole('checkbox', { name: /Linked clone/ });
    await expect.poll(() => linked.isChecked(), { timeout: 20_000 }).toBe(true);
    const linkedId = await again.getByRole('spinbutton', { name: 'New ID' }).inputValue();
    await again.getByLabel('Name of the copy').fill('db01-linked');
    await again.getByRole('button', { name: 'Clone' }).click();
    await again.waitFor({ state: 'detached' });
    await expect
      .poll(() => on('pve3', ['qm', 'config', linkedId]).catch(() => ''), {
        timeout: 60_000,
        interval: 1000,
      })
      .toMatch(new RegExp(`^scsi0: nfs-shared:${newId}/base-${newId}-disk-0\\.qcow2/`, 'm'));
  }, 180_000);
});
