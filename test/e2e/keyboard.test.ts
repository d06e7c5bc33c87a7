// End to end: the real renderer in Debian's Chromium, through the browser
// shell, against the real backend and the lab's nodes (test/e2e/fixtures.ts).
// Keyboard: arrow keys in the resource tree select (the details pane follows),
// type-ahead, and focus that returns to the opener when a dialog or menu
// closes, and stays in a dialog after a click on its backdrop. Real key
// presses, elements found by accessible names.
// Runs alone: `LAB_BASE=NN npx vitest run test/e2e/keyboard.test.ts`.
import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { closeDialogs, useE2e, vmItem } from './fixtures';

const e2e = useE2e();
let page: Page;
beforeAll(() => {
  ({ page } = e2e);
});

/** The accessible name of the focused element, as a screen reader would announce it. */
const focusedName = () =>
  page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? '');
const hasFocus = (l: Locator) => l.evaluate((el) => el === document.activeElement);
const holdsFocus = (l: Locator) => l.evaluate((el) => el.contains(document.activeElement));
const detailsTitle = (name: string) => page.getByRole('heading', { level: 1, name, exact: true });

describe('keyboard in the resource tree', () => {
  it('ArrowDown and ArrowUp move and select; the details pane follows', async () => {
    await vmItem('lab-tiny-1', 'Running').click();
    await detailsTitle('lab-tiny-1').waitFor();
    await page.keyboard.press('ArrowDown');
    await expect.poll(focusedName).toMatch(/^lab-tiny-2 /);
    await detailsTitle('lab-tiny-2').waitFor();
    expect(await vmItem('lab-tiny-2', 'Shut off').getAttribute('aria-selected')).toBe('true');
    expect(await vmItem('lab-tiny-1', 'Running').getAttribute('aria-selected')).toBe('false');
    // Roving tabindex: only the focused item is in the Tab order.
    expect(await vmItem('lab-tiny-2', 'Shut off').getAttribute('tabindex')).toBe('0');

    await page.keyboard.press('ArrowUp');
    await expect.poll(focusedName).toMatch(/^lab-tiny-1 /);
    await detailsTitle('lab-tiny-1').waitFor();

    // Left goes to the parent group ("VMs", no details of its own: the selection stays), Left
    // again closes it, Right opens it and goes to its first child.
    await page.keyboard.press('ArrowLeft');
    await expect.poll(focusedName).toBe('VMs');
    await detailsTitle('lab-tiny-1').waitFor();
    const vms = page.getByRole('treeitem', { name: 'VMs', exact: true }).first();
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => vms.getAttribute('aria-expanded')).toBe('false');
    expect(await page.getByRole('treeitem', { name: /^lab-tiny-1 / }).count()).toBe(0);
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => vms.getAttribute('aria-expanded')).toBe('true');
    await page.keyboard.press('ArrowRight');
    await expect.poll(focusedName).toMatch(/^lab-linux /); // the first VM by name
    await detailsTitle('lab-linux').waitFor();

    await page.keyboard.press('Home');
    await expect.poll(focusedName).toBe('Clusterdeck');
    await detailsTitle('Clusterdeck').waitFor();
    // End: the last visible item, node2's last network.
    await page.keyboard.press('End');
    await expect.poll(focusedName).toMatch(/^default /);
    await detailsTitle('default').waitFor();
  });

  it('type-ahead jumps to the item whose name starts with the letters typed', async () => {
    await page.getByRole('treeitem', { name: 'Clusterdeck', exact: true }).click();
    await page.keyboard.type('lab-tiny-2');
    await expect.poll(focusedName).toMatch(/^lab-tiny-2 /);
    await detailsTitle('lab-tiny-2').waitFor();
    // After a pause a new word starts: "node2" from here.
    await page.waitForTimeout(700);
    await page.keyboard.type('node2');
    await expect.poll(focusedName).toMatch(/^node2 /);
    await detailsTitle('node2').waitFor();
  });

  it('Escape closes the VM menu and gives focus back to its tree item', async () => {
    await vmItem('lab-tiny-2', 'Shut off').click();
    await page.keyboard.press('Shift+F10');
    const menu = page.getByRole('menu', { name: 'Actions for lab-tiny-2' });
    await menu.waitFor();
    expect(await holdsFocus(menu)).toBe(true);
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });
    await expect.poll(focusedName).toMatch(/^lab-tiny-2 /);
  });
});

describe('focus and dialogs', () => {
  const addHost = () =>
    page.getByRole('toolbar', { name: 'Actions' }).getByRole('button', { name: 'Add Host' });

  it('Escape closes Add Host and focus returns to the toolbar button that opened it', async () => {
    await closeDialogs();
    await addHost().click();
    const dialog = page.getByRole('dialog', { name: 'Add Host' });
    await dialog.waitFor();
    expect(await holdsFocus(dialog)).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => hasFocus(addHost())).toBe(true);
  });

  it('a click on the backdrop or on the dialog text keeps focus inside the dialog', async () => {
    await addHost().click();
    const dialog = page.getByRole('dialog', { name: 'Add Host' });
    await dialog.getByLabel('Address').waitFor();
    await dialog.getByLabel('Address').fill('192.0.2.9');
    // The top-left corner of the window is backdrop (the dialog is centred).
    await page.mouse.click(5, 5);
    expect(await dialog.isVisible()).toBe(true);
    expect(await holdsFocus(dialog)).toBe(true);
    expect(await hasFocus(dialog.getByLabel('Address'))).toBe(true);
    // A click on the title (not a control) leaves focus in the dialog, and Tab stays inside.
    await dialog.getByRole('heading', { name: 'Add Host' }).click();
    expect(await holdsFocus(dialog)).toBe(true);
    await page.keyboard.press('Tab');
    expect(await holdsFocus(dialog)).toBe(true);
    await page.keyboard.press('Shift+Tab');
    expect(await holdsFocus(dialog)).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => hasFocus(addHost())).toBe(true);
  });
});
