// Migrate VM on Proxmox VE in Chromium, against the Proxmox lab: the Migrate
// VM wizard offers a running VM PVE's online migration (the offline one
// refused with the reason), its preflight is PVE's migration check, its
// command the pvesh call; the VM ends on the chosen node, as `qm list` on
// that node says over SSH. A running container dragged onto another node
// gets the same wizard with that node, and moves there by restart migration
// (`pct list` on the node).
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOnPveNode, type PveLab, pveLabOrSkip } from '../pve-lab';
import { ARTIFACTS } from './fixtures';
import { addPveNodeThroughDialog, openPveInChromium, type PveInChromium } from './pve-fixture';

const canRun = pveLabOrSkip('pve-lab migrate e2e');
let pve: PveInChromium | undefined;
let page: Page;
let lab: PveLab;

/** A line of `tool list` (qm or pct) on a node, over SSH as root with the lab key. */
async function listedOn(node: string, tool: 'qm' | 'pct', name: string): Promise<string> {
  const out = await runOnPveNode(lab, node, [tool, 'list']);
  return (
    out
      .split('\n')
      .find((l) => l.split(/\s+/).includes(name))
      ?.trim()
      .replace(/\s+/g, ' ') ?? ''
  );
}

beforeAll(async () => {
  if (!canRun) return;
  pve = await openPveInChromium('pve-mig', { width: 1280, height: 900 });
  page = pve.page;
  lab = pve.lab;
  await addPveNodeThroughDialog(page, lab, 'pve1');
}, 300_000);

afterAll(async () => {
  await pve?.close();
}, 120_000);

describe.skipIf(!canRun)('Migrate VM on Proxmox VE in Chromium', () => {
  it('migrates a running VM online to a chosen node', async () => {
    expect(await listedOn('pve1', 'qm', 'web01')).toMatch(/^100 web01 running /);
    const tree = page.getByRole('tree', { name: 'Resources' });
    await tree.getByRole('treeitem', { name: /^web01 Running/ }).click();
    await page
      .getByRole('toolbar', { name: 'Actions' })
      .getByRole('button', { name: 'Migrate…' })
      .click();
    const wizard = page.getByRole('dialog', { name: 'Migrate web01' });
    await wizard.getByText('web01 is running on pve1.', { exact: true }).waitFor();
    await wizard
      .getByText(/^Not offered: web01 is running: PVE migrates a running VM online only/)
      .waitFor();
    expect(
      await wizard.getByRole('radio', { name: /^Offline migration \(qm migrate\)/ }).isDisabled(),
    ).toBe(true);
    await wizard.getByRole('radio', { name: /^Online migration \(qm migrate --online\)/ }).check();
    await wizard.getByLabel('Target node').selectOption('pve2');
    await page.screenshot({ path: join(ARTIFACTS, 'pve-migrate-how.png') });
    await wizard.getByRole('button', { name: 'Next' }).click();
    const checks = wizard.getByRole('list', { name: 'Preflight checks' });
    await checks
      .getByText('Every prerequisite Proxmox VE checks is met.')
      .waitFor({ timeout: 60_000 });
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard
      .getByRole('list', { name: 'Commands' })
      .getByText(
        'pvesh create /nodes/pve1/qemu/100/migrate --target pve2 --online 1 --with-local-disks 1',
      )
      .waitFor();
    await wizard.getByRole('button', { name: 'Migrate' }).click();
    await page.getByText('Migrate web01').first().waitFor();
    await expect
      .poll(() => listedOn('pve2', 'qm', 'web01'), { timeout: 60_000, interval: 1000 })
      .toMatch(/^100 web01 running /);
    expect(await listedOn('pve1', 'qm', 'web01')).toBe('');
    // The app shows it on pve2 too (its General tab).
    await page
      .getByRole('definition')
      .getByText('pve2', { exact: true })
      .first()
      .waitFor({ timeout: 30_000 });
  }, 180_000);

  it('restart-migrates a running container dropped onto another node', async () => {
    expect(await listedOn('pve1', 'pct', 'dns01')).toMatch(/^200 running/);
    const tree = page.getByRole('tree', { name: 'Resources' });
    const ct = tree.getByRole('treeitem', { name: /^dns01 / });
    await ct.dragTo(tree.getByRole('treeitem', { name: /^pve3\b/ }));
    const wizard = page.getByRole('dialog', { name: 'Migrate dns01' });
    await wizard.waitFor();
    expect(
      await wizard
        .getByRole('radio', { name: /^Restart migration \(pct migrate --restart\)/ })
        .isChecked(),
    ).toBe(true);
    expect(await wizard.getByLabel('Target node').inputValue()).toBe('pve3');
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard
      .getByRole('list', { name: 'Preflight checks' })
      .getByText('Every prerequisite Proxmox VE checks is met.')
      .waitFor({ timeout: 60_000 });
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard
      .getByRole('list', { name: 'Commands' })
      .getByText('pvesh create /nodes/pve1/lxc/200/migrate --target pve3 --restart 1')
      .waitFor();
    await wizard.getByRole('button', { name: 'Migrate' }).click();
    await expect
      .poll(() => listedOn('pve3', 'pct', 'dns01'), { timeout: 60_000, interval: 1000 })
      .toMatch(/^200 running/);
    await page.screenshot({ path: join(ARTIFACTS, 'pve-migrate-done.png') });
  }, 180_000);
});
