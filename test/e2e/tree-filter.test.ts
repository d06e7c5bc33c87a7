// End to end: the resource tree's filter box in Debian's Chromium, through the
// browser shell, against the real backend and the lab's nodes (test/e2e/fixtures.ts).
// Typing keeps the matching items and the rows above them, "state:running"
// keeps the running VMs, the tree keys work on what is left, and Escape
// gives back the whole tree. Elements found by accessible names.
// The node's and the pool's context menus (right click, Shift+F10) run their
// General tab's and pool view's actions.
// Runs alone: `LAB_BASE=NN npx vitest run test/e2e/tree-filter.test.ts`.
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { virshOn } from '../lab';
import { closeDialogs, useE2e, vmItem } from './fixtures';

const e2e = useE2e();
let page: Page;
beforeAll(() => {
  ({ page } = e2e);
});

const box = () => page.getByRole('searchbox', { name: 'Filter the tree' });
const items = () => page.getByRole('tree', { name: 'Resources' }).getByRole('treeitem');
const itemNames = () => items().evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
const focusedName = () =>
  page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? '');
/** The lab's VMs in the backend's inventory, by name: where they run and in what state. */
const vms = () => e2e.backend.store.all('vms');
const hostName = (hostId: string) => e2e.backend.store.get('hosts', hostId)?.name ?? '?';

describe('filter in the resource tree', () => {
  it('typing a name keeps the matching VM and its node, and hides the others', async () => {
    await vmItem('lab-tiny-1', 'Running').waitFor();
    const all = (await itemNames()).length;
    const tiny2 = vms().find((v) => v.name === 'lab-tiny-2')!;
    await box().fill('TINY-2');
    await expect.poll(() => vmItem('lab-tiny-1', 'Running').count()).toBe(0);
    expect(await vmItem('lab-tiny-2', 'Shut off').isVisible()).toBe(true);
    const node = page.getByRole('treeitem', {
      name: new RegExp(`^${hostName(tiny2.hostId)} Connected`),
    });
    expect(await node.isVisible()).toBe(true);
    expect(await node.getAttribute('aria-expanded')).toBe('true');
    // Only the match and the rows above it: Clusterdeck, the node, its VMs group, the VM.
    expect(await itemNames()).toEqual([
      'Clusterdeck',
      expect.stringMatching(new RegExp(`^${hostName(tiny2.hostId)} `)),
      'VMs',
      expect.stringMatching(/^lab-tiny-2 /),
    ]);
    expect(all).toBeGreaterThan(4);
  });

  it('the tree keys move over the filtered items and select them', async () => {
    await box().fill('tiny');
    await vmItem('lab-tiny-1', 'Running').waitFor();
    const shown = (await itemNames()) as string[];
    expect(shown.every((n) => /tiny/i.test(n) || !/^lab-/.test(n))).toBe(true);
    const last = shown[shown.length - 1]!;
    // Down from the box enters the tree; End and Up move over the filtered items only.
    await box().press('ArrowDown');
    await page.keyboard.press('End');
    await expect.poll(focusedName).toBe(last);
    await page.getByRole('heading', { level: 1, name: last.split(' ')[0], exact: true }).waitFor();
    await page.keyboard.press('ArrowUp');
    await expect.poll(focusedName).toBe(shown[shown.length - 2]);
    await page.keyboard.press('Home');
    await expect.poll(focusedName).toBe('Clusterdeck');
  });

  it('"state:running" shows only running VMs', async () => {
    await box().fill('state:running');
    const running = vms()
      .filter((v) => v.state === 'running')
      .map((v) => v.name);
    expect(running).toContain('lab-tiny-1');
    await expect.poll(() => vmItem('lab-tiny-2', 'Shut off').count()).toBe(0);
    const vmNames = (await itemNames())
      .filter((n): n is string => !!n)
      .filter((n) => vms().some((v) => n.startsWith(`${v.name} `)));
    expect(vmNames.map((n) => n.split(' ')[0]).sort()).toEqual([...running].sort());
    for (const n of vmNames) expect(n).toMatch(/ Running$/);
    // No pools or networks are left: a state token only matches VMs.
    expect(await page.getByRole('treeitem', { name: 'Storage pools', exact: true }).count()).toBe(
      0,
    );
  });

  it('says when nothing matches, and Escape in the box gives back the whole tree', async () => {
    await box().fill('no-such-thing');
    await page.getByText('No item matches').waitFor();
    expect(await items().count()).toBe(0);
    await box().press('Escape');
    expect(await box().inputValue()).toBe('');
    await vmItem('lab-tiny-1', 'Running').waitFor();
    expect(await vmItem('lab-tiny-2', 'Shut off').isVisible()).toBe(true);
    expect(await page.getByText('No item matches').count()).toBe(0);
    expect(
      await page.getByRole('treeitem', { name: 'Storage pools', exact: true }).count(),
    ).toBeGreaterThan(0);
  });
});

describe('context menus of nodes and pools in the tree', () => {
  it("a node's menu has its General tab's actions; Remove host asks first", async () => {
    await closeDialogs();
    await page.getByRole('treeitem', { name: /^node1 Connected/ }).click({ button: 'right' });
    const menu = page.getByRole('menu', { name: 'Actions for node1' });
    await menu.waitFor();
    expect(await menu.getByRole('menuitem').allTextContents()).toEqual([
      'Reconnect',
      'New network…',
      'Reboot…',
      'Shut down…',
      'Remove host…',
    ]);
    await menu.getByRole('menuitem', { name: 'Remove host…' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Remove node1?' });
    await confirm.waitFor();
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    expect(e2e.backend.store.all('hosts').some((h) => h.name === 'node1')).toBe(true);
  });

  it("a pool's menu stops (after asking) and starts the pool on its node", async () => {
    const node1 = e2e.backend.store.all('hosts').find((h) => h.name === 'node1')!;
    const pool = e2e.backend.store
      .all('pools')
      .find((p) => p.hostId === node1.id && p.state === 'running' && p.name === 'lab-images')!;
    expect(pool).toBeDefined();
    // On both nodes; node1's comes first in the tree.
    const items = page.getByRole('treeitem', { name: /^lab-images \d+% used/ });
    await expect.poll(() => items.count()).toBe(2);
    await items.first().click();
    await page.keyboard.press('Shift+F10');
    const menu = page.getByRole('menu', { name: 'Actions for lab-images' });
    await menu.waitFor();
    expect(await menu.getByRole('menuitem', { name: 'Start pool' }).isDisabled()).toBe(true);
    await menu.getByRole('menuitem', { name: 'Stop pool' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Stop lab-images on node1?' });
    await confirm.getByRole('button', { name: 'Stop pool' }).click();
    try {
      await page.getByRole('treeitem', { name: 'lab-images inactive' }).waitFor();
      expect(virshOn('node1', ['pool-info', 'lab-images'])).toMatch(/State:\s+inactive/);
      await page.getByRole('treeitem', { name: 'lab-images inactive' }).click({ button: 'right' });
      await menu.getByRole('menuitem', { name: 'Start pool' }).click();
      await expect.poll(() => items.count()).toBe(2);
      expect(virshOn('node1', ['pool-info', 'lab-images'])).toMatch(/State:\s+running/);
    } finally {
      // Whatever happened above, the next file finds the pool running.
      if (!/State:\s+running/.test(virshOn('node1', ['pool-info', 'lab-images'])))
        virshOn('node1', ['pool-start', 'lab-images']);
    }
  });
});
