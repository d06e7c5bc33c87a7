// End to end: several VMs selected in the tree at once (Ctrl+click, Shift+click,
// Shift+arrows; aria-selected on each, aria-multiselectable on the tree) and
// the bulk actions on them from the toolbar and the context menu: one
// confirmation listing the VMs and the skipped ones with the reason, then one
// task per VM, each effect checked on the node with virsh. The guests are
// tiny diskless ones this file defines (test/e2e/tiny-guests.ts) and removes.
// Runs alone: `LAB_BASE=NN npx vitest run --project lab test/e2e/multi-select.test.ts`.
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, closeDialogs, ensureE2eCluster, useE2e, vmItem } from './fixtures';
import { virshOn } from '../lab';
import { defineTinyGuest, domstate, removeTinyGuests } from './tiny-guests';

const VMS = ['e2e-bulk-1', 'e2e-bulk-2', 'e2e-bulk-3'];

const e2e = useE2e();
let page: Page;
let tasks: Locator;
beforeAll(async () => {
  ({ page } = e2e);
  tasks = page.getByRole('region', { name: 'Tasks' });
  for (const name of VMS) defineTinyGuest('node1', name, name === 'e2e-bulk-3');
  await vmItem('e2e-bulk-3', 'Running').waitFor({ timeout: 15_000 });
});
afterAll(() => removeTinyGuests(VMS));

const item = (name: string) => page.getByRole('treeitem', { name: new RegExp(`^${name} `) });
const selectedNames = () =>
  page
    .getByRole('tree', { name: 'Resources' })
    .locator('[role="treeitem"][aria-selected="true"]')
    .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')!.split(' ')[0]));
const toolbar = () => page.getByRole('toolbar', { name: 'Actions' });
const taskRow = (title: string) => tasks.getByRole('listitem').filter({ hasText: title });
const modifier = process.platform === 'darwin' ? 'Meta' : 'Control';

/** Selects the three test VMs: a click on the first, Shift+click on the last. */
async function selectAll() {
  await item('e2e-bulk-1').click();
  await item('e2e-bulk-3').click({ modifiers: ['Shift'] });
  await expect.poll(selectedNames).toEqual(VMS);
}

describe('multi-select in the tree', () => {
  it('Ctrl+click toggles, Shift+click and Shift+arrows select ranges, announced with aria-selected', async () => {
    const tree = page.getByRole('tree', { name: 'Resources' });
    expect(await tree.getAttribute('aria-multiselectable')).toBe('true');
    await item('e2e-bulk-1').click();
    expect(await selectedNames()).toEqual(['e2e-bulk-1']);
    await item('e2e-bulk-3').click({ modifiers: [modifier] });
    expect(await selectedNames()).toEqual(['e2e-bulk-1', 'e2e-bulk-3']);
    expect(await item('e2e-bulk-2').getAttribute('aria-selected')).toBe('false');
    // Ctrl+click again takes it out.
    await item('e2e-bulk-1').click({ modifiers: [modifier] });
    expect(await selectedNames()).toEqual(['e2e-bulk-3']);

    await selectAll();
    // A plain click goes back to one.
    await item('e2e-bulk-2').click();
    expect(await selectedNames()).toEqual(['e2e-bulk-2']);
    await page.keyboard.press('Shift+ArrowDown');
    expect(await selectedNames()).toEqual(['e2e-bulk-2', 'e2e-bulk-3']);
    await page.keyboard.press('Shift+ArrowUp');
    await page.keyboard.press('Shift+ArrowUp');
    expect(await selectedNames()).toEqual(['e2e-bulk-1', 'e2e-bulk-2']);
    // An arrow alone selects one again.
    await page.keyboard.press('ArrowDown');
    expect(await selectedNames()).toEqual(['e2e-bulk-2']);
  });
});

