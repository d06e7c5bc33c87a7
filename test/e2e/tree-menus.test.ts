// End to end: the real renderer in Debian's Chromium, through the browser
// shell, against the real backend and the lab's nodes (test/e2e/fixtures.ts).
// Context menus on the root and on a cluster in the resource tree: the root's
// opens Add Host (node3 is added through it), a cluster's lists its actions
// and a destructive one still shows its plan and asks first.
// Runs alone: `LAB_BASE=NN npx vitest run test/e2e/tree-menus.test.ts`.
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../core/backend';
import { addHostThroughDialog, closeDialogs, ensureE2eCluster, useE2e } from './fixtures';

const e2e = useE2e();
let page: Page;
let backend: Backend;
beforeAll(() => {
  ({ page, backend } = e2e);
});

describe('context menus on the root and clusters', () => {
  it("the root's menu opens Add Host", async () => {
    const root = page.getByRole('treeitem', { name: 'Clusterdeck', exact: true });
    await root.click({ button: 'right' });
    const menu = page.getByRole('menu', { name: 'Actions for Clusterdeck' });
    await menu.getByRole('menuitem', { name: 'New Cluster…' }).waitFor();
    await addHostThroughDialog('node3', () =>
      menu.getByRole('menuitem', { name: 'Add Host…' }).click(),
    );
    await menu.waitFor({ state: 'detached' });
    await page
      .getByRole('treeitem', { name: /^node3/ })
      .first()
      .waitFor();
  });

  it("a cluster's menu lists its actions and Remove cluster asks first", async () => {
    await ensureE2eCluster();
    const item = page.getByRole('treeitem', { name: /^e2e-cluster / });
    await item.click();
    await item.press('Shift+F10');
    const menu = page.getByRole('menu', { name: 'Actions for e2e-cluster' });
    await menu.waitFor();
    for (const node of ['node1', 'node2', 'node3'])
      await menu
        .getByRole('menuitem', { name: `Remove ${node} from the cluster…`, exact: true })
        .waitFor();
    await menu.getByRole('menuitem', { name: 'Remove cluster…', exact: true }).click();
    const ask = page.getByRole('alertdialog', { name: /Remove the cluster e2e-cluster/ });
    await ask.waitFor();
    // The same plan as the General tab's button: the commands shown before anything runs.
    await ask
      .getByText(/ssh|authorized_keys|cluster key/i)
      .first()
      .waitFor();
    await ask.getByRole('button', { name: 'Cancel' }).click();
    await ask.waitFor({ state: 'detached' });
    expect(backend.store.all('clusters').some((c) => c.name === 'e2e-cluster')).toBe(true);
    await item.waitFor();
    await closeDialogs();
  });
});
