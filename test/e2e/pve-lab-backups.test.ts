// Backups on a Proxmox VE cluster in Chromium, driven by visible labels and
// accessible names: the cluster's Backups tab, New backup job (VM 100 to
// pve1's local storage, keep the last one), Run now, the backup listed,
// Restore as a new VM (the archive's summary, the next free id), the new VM
// in the tree and its config on the node; then Delete of the job, confirmed;
// and a guest's own Backups tab with Back up now; then a backup protected
// (Delete disabled, saying why; Proxmox's own pvesh refused too), its notes edited,
// unprotected and deleted after the confirmation, gone from the list and
// from the node's storage listing. Brings the lab up where it is not, and
// takes it down again.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pveLabOrSkip, runOnPveNode, sshTo } from '../pve-lab';
import {
  addPveNodeThroughDialog,
  openPveInChromium,
  pveClusterItem,
  type PveInChromium,
} from './pve-fixture';

const canRun = pveLabOrSkip('pve-lab backups e2e');
let pve: PveInChromium | undefined;
let page: Page;

beforeAll(async () => {
  if (!canRun) return;
  pve = await openPveInChromium('pvebackup');
  page = pve.page;
  await addPveNodeThroughDialog(page, pve.lab, 'pve1');
}, 300_000);

afterAll(async () => {
  await pve?.close();
}, 120_000);

