// New VM and Edit settings on a Ganeti cluster in Chromium, against the real
// Ganeti lab: the wizard reads the cluster's OS definitions and templates
// (DRBD and plain refused with the nodes named), places a sharedfile VM on a
// chosen primary, and the VM shows under that node; Edit settings reviews
// before → after with the exact command, then the job changes it. Each
// effect is checked with `gnt-instance list -o` on the master.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureGanetiCluster,
  ganetiExec,
  ganetiMaster,
  instanceStatusOnMaster,
  removeGanetiInstance,
} from '../ganeti-lab';
import { ARTIFACTS } from './fixtures';
import { openGanetiInChromium, type GanetiInChromium } from './ganeti-fixture';

const canRun = existsSync('/usr/sbin/gnt-cluster') && process.getuid?.() === 0;
const VM = 'cd-gvm-e2e.gnt.test';
let page: Page;
let gnt: GanetiInChromium | undefined;

const onMaster = (fields: string): string[] =>
  ganetiExec(ganetiMaster(), [
    'gnt-instance',
    'list',
    '--no-headers',
    '--separator=|',
    '-o',
    fields,
    VM,
  ])
    .trim()
    .split('|');

beforeAll(async () => {
  if (!canRun) return;
  ensureGanetiCluster();
  removeGanetiInstance(VM);
  gnt = await openGanetiInChromium('gvm');
  page = gnt.page;
}, 300_000);

afterAll(async () => {
  if (!canRun) return;
  await gnt?.close();
  removeGanetiInstance(VM);
}, 300_000);

describe.skipIf(!canRun)('New VM and Edit settings on Ganeti in Chromium', () => {
  it('creates a sharedfile VM on a chosen primary; it shows under that node', async () => {
    const tree = page.getByRole('tree', { name: 'Resources' });
    await tree.getByRole('treeitem', { name: 'cluster.gnt.test 3 nodes' }).click();
    await page
      .getByRole('toolbar', { name: 'Actions' })
      .getByRole('button', { name: 'New VM' })
      .click();
    const wizard = page.getByRole('dialog', { name: 'New VM' });
    await wizard.getByText('Reading the cluster’s choices…').waitFor({ state: 'detached' });
    await wizard.getByRole('textbox', { name: 'VM name' }).fill(VM);
    await expect(
      wizard.getByRole('combobox', { name: 'OS definition' }).inputValue(),
    ).resolves.toBe('noop');
    await wizard.getByRole('combobox', { name: 'Hypervisor' }).selectOption('fake');
    await wizard.getByRole('button', { name: 'Next' }).click();

    const all = 'node1.gnt.test, node2.gnt.test and node3.gnt.test';
    const refused = wizard.getByRole('list', { name: 'Unavailable disk templates' });
    await refused
      .getByText(`drbd: DRBD needs the drbd kernel module, which ${all} lack.`, { exact: false })
      .waitFor();
    await refused
      .getByText(`plain: plain needs an LVM volume group, which ${all} have none of.`, {
        exact: false,
      })
      .waitFor();
    await expect(
      wizard.getByRole('radio', { name: 'drbd (unavailable)' }).isDisabled(),
    ).resolves.toBe(true);
    await wizard.getByRole('radio', { name: 'sharedfile', exact: true }).check();
    await wizard.getByRole('combobox', { name: 'Primary node' }).selectOption('node3.gnt.test');
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByRole('spinbutton', { name: 'Memory (MiB)' }).fill('192');
    await wizard.getByRole('spinbutton', { name: 'Disk size (GiB)' }).fill('1');
    await wizard.getByRole('button', { name: 'Next' }).click();
    await expect(wizard.getByRole('combobox', { name: 'NIC 1 link' }).inputValue()).resolves.toBe(
      'br0',
    );
    await wizard.getByRole('checkbox', { name: 'Start the VM when it is created' }).uncheck();
    await wizard.getByRole('button', { name: 'Next' }).click();
    const commands = wizard.getByRole('list', { name: 'Commands' });
    await commands
      .getByText(
        `gnt-instance add --submit -t sharedfile -o noop -n node3.gnt.test -H fake -B maxmem=192,minmem=192,vcpus=1 --disk 0:size=1024M --net 0:link=br0 --no-name-check --no-ip-check --no-start -- ${VM}`,
      )
      .waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'ganeti-new-vm-summary.png') });
    await wizard.getByRole('button', { name: 'Create' }).click();

    const item = tree.getByRole('treeitem', { name: `${VM} Shut off · sharedfile` });
    await item.waitFor({ timeout: 120_000 });
    expect(onMaster('status,pnode,disk_template,be/maxmem,disk.sizes')).toEqual([
      'ADMIN_down',
      'node3.gnt.test',
      'sharedfile',
      '192',
      '1024',
    ]);
    // Under its primary: the nearest row one level up is node3.
    const parent = await item.evaluate((el) => {
      const level = Number(el.getAttribute('aria-level'));
      let row = el.previousElementSibling;
      while (row && Number(row.getAttribute('aria-level')) !== level - 1)
        row = row.previousElementSibling;
      return row?.getAttribute('aria-label') ?? '';
    });
    expect(parent).toMatch(/^node3\.gnt\.test/);
  }, 240_000);

  it('edits memory and vCPUs with a review of before → after and the command', async () => {
    const tree = page.getByRole('tree', { name: 'Resources' });
    await tree.getByRole('treeitem', { name: `${VM} Shut off · sharedfile` }).click();
    await page.getByRole('button', { name: 'Edit settings…' }).first().click();
    const dialog = page.getByRole('dialog', { name: `Settings of ${VM}` });
    const memory = dialog.getByRole('spinbutton', { name: 'Memory (MiB)', exact: true });
    await expect.poll(() => memory.inputValue(), { timeout: 30_000 }).toBe('192');
    await memory.fill('256');
    await dialog.getByRole('spinbutton', { name: 'Minimum memory (MiB)' }).fill('128');
    await dialog.getByRole('spinbutton', { name: 'vCPUs' }).fill('2');
    await dialog.getByRole('spinbutton', { name: 'Disk 0 size (MiB)' }).fill('2048');
    await dialog.getByRole('button', { name: 'Review changes' }).click();
    const changes = dialog.getByRole('list', { name: 'Changes' });
    await changes.getByText('Memory (maxmem): 192 MiB → 256 MiB').waitFor();
    await changes.getByText('Minimum memory (minmem): 192 MiB → 128 MiB').waitFor();
    await changes.getByText('vCPUs: 1 → 2').waitFor();
    await changes.getByText('Disk 0 size: 1024 MiB → 2048 MiB').waitFor();
    const cmds = dialog.getByRole('list', { name: 'Commands' });
    await cmds
      .getByText(`gnt-instance modify --submit -B maxmem=256,minmem=128,vcpus=2 -- ${VM}`)
      .waitFor();
    await cmds.getByText(`gnt-instance grow-disk --submit --absolute -- ${VM} 0 2048M`).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'ganeti-edit-settings-review.png') });
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect
      .poll(() => onMaster('be/maxmem,be/minmem,be/vcpus,disk.sizes').join('|'), {
        timeout: 120_000,
        interval: 2_000,
      })
      .toBe('256|128|2|2048');
    expect(instanceStatusOnMaster(VM)).toBe('ADMIN_down');
  }, 240_000);
});
