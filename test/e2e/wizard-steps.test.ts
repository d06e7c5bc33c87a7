// Step labels that take a wizard back (New Storage Pool, New Cluster, Migrate
// VM), and a file dropped onto a pool's upload area that uploads like a chosen one.
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { virshOn } from '../lab';
import { ensureE2eCluster, useE2e, vmItem } from './fixtures';

const e2e = useE2e();
let page: Page;
beforeAll(() => {
  ({ page } = e2e);
});

describe('wizard steps and dropped uploads in Chromium', () => {
  it('goes back to a visited step by its label, and forward only through valid steps', async () => {
    await page
      .getByRole('toolbar', { name: 'Actions' })
      .getByRole('button', { name: 'New Storage Pool' })
      .click();
    const wizard = page.getByRole('dialog', { name: 'New Storage Pool' });
    const steps = wizard.getByRole('list', { name: 'Steps' });
    const current = () => steps.locator('[aria-current="step"]').textContent();
    // Not visited yet: no label to click.
    expect(await steps.getByRole('button').count()).toBe(0);
    await wizard.getByRole('radio', { name: 'Local directory' }).check();
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByLabel('Pool name').fill('e2e-steps');
    await wizard.getByLabel('Directory on the node').fill('/tmp/e2e-steps');
    await wizard.getByRole('button', { name: 'Next' }).click();
    await expect.poll(current).toBe('3. Nodes');

    await steps.getByRole('button', { name: '1. Type' }).click();
    await expect.poll(current).toBe('1. Type');
    expect(await wizard.getByRole('radio', { name: 'Local directory' }).isChecked()).toBe(true);

    // Forward again by a label, but a step that fails its check stops the wizard there.
    await steps.getByRole('button', { name: '2. Settings' }).click();
    await expect.poll(current).toBe('2. Settings');
    await wizard.getByLabel('Pool name').fill('bad name');
    await steps.getByRole('button', { name: '3. Nodes' }).click();
    await wizard.getByText(/Letters, digits and/).waitFor();
    expect(await current()).toBe('2. Settings');
    await wizard.getByLabel('Pool name').fill('e2e-steps');
    await steps.getByRole('button', { name: '3. Nodes' }).click();
    await expect.poll(current).toBe('3. Nodes');

    await wizard.getByRole('button', { name: 'Cancel' }).click();
    await wizard.waitFor({ state: 'detached' });
  });

  it('New Cluster: back to its first step by label, the name and nodes kept; nothing made', async () => {
    await page
      .getByRole('toolbar', { name: 'Actions' })
      .getByRole('button', { name: 'New Cluster' })
      .click();
    const wizard = page.getByRole('dialog', { name: 'New Cluster' });
    const steps = wizard.getByRole('list', { name: 'Steps' });
    const current = () => steps.locator('[aria-current="step"]').textContent();
    await wizard.getByLabel('Cluster name').fill('e2e-steps-cluster');
    const node1 = wizard.getByRole('checkbox', { name: 'node1' });
    const node2 = wizard.getByRole('checkbox', { name: 'node2' });
    // Nodes already in a cluster cannot be chosen; pick two that can, if any.
    const free = [];
    for (const box of [node1, node2, wizard.getByRole('checkbox', { name: 'node3' })])
      if ((await box.count()) && (await box.isEnabled())) free.push(box);
    for (const box of free) await box.check();
    await wizard.getByRole('button', { name: 'Next' }).click();
    await expect.poll(current).toBe('2. Preflight');
    await steps.getByRole('button', { name: '1. Name and nodes' }).click();
    await expect.poll(current).toBe('1. Name and nodes');
    expect(await wizard.getByLabel('Cluster name').inputValue()).toBe('e2e-steps-cluster');
    for (const box of free) expect(await box.isChecked()).toBe(true);
    // A step not visited yet is no button.
    expect(await steps.getByRole('button', { name: '4. Summary' }).count()).toBe(0);
    await wizard.getByRole('button', { name: 'Cancel' }).click();
    await wizard.waitFor({ state: 'detached' });
    expect(e2e.backend.store.all('clusters').map((c) => c.name)).not.toContain('e2e-steps-cluster');
  });

  it('Migrate VM: back to Target by label, the target kept; forward again by label', async () => {
    await ensureE2eCluster();
    await vmItem('lab-tiny-1', 'Running').click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Migrate…' }).click();
    const wizard = page.getByRole('dialog', { name: 'Migrate lab-tiny-1' });
    const steps = wizard.getByRole('list', { name: 'Steps' });
    const current = () => steps.locator('[aria-current="step"]').textContent();
    await wizard.getByLabel('Target node').selectOption({ label: 'node3' });
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByRole('list', { name: 'Preflight checks' }).waitFor({ timeout: 30_000 });
    await steps.getByRole('button', { name: '1. Target' }).click();
    await expect.poll(current).toBe('1. Target');
    const target = wizard.getByLabel('Target node');
    expect(await target.locator('option:checked').textContent()).toBe('node3');
    await steps.getByRole('button', { name: '2. Preflight' }).click();
    await expect.poll(current).toBe('2. Preflight');
    await wizard.getByRole('list', { name: 'Preflight checks' }).waitFor({ timeout: 30_000 });
    await wizard.getByRole('button', { name: 'Cancel' }).click();
    await wizard.waitFor({ state: 'detached' });
    // Nothing moved.
    expect(virshOn('node1', ['domstate', 'lab-tiny-1']).trim()).toBe('running');
  });

  it('uploads a file dropped on the pool’s upload area', async () => {
    const name = 'e2e-dropped.img';
    await page
      .getByRole('treeitem', { name: /^lab-images/ })
      .first()
      .click();
    const area = page.getByRole('region', { name: 'Upload area' });
    const form = area.getByRole('form', { name: 'Upload a file' });
    try {
      const dataTransfer = await page.evaluateHandle((fileName) => {
        const dt = new DataTransfer();
        dt.items.add(new File([new Uint8Array(64 * 1024).fill(7)], fileName));
        return dt;
      }, name);
      await area.dispatchEvent('dragover', { dataTransfer });
      await area.dispatchEvent('drop', { dataTransfer });
      await expect.poll(() => form.getByLabel('Upload as').inputValue()).toBe(name);
      await form.getByRole('button', { name: 'Upload', exact: true }).click();
      await page
        .getByRole('region', { name: 'Details' })
        .getByRole('cell', { name, exact: true })
        .waitFor({ timeout: 30_000 });
      expect(virshOn('node1', ['vol-list', 'lab-images'])).toContain(name);
    } finally {
      try {
        virshOn('node1', ['vol-delete', '--pool', 'lab-images', name]);
      } catch {
        // Not uploaded: nothing to delete.
      }
    }
  });
});