describe.skipIf(!canRun)('Backups on Proxmox VE in Chromium', () => {
  it('creates a job, runs it now, sees the backup and restores it as a new VM', async () => {
    const tree = page.getByRole('tree', { name: 'Resources' });
    await pveClusterItem(page, pve!.lab).click();
    await page.getByRole('tab', { name: 'Backups' }).click();
    const jobs = page.getByRole('region', { name: 'Backup jobs' });
    // The lab's seeded nightly job.
    await jobs.getByText('Nightly, every guest').waitFor({ timeout: 30_000 });

    await page.getByRole('button', { name: 'New backup job…' }).click();
    const dialog = page.getByRole('dialog', { name: 'New backup job' });
    await dialog.getByLabel('Schedule', { exact: true }).fill('sat 21:00');
    await dialog.getByLabel('Storage', { exact: true }).selectOption('local');
    await dialog.getByRole('radio', { name: 'The guests ticked below' }).check();
    await dialog.getByRole('checkbox', { name: '100 web01 (VM on pve1)' }).check();
    await dialog.getByLabel('Mode', { exact: true }).selectOption('snapshot');
    await dialog.getByLabel('Keep last').fill('2');
    await dialog.getByLabel('Comment', { exact: true }).fill('web e2e');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = jobs.getByRole('row').filter({ hasText: 'web e2e' });
    await row.getByText('Keep last 2').waitFor({ timeout: 30_000 });

    // Edit, by keyboard only: the row's Edit button, the field, Enter saves.
    await page.getByRole('button', { name: 'Edit web e2e' }).focus();
    await page.keyboard.press('Enter');
    const edit = page.getByRole('dialog', { name: /^Edit backup job / });
    await edit.getByLabel('Keep last').focus();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('1');
    await page.keyboard.press('Enter');
    await edit.waitFor({ state: 'detached' });
    await row.getByText('Keep last 1').waitFor({ timeout: 30_000 });

    // Run now: a task in the Tasks pane that follows vzdump's worker on pve1.
    await page.getByRole('button', { name: 'Run web e2e now' }).click();
    await page
      .getByRole('region', { name: 'Tasks' })
      .getByText(/Run backup job backup-/)
      .first()
      .waitFor({ timeout: 30_000 });
    const backups = page.getByRole('region', { name: 'Backups' });
    const ours = backups.getByRole('row').filter({ hasText: 'local on pve1' });
    await ours.first().waitFor({ timeout: 60_000 });
    expect(await ours.count()).toBe(1);
    await ours.getByRole('button', { name: /^Restore vzdump-qemu-100-/ }).click();

    const restore = page.getByRole('dialog', { name: 'Restore as a new VM' });
    const holds = restore.getByRole('region', { name: 'What the backup holds' });
    await holds.getByText('web01').waitFor({ timeout: 30_000 });
    await holds.getByText('2048 MiB').waitFor();
    const idField = restore.getByLabel('New VM ID');
    const vmid = await idField.inputValue();
    expect(Number(vmid)).toBeGreaterThanOrEqual(100);
    await restore.getByLabel('Disks to').selectOption('local-lvm');
    await restore.getByRole('button', { name: 'Restore' }).click();
    await restore.waitFor({ state: 'detached' });

    // The restored copy shows up beside the running original, shut off.
    await tree.getByRole('treeitem', { name: /^web01 Shut off/ }).waitFor({ timeout: 60_000 });
    const ssh = await sshTo(
      pve!.lab,
      pve!.lab.nodes.find((n) => n.name === 'pve1')!,
    );
    try {
      const conf = await ssh.exec(['qm', 'config', vmid]);
      expect(conf.code, conf.stderr).toBe(0);
      expect(conf.stdout).toContain('name: web01');
      expect(conf.stdout).toMatch(new RegExp(`scsi0: local-lvm:vm-${vmid}-disk-0`));
    } finally {
      ssh.close();
    }

    // Delete asks first; Cancel keeps the job.
    await page.getByRole('button', { name: 'Delete web e2e' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Delete the backup job web e2e?' });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await row.waitFor();
    await page.getByRole('button', { name: 'Delete web e2e' }).click();
    await confirm.getByRole('button', { name: 'Delete job' }).click();
    await row.waitFor({ state: 'detached', timeout: 30_000 });
  }, 240_000);

  it('backs up one guest now from its own Backups tab', async () => {
    const tree = page.getByRole('tree', { name: 'Resources' });
    await tree.getByRole('treeitem', { name: /^dns01 / }).click();
    await page.getByRole('tab', { name: 'Backups' }).click();
    const list = page.getByRole('region', { name: 'Backups of dns01' });
    await list.waitFor({ timeout: 30_000 });
    const before = await list.getByRole('button', { name: /^Restore / }).count();
    const form = page.getByRole('form', { name: 'Back up now' });
    await form.getByLabel('Backup storage').selectOption('nfs-shared');
    await form.getByRole('button', { name: 'Back up now' }).click();
    await list
      .getByRole('button', { name: /^Restore vzdump-lxc-200-/ })
      .nth(before)
      .waitFor({ timeout: 60_000 });
  }, 120_000);

  it('protects a backup, cannot delete it then, unprotects it and deletes it after asking', async () => {
    const tree = page.getByRole('tree', { name: 'Resources' });
    await tree.getByRole('treeitem', { name: /^dns01 / }).click();
    await page.getByRole('tab', { name: 'Backups' }).click();
    const list = page.getByRole('region', { name: 'Backups of dns01' });
    await list.waitFor({ timeout: 30_000 });
    const form = page.getByRole('form', { name: 'Back up now' });
    await form.getByLabel('Backup storage').selectOption('local');
    await form.getByRole('button', { name: 'Back up now' }).click();
    const row = list.getByRole('row').filter({ hasText: 'local on pve1' });
    await row.first().waitFor({ timeout: 60_000 });
    expect(await row.count()).toBe(1);
    const label = await row
      .getByRole('button', { name: /^Restore vzdump-lxc-200-/ })
      .getAttribute('aria-label');
    const file = label!.replace(/^Restore /, '');
    const volid = `local:backup/${file}`;
    const path = `/nodes/pve1/storage/local/content/${volid}`;

    await row.getByRole('button', { name: `Protect ${file}`, exact: true }).click();
    await row.getByText('Protected', { exact: true }).waitFor({ timeout: 30_000 });
    const del = row.getByRole('button', { name: `Delete ${file}` });
    expect(await del.isDisabled()).toBe(true);
    expect(await del.getAttribute('title')).toBe(
      'This backup is protected: Proxmox refuses to delete it. Unprotect it first.',
    );
    // Notes: the row shows their first line, the dialog all of them.
    await row.getByRole('button', { name: `Edit notes of ${file}` }).click();
    const notes = page.getByRole('dialog', { name: `Notes of ${file}` });
    await notes.getByLabel('Notes').fill('before the upgrade\nkeep until 2027');
    await notes.getByRole('button', { name: 'Save notes' }).click();
    await notes.waitFor({ state: 'detached' });
    await row.getByText('before the upgrade', { exact: true }).waitFor({ timeout: 30_000 });
    await row.getByRole('button', { name: `Edit notes of ${file}` }).click();
    expect(await notes.getByLabel('Notes').inputValue()).toBe(
      'before the upgrade\nkeep until 2027',
    );
    await notes.getByRole('button', { name: 'Cancel' }).click();
    await notes.waitFor({ state: 'detached' });
    // Proxmox itself refuses: its imgdel worker fails, the archive stays.
    const upid = (await runOnPveNode(pve!.lab, 'pve1', ['pvesh', 'delete', path])).trim();
    expect(upid).toMatch(/^UPID:pve1:.*:imgdel:200@local:/);
    let status: { status?: string; exitstatus?: string } = {};
    for (let i = 0; i < 100 && status.status !== 'stopped'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = JSON.parse(
        await runOnPveNode(pve!.lab, 'pve1', [
          'pvesh',
          'get',
          `/nodes/pve1/tasks/${upid}/status`,
          '--output-format',
          'json',
        ]),
      ) as typeof status;
    }
    expect(status.exitstatus).toBe(`cannot remove protected volume 'backup/${file}' on 'local'`);

    await row.getByRole('button', { name: `Unprotect ${file}`, exact: true }).click();
    await row
      .getByRole('button', { name: `Protect ${file}`, exact: true })
      .waitFor({ timeout: 30_000 });
    expect(await row.getByText('Protected', { exact: true }).count()).toBe(0);
    // Delete asks first, naming the archive and its storage; Cancel keeps it.
    await del.click();
    const confirm = page.getByRole('alertdialog', { name: `Delete the backup ${file}?` });
    await confirm.getByText(volid).waitFor();
    expect(await confirm.textContent()).toContain('from the storage local on pve1');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    expect(await row.count()).toBe(1);
    await del.click();
    await confirm.getByRole('button', { name: 'Delete backup' }).click();
    await row.waitFor({ state: 'detached', timeout: 30_000 });
    await page
      .getByRole('region', { name: 'Tasks' })
      .getByText(`Delete backup ${file}`)
      .first()
      .waitFor({ timeout: 30_000 });
    const left = JSON.parse(
      await runOnPveNode(pve!.lab, 'pve1', [
        'pvesh',
        'get',
        '/nodes/pve1/storage/local/content',
        '--content',
        'backup',
        '--output-format',
        'json',
      ]),
    ) as { volid: string }[];
    expect(left.map((v) => v.volid)).not.toContain(volid);
  }, 180_000);
});