describe('bulk actions', () => {
  it('Start from the toolbar: one confirmation, the running VM skipped, one task per VM', async () => {
    await closeDialogs();
    await selectAll();
    await toolbar().getByRole('button', { name: 'Start 3 VMs' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Start 2 VMs?' });
    const listed = dialog.getByRole('list', { name: 'VMs to act on' }).getByRole('listitem');
    await expect
      .poll(() => listed.allInnerTexts())
      .toEqual(['e2e-bulk-1 on node1', 'e2e-bulk-2 on node1']);
    expect(
      await dialog.getByRole('list', { name: 'Skipped VMs' }).getByRole('listitem').allInnerTexts(),
    ).toEqual(['e2e-bulk-3: it is Running']);
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-bulk-start.png') });
    await dialog.getByRole('button', { name: 'Start 2 VMs' }).click();
    await dialog.waitFor({ state: 'detached' });
    for (const name of ['e2e-bulk-1', 'e2e-bulk-2']) {
      await taskRow(`Start ${name}`).getByText('Succeeded').waitFor({ timeout: 20_000 });
      expect(domstate('node1', name)).toBe('running');
    }
    expect(await taskRow('Start e2e-bulk-3').count()).toBe(0);
  });

  it('Shut down says which VMs it skips and why', async () => {
    await closeDialogs();
    virshOnDestroy('e2e-bulk-2');
    await vmItem('e2e-bulk-2', 'Shut off').waitFor({ timeout: 10_000 });
    await selectAll();
    await toolbar().getByRole('button', { name: 'Shut down 3 VMs' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Shut down 2 VMs?' });
    expect(
      await dialog.getByRole('list', { name: 'Skipped VMs' }).getByRole('listitem').allInnerTexts(),
    ).toEqual(['e2e-bulk-2: it is Shut off']);
    // The lab's tiny guests ignore ACPI, so this one is not confirmed.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(domstate('node1', 'e2e-bulk-1')).toBe('running');
  });

  it('Force off from the context menu of a selected VM acts on all of them', async () => {
    await closeDialogs();
    await selectAll();
    await item('e2e-bulk-2').click({ button: 'right' });
    const menu = page.getByRole('menu', { name: 'Actions for 3 VMs' });
    await menu.getByRole('menuitem', { name: 'Force off 3 VMs…' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Force off 2 VMs?' });
    await dialog.getByText('e2e-bulk-2: it is Shut off').waitFor();
    await dialog.getByRole('button', { name: 'Force off 2 VMs' }).click();
    for (const name of ['e2e-bulk-1', 'e2e-bulk-3']) {
      await taskRow(`Force off ${name}`).getByText('Succeeded').waitFor({ timeout: 20_000 });
      expect(domstate('node1', name)).toBe('shut off');
    }
    // Nothing is left to start or stop: Force off is offered no more.
    await selectAll();
    expect(await toolbar().getByRole('button', { name: 'Force off 3 VMs' }).isDisabled()).toBe(
      true,
    );
  });

  it('Migrate moves each selected VM to the chosen node of the cluster, one task each', async () => {
    await ensureE2eCluster();
    await closeDialogs();
    await item('e2e-bulk-1').waitFor();
    await selectAll();
    // A VM already on the target is skipped: the lab's lab-tiny-3 on node2 (left where it is).
    await item('lab-tiny-3').click({ modifiers: [modifier] });
    await item('e2e-bulk-1').click({ button: 'right' });
    await page
      .getByRole('menu', { name: 'Actions for 4 VMs' })
      .getByRole('menuitem', { name: 'Migrate 4 VMs…' })
      .click();
    const dialog = page.getByRole('alertdialog', { name: /^Migrate \d VMs?\?$/ });
    // It proposes the node that takes the most of them.
    expect(await dialog.getByLabel('Target node').inputValue()).not.toBe('');
    await dialog.getByRole('option', { name: 'node2' }).waitFor({ state: 'attached' });
    await dialog.getByLabel('Target node').selectOption({ label: 'node2' });
    await page.getByRole('alertdialog', { name: 'Migrate 3 VMs?' }).waitFor();
    await dialog.getByText('lab-tiny-3: it is already on node2').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-bulk-migrate.png') });
    // Each moves as it is: a shut-off VM its definition, a running one live.
    const before = new Map(VMS.map((n) => [n, domstate('node1', n)]));
    await dialog.getByRole('button', { name: 'Migrate 3 VMs' }).click();
    for (const name of VMS) {
      const t = () =>
        e2e.backend.store.all('tasks').find((x) => x.title.startsWith(`Migrate ${name}`));
      await expect
        .poll(async () => t()?.state ?? (await page.getByRole('alert').allInnerTexts()).join(), {
          timeout: 90_000,
        })
        .toBe('succeeded');
      await taskRow(t()!.title).getByText('Succeeded').waitFor({ timeout: 60_000 });
      expect(domstate('node2', name)).toBe(before.get(name));
      expect(domstate('node1', name)).toBe('');
    }
    expect(domstate('node2', 'lab-tiny-3')).toBe('shut off');
  }, 180_000);
});

function virshOnDestroy(name: string) {
  // Through virsh, as another admin would: the tree follows the node's event.
  if (domstate('node1', name) === 'running') virshOn('node1', ['destroy', name]);
}
