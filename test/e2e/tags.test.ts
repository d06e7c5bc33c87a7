// End to end: tags on VMs. Added and removed on the VM's General tab, kept on
// the node in the domain's <metadata> under Clusterdeck's namespace (checked
// with `virsh metadata`, live and persistent for a running VM), shown in the
// tree (chips, tooltip) and found with the filter's tag: tokens. Values that
// are not plain words are refused before anything is sent. The guests are
// tiny diskless ones this file defines and removes.
// Runs alone: `LAB_BASE=NN npx vitest run --project lab test/e2e/tags.test.ts`.
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { virshOn } from '../lab';
import { ARTIFACTS, closeDialogs, useE2e, vmItem } from './fixtures';
import { defineTinyGuest, removeTinyGuests } from './tiny-guests';

const URI = 'https://clusterdeck.app/xmlns/tags/1';
const OFF = 'e2e-tags-off';
const ON = 'e2e-tags-on';

const e2e = useE2e({ nodes: ['node1'] });
let page: Page;
let tasks: Locator;
beforeAll(async () => {
  ({ page } = e2e);
  tasks = page.getByRole('region', { name: 'Tasks' });
  defineTinyGuest('node1', OFF);
  defineTinyGuest('node1', ON, true);
  await vmItem(ON, 'Running').waitFor({ timeout: 15_000 });
});
afterAll(() => removeTinyGuests([OFF, ON]));

/** The tags element on the node, or '' when there is none. */
function metadata(name: string, where: '--config' | '--live'): string {
  try {
    return virshOn('node1', ['metadata', '--domain', name, '--uri', URI, where]);
  } catch {
    return '';
  }
}
const tagsOnNode = (name: string, where: '--config' | '--live' = '--config') =>
  [...metadata(name, where).matchAll(/<tag>([^<]*)<\/tag>/g)].map((m) => m[1]);

const tagsSection = () => page.getByRole('region', { name: 'Tags' });
const item = (name: string) => page.getByRole('treeitem', { name: new RegExp(`^${name} `) });
const filter = () => page.getByRole('searchbox', { name: 'Filter the tree' });
const vmNames = () =>
  page
    .getByRole('tree', { name: 'Resources' })
    .getByRole('treeitem', { name: /^(e2e-|lab-)/ })
    .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')!.split(' ')[0]));

async function addTag(vm: string, tag: string) {
  await item(vm).click();
  await page.getByRole('tab', { name: 'General' }).click();
  await tagsSection().getByLabel('New tag').fill(tag);
  await tagsSection().getByRole('button', { name: 'Add tag' }).click();
}

describe('tags on VMs', () => {
  it('adds a tag to a shut-off VM: kept in its definition, shown in the tab and the tree', async () => {
    await addTag(OFF, 'web');
    await tasks
      .getByRole('listitem')
      .filter({ hasText: `Set the tags of ${OFF}: web` })
      .getByText('Succeeded')
      .waitFor({ timeout: 15_000 });
    await expect.poll(() => tagsOnNode(OFF)).toEqual(['web']);
    await tagsSection().getByRole('list', { name: 'Tags of the VM' }).getByText('web').waitFor();
    await expect.poll(() => item(OFF).getAttribute('title')).toContain('tags: web');
    await addTag(OFF, 'prod');
    await expect.poll(() => tagsOnNode(OFF)).toEqual(['web', 'prod']);
    await expect.poll(() => item(OFF).getAttribute('title')).toContain('tags: web, prod');
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-tags.png') });
  });

  it('a running VM gets the tag in its live and its persistent definition', async () => {
    await addTag(ON, 'db');
    await expect.poll(() => tagsOnNode(ON, '--live'), { timeout: 15_000 }).toEqual(['db']);
    expect(tagsOnNode(ON, '--config')).toEqual(['db']);
    await expect.poll(() => item(ON).getAttribute('title')).toContain('tags: db');
  });

  it('refuses spaces and markup before anything is sent', async () => {
    await item(OFF).click();
    const field = tagsSection().getByLabel('New tag');
    const add = tagsSection().getByRole('button', { name: 'Add tag' });
    for (const bad of ['bad tag', '<b>x</b>', 'a"b']) {
      await field.fill(bad);
      await tagsSection()
        .getByText(/without spaces/)
        .waitFor();
      expect(await add.isDisabled()).toBe(true);
      // Enter does not send it either.
      await field.press('Enter');
    }
    await field.fill('web');
    await tagsSection().getByText(`${OFF} already has the tag web.`).waitFor();
    expect(await add.isDisabled()).toBe(true);
    await field.fill('');
    expect(tagsOnNode(OFF)).toEqual(['web', 'prod']);
    expect(
      e2e.backend.store.all('tasks').filter((t) => t.title.startsWith('Set the tags')),
    ).toHaveLength(3);
  });

  it('the tree filter finds VMs by tag: tokens', async () => {
    await closeDialogs();
    await filter().fill('tag:web');
    await expect.poll(vmNames).toEqual([OFF]);
    await filter().fill('tag:DB');
    await expect.poll(vmNames).toEqual([ON]);
    await filter().fill('tag:web tag:prod state:shutoff');
    await expect.poll(vmNames).toEqual([OFF]);
    await filter().fill('tag:nothing');
    await page.getByRole('status').getByText('No item matches').waitFor();
    await filter().fill('');
    await expect.poll(async () => (await vmNames()).length).toBeGreaterThan(2);
  });

  it('removes tags: the last one removed leaves no Clusterdeck metadata on the node', async () => {
    await item(OFF).click();
    await tagsSection().getByRole('button', { name: 'Remove tag web' }).click();
    await expect.poll(() => tagsOnNode(OFF), { timeout: 15_000 }).toEqual(['prod']);
    await tagsSection().getByRole('button', { name: 'Remove tag prod' }).click();
    await expect.poll(() => metadata(OFF, '--config'), { timeout: 15_000 }).toBe('');
    expect(virshOn('node1', ['dumpxml', '--inactive', OFF])).not.toContain(URI);
    await tagsSection()
      .getByText(/^No tags/)
      .waitFor();
    await expect.poll(() => item(OFF).getAttribute('title')).not.toContain('tags:');
  });
});
