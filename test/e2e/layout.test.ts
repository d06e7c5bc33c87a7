// End to end: the window at the admin's screen sizes, in Debian's Chromium
// through the browser shell against the lab (test/e2e/fixtures.ts). At
// 1024x700, 1400x900 and 1920x1080 the toolbar is one row (icons, not
// wrapped), the window has no horizontal scrollbar, the tree and details are
// visible and the console keeps a usable size; screenshots of each are kept
// in test-results/. The splitters move by mouse and keys, are remembered
// across a reload and reset on double-click; a long name is cut short with
// the whole name in its tooltip, indented as its neighbours.
// Runs alone: `LAB_BASE=NN npx vitest run --project lab test/e2e/layout.test.ts`.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, closeDialogs, useE2e, vmItem } from './fixtures';
import { defineTinyGuest, removeTinyGuests } from './tiny-guests';

const LONG = 'e2e-layout-a-virtual-machine-with-a-name-far-too-long-for-the-tree';

const e2e = useE2e({ nodes: ['node1'] });
let page: Page;
beforeAll(async () => {
  ({ page } = e2e);
  defineTinyGuest('node1', LONG);
  await vmItem(LONG, 'Shut off').waitFor({ timeout: 15_000 });
});
afterAll(() => removeTinyGuests([LONG]));

const toolbar = () => page.getByRole('toolbar', { name: 'Actions' });
const treeSplitter = () => page.getByRole('separator', { name: 'Resize the resource tree' });
const tasksSplitter = () => page.getByRole('separator', { name: 'Resize the Tasks pane' });
const valueNow = async (sep: ReturnType<typeof treeSplitter>) =>
  Number(await sep.getAttribute('aria-valuenow'));
const box = async (l: ReturnType<typeof toolbar>) => {
  const b = await l.boundingBox();
  if (!b) throw new Error('not on screen');
  return b;
};

describe('the window at three screen sizes', () => {
  for (const [width, height] of [
    [1024, 700],
    [1400, 900],
    [1920, 1080],
  ] as const) {
    it(`${width}x${height}: one toolbar row, no horizontal scrollbar, a usable console`, async () => {
      await closeDialogs();
      await page.setViewportSize({ width, height });
      await vmItem('lab-tiny-1', 'Running').click();
      await page.getByRole('tab', { name: 'Console' }).click();
      await page.getByRole('status', { name: 'Console status' }).getByText('Connected').waitFor();
      const canvas = page
        .getByRole('application', { name: 'Console of lab-tiny-1' })
        .locator('canvas');
      await expect.poll(async () => (await canvas.boundingBox())?.width ?? 0).toBeGreaterThan(0);
      await page.screenshot({ path: join(ARTIFACTS, `e2e-layout-${width}x${height}.png`) });

      // One row: every control of the toolbar on the same line, the bar no taller than one.
      const tops = await toolbar()
        .locator('button')
        .evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top)));
      expect(new Set(tops).size).toBe(1);
      const bar = await box(toolbar());
      const button = await box(toolbar().getByRole('button', { name: 'Help' }));
      expect(bar.height).toBeLessThan(button.height * 1.6);
      // Every action is still there by its name, as an icon where labels do not fit.
      for (const name of ['Add Host', 'New VM', 'New Storage Pool', 'Start', 'Force off'])
        expect(await toolbar().getByRole('button', { name, exact: true }).count()).toBe(1);
      const labelled = await toolbar().innerText();
      if (width >= 1400) expect(labelled).toContain('New Storage Pool');

      // No horizontal scrollbar on the window, nor a vertical one.
      const overflow = await page.evaluate(() => ({
        x: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        y: document.documentElement.scrollHeight - document.documentElement.clientHeight,
      }));
      expect(overflow).toEqual({ x: 0, y: 0 });

      // Tree and details side by side, both visible.
      const tree = await box(page.getByRole('navigation', { name: 'Resource tree' }));
      const details = await box(page.getByRole('region', { name: 'Details' }));
      expect(tree.width).toBeGreaterThanOrEqual(180);
      expect(details.width).toBeGreaterThanOrEqual(width / 2);
      expect(details.x).toBeGreaterThanOrEqual(tree.x + tree.width);

      // The guest's 720x400 screen scaled into what is left, not a postage stamp.
      const screen = await box(canvas);
      expect(screen.width).toBeGreaterThanOrEqual(480);
      expect(screen.height).toBeGreaterThanOrEqual(260);
      expect(screen.y + screen.height).toBeLessThanOrEqual(
        (await box(page.getByRole('region', { name: 'Tasks' }))).y,
      );
    });
  }
});

