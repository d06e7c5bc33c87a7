// End to end: the real renderer in Debian's Chromium, through the browser
// shell, against the real backend and the lab's nodes (test/e2e/fixtures.ts).
// Hosts: Add Host through its dialog (the node's real fingerprint shown before
// any login) and a node's General tab.
// Runs alone: `LAB_BASE=NN npx vitest run test/e2e/hosts.test.ts`.
import type { Page } from 'playwright-core';
import { beforeAll, describe, it } from 'vitest';
import type { BrowserShell } from '../../shells/browser/browser-shell';
import type { Lab } from '../lab';
import { addHostThroughDialog, vmItem, useE2e } from './fixtures';

const e2e = useE2e({ nodes: [] });
let page: Page;
let shell: BrowserShell;
let lab: Lab;
beforeAll(() => {
  ({ page, shell, lab } = e2e);
});

describe('adding hosts in Chromium', () => {
  it('adds both lab nodes through the dialog and shows their guests', async () => {
    await page.goto(shell.url);
    await page.getByRole('tree', { name: 'Resources' }).waitFor();
    await addHostThroughDialog('node1');
    await addHostThroughDialog('node2');
    await page
      .getByRole('treeitem', { name: /^node1/ })
      .first()
      .waitFor();
    await page
      .getByRole('treeitem', { name: /^node2/ })
      .first()
      .waitFor();
    await vmItem('lab-tiny-1', 'Running').waitFor({ timeout: 15_000 });
    await vmItem('lab-tiny-2', 'Shut off').waitFor();
    await vmItem('lab-tiny-3', 'Shut off').waitFor();
  });

  it('shows node facts on the General tab', async () => {
    await page
      .getByRole('treeitem', { name: /^node1/ })
      .first()
      .click();
    const panel = page.getByRole('tabpanel');
    await panel.getByText('9.0.0').first().waitFor();
    await panel
      .getByText(lab.kvm ? 'KVM' : 'Emulated (TCG)')
      .first()
      .waitFor();
  });
});
