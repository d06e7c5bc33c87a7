// End to end: the real renderer in Debian's Chromium, through the browser
// shell, against the real backend and the lab's nodes (test/e2e/fixtures.ts).
// Migration: Migrate VM by dragging a running guest (its console open) onto
// another node of the cluster, and back through the context menu.
// Runs alone: `LAB_BASE=NN npx vitest run test/e2e/migration-ui.test.ts`.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../core/backend';
import { virshOn, waitFor } from '../lab';
import { ARTIFACTS, ensureE2eCluster, vmItem, useE2e } from './fixtures';

const e2e = useE2e();
let page: Page;
let backend: Backend;
beforeAll(() => {
  ({ page, backend } = e2e);
});

describe('migration in Chromium', () => {
  it('migrates a running guest live by dragging it onto another node, its console open, a shut-off one with it', async () => {
    await ensureE2eCluster();
    await vmItem('lab-tiny-1', 'Running').click();
    await page.getByRole('tab', { name: 'Console' }).click();
    const status = page.getByRole('status', { name: 'Console status' });
    await status.getByText('Connected').waitFor();

    await vmItem('lab-tiny-1', 'Running').dragTo(
      page.getByRole('treeitem', { name: /^node2 Connected/ }),
    );
    await page.getByRole('dialog', { name: 'Migrate lab-tiny-1' }).waitFor();
    const wizard = page.getByRole('dialog', { name: /^Migrate / });
    expect(await wizard.getByLabel('Target node').inputValue()).toBe(
      backend.store.all('hosts').find((h) => h.name === 'node2')!.id,
    );
    // Encrypted through SSH by default; TLS not offered without certificates, and why.
    expect(await wizard.getByRole('radio', { name: /^Encrypted through SSH/ }).isChecked()).toBe(
      true,
    );
    await wizard.getByText(/^Not offered: node1 has no ca-cert\.pem/).waitFor();
    expect(await wizard.getByRole('radio', { name: /^Encrypted with TLS/ }).isDisabled()).toBe(
      true,
    );
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-migrate-transport.png') });
    // Several VMs of the node can go together: lab-tiny-2 (shut off) moves offline.
    await wizard.getByRole('checkbox', { name: /^lab-tiny-2/ }).check();
    await page.getByRole('dialog', { name: 'Migrate 2 VMs' }).waitFor();
    await wizard.getByRole('button', { name: 'Next' }).click();
    const checks = wizard.getByRole('list', { name: 'Preflight checks' });
    await checks
      .getByText('Live: lab-tiny-1 keeps running while its memory is copied.')
      .waitFor({ timeout: 30_000 });
    await checks
      .getByText('Offline: lab-tiny-2 is shut off, so only its definition moves.')
      .waitFor();
    expect(await checks.getByText('Problem', { exact: true }).count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-migrate-preflight.png') });
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard
      .getByRole('list', { name: 'Commands' })
      .getByText(/virsh -c qemu:\/\/\/system migrate --live --p2p --tunnelled/)
      .waitFor();
    await wizard.getByRole('button', { name: 'Migrate' }).click();
    await wizard.waitFor({ state: 'detached' });
    // While it moves: named so in the tree, and no lifecycle action offered.
    await vmItem('lab-tiny-1', 'Migrating to node2').waitFor({ timeout: 15_000 });
    const actions = page.getByRole('toolbar', { name: 'Actions' });
    expect(await actions.getByRole('button', { name: 'Force off' }).isDisabled()).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-migrating.png') });
    // The Tasks pane follows it; the task ends when virsh migrate returns.
    const migration = () =>
      backend.store.all('tasks').find((t) => t.title === 'Migrate lab-tiny-1, lab-tiny-2');
    const done = await waitFor(
      () => (migration()?.state !== 'running' ? migration() : undefined),
      'the migration task to end',
      120_000,
    );
    expect(done.error).toBeUndefined();
    try {
      expect(virshOn('node2', ['domstate', 'lab-tiny-1']).trim()).toBe('running');
      expect(virshOn('node1', ['list', '--all', '--name'])).not.toContain('lab-tiny-1');
      expect(virshOn('node2', ['domstate', 'lab-tiny-2']).trim()).toBe('shut off');
      expect(virshOn('node1', ['list', '--all', '--name'])).not.toContain('lab-tiny-2');
      // The console followed the guest to node2.
      await status.getByText('Connected').waitFor({ timeout: 15_000 });
      await page.getByRole('treeitem', { name: /^lab-tiny-1 Running/ }).waitFor();
    } finally {
      // Back with the context menu this time.
      await vmItem('lab-tiny-1', 'Running').click({ button: 'right' });
      await page.getByRole('menuitem', { name: 'Migrate…' }).click();
      await page.getByRole('dialog', { name: 'Migrate lab-tiny-1' }).waitFor();
      const back = page.getByRole('dialog', { name: /^Migrate / });
      await back.getByLabel('Target node').selectOption({ label: 'node1' });
      const tiny2 = back.getByRole('checkbox', { name: /^lab-tiny-2/ });
      if (await tiny2.count()) await tiny2.check();
      await back.getByRole('button', { name: 'Next' }).click();
      await back.getByRole('list', { name: 'Preflight checks' }).waitFor({ timeout: 30_000 });
      await back.getByRole('button', { name: 'Next' }).click();
      await back.getByRole('list', { name: 'Commands' }).waitFor();
      await back.getByRole('button', { name: 'Migrate' }).click();
      await back.waitFor({ state: 'detached' });
      await waitFor(
        () =>
          backend.store
            .all('tasks')
            .filter((t) => t.title.startsWith('Migrate lab-tiny-1'))
            .every((t) => t.state !== 'running'),
        'the migration back to end',
        120_000,
      );
      expect(virshOn('node1', ['domstate', 'lab-tiny-1']).trim()).toBe('running');
      expect(virshOn('node1', ['domstate', 'lab-tiny-2']).trim()).toBe('shut off');
      // The tree shows it once, on node1 again.
      await expect.poll(() => page.getByRole('treeitem', { name: /^lab-tiny-2 / }).count()).toBe(1);
    }
  });
});