describe('a window narrower still', () => {
  it('moves the VM actions into a More menu rather than wrapping', async () => {
    await closeDialogs();
    await page.setViewportSize({ width: 600, height: 600 });
    await vmItem('lab-tiny-1', 'Running').click();
    const more = toolbar().getByRole('button', { name: 'More' });
    await more.waitFor();
    expect(await toolbar().getByRole('button', { name: 'Force off' }).count()).toBe(0);
    const tops = await toolbar()
      .locator('button')
      .evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top)));
    expect(new Set(tops).size).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-layout-600x600.png') });
    await more.click();
    const menu = page.getByRole('menu', { name: 'More actions' });
    expect(await menu.getByRole('menuitem', { name: 'Force off' }).isEnabled()).toBe(true);
    expect(await menu.getByRole('menuitem', { name: 'Start' }).isDisabled()).toBe(true);
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });
    // Wider again: the buttons come back.
    await page.setViewportSize({ width: 1400, height: 900 });
    await toolbar().getByRole('button', { name: 'Force off' }).waitFor();
    expect(await more.count()).toBe(0);
  });
});

describe('splitters', () => {
  it('move with the arrow keys and the mouse, survive a reload and reset on double-click', async () => {
    await page.setViewportSize({ width: 1400, height: 900 });
    const nav = page.getByRole('navigation', { name: 'Resource tree' });
    const start = await valueNow(treeSplitter());
    expect(start).toBe(Math.round((await box(nav)).width));

    await treeSplitter().focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    expect(await valueNow(treeSplitter())).toBe(start + 48);
    expect(Math.round((await box(nav)).width)).toBe(start + 48);

    // Dragged 60 pixels to the left.
    const s = await box(treeSplitter());
    await page.mouse.move(s.x + s.width / 2, s.y + 200);
    await page.mouse.down();
    await page.mouse.move(s.x + s.width / 2 - 30, s.y + 200);
    await page.mouse.move(s.x + s.width / 2 - 60, s.y + 200);
    await page.mouse.up();
    expect(await valueNow(treeSplitter())).toBe(start - 12);

    // The Tasks pane grows upwards.
    const tasks = page.getByRole('region', { name: 'Tasks' });
    const tasksStart = await valueNow(tasksSplitter());
    await tasksSplitter().focus();
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    expect(await valueNow(tasksSplitter())).toBe(tasksStart + 32);
    expect(Math.round((await box(tasks)).height)).toBe(tasksStart + 32);

    await page.reload();
    await page.getByRole('tree', { name: 'Resources' }).waitFor();
    expect(await valueNow(treeSplitter())).toBe(start - 12);
    expect(Math.round((await box(nav)).width)).toBe(start - 12);
    expect(await valueNow(tasksSplitter())).toBe(tasksStart + 32);

    await treeSplitter().dblclick();
    await tasksSplitter().dblclick();
    expect(await valueNow(treeSplitter())).toBe(288);
    expect(await valueNow(tasksSplitter())).toBe(224);
    await page.keyboard.press('Home');
    expect(await valueNow(tasksSplitter())).toBe(72);
    await page.keyboard.press('Enter');
    expect(await valueNow(tasksSplitter())).toBe(224);
  });
});

describe('long names in the tree', () => {
  it('are cut short with the whole name in the tooltip, indented as their neighbours', async () => {
    const long = vmItem(LONG, 'Shut off');
    expect(await long.getAttribute('title')).toContain(LONG);
    const label = long.getByText(LONG, { exact: true });
    const cut = await label.evaluate((e) => e.scrollWidth > e.clientWidth);
    expect(cut).toBe(true);
    // The state after it stays readable, and the tree does not scroll sideways.
    expect(await long.getByText('Shut off').isVisible()).toBe(true);
    const nav = page.getByRole('navigation', { name: 'Resource tree' });
    expect(await nav.evaluate((e) => e.scrollWidth - e.clientWidth)).toBe(0);
    // Same indentation as the other VMs of the node.
    const left = (l: typeof long) =>
      l
        .locator('span')
        .nth(2)
        .evaluate((e) => Math.round(e.getBoundingClientRect().left));
    expect(await left(long)).toBe(await left(vmItem('lab-tiny-1', 'Running')));
  });
});
