// Protect with HA on the Proxmox lab in Chromium: a running VM's General tab
// offers Protect with HA with a priority per node; the confirmation shows the
// pvesh commands (a group on PVE 8, a node-affinity rule on PVE 9, as the
// lab's version has them); the VM shows as protected on its tab and in the
// tree, and `pvesh get` over SSH on another node says the same. Shut down
// and Start go through HA (the resource's requested state); Remove HA takes
// it all back. Found by visible labels, as a user would.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sshTo, type PveSsh, pveLabOrSkip } from '../pve-lab';
import { ARTIFACTS } from './fixtures';
import { addPveNodeThroughDialog, openPveInChromium, type PveInChromium } from './pve-fixture';

const canRun = pveLabOrSkip('pve-lab ha');
let pve: PveInChromium | undefined;
let page: Page;
let ssh: PveSsh | undefined;

/** `pvesh get PATH --output-format json` on pve2, parsed. */
async function pveshGet<T = Record<string, unknown>[]>(path: string): Promise<T> {
  const r = await ssh!.exec(['pvesh', 'get', path, '--output-format', 'json']);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as T;
}

beforeAll(async () => {
  if (!canRun) return;
  pve = await openPveInChromium('pveha', { width: 1280, height: 900 });
  page = pve.page;
  await addPveNodeThroughDialog(page, pve.lab, 'pve1');
  ssh = await sshTo(
    pve.lab,
    pve.lab.nodes.find((n) => n.name === 'pve2')!,
  );
}, 300_000);

afterAll(async () => {
  ssh?.close();
  await pve?.close();
}, 120_000);

describe.skipIf(!canRun)('Protect with HA on Proxmox VE in Chromium', () => {
  it('protects a running VM with preferred nodes, shuts it down and starts it through HA, then removes HA', async () => {
    const version = (await ssh!.exec(['pveversion'])).stdout;
    const rules = /^pve-manager\/9\./.test(version);
    const tree = page.getByRole('tree', { name: 'Resources' });
    await tree.getByRole('treeitem', { name: /^web01 Running/ }).click();
    const ha = page.getByRole('region', { name: 'High availability' });
    await ha.getByLabel('Priority on pve2').fill('2');
    await ha.getByLabel('Priority on pve3').fill('1');
    await ha.getByRole('button', { name: 'Protect with HA…' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Protect web01 with HA?' });
    await dialog
      .getByText(
        /pvesh create \/cluster\/ha\/resources --sid vm:100 --state started( --group clusterdeck-100)? --comment/,
      )
      .waitFor();
    await dialog
      .getByText(
        rules
          ? 'pvesh create /cluster/ha/rules --rule clusterdeck-100 --type node-affinity --resources vm:100 --nodes pve2:2,pve3:1 --strict 0'
          : 'pvesh create /cluster/ha/groups --group clusterdeck-100 --nodes pve2:2,pve3:1',
        { exact: false },
      )
      .waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'pve-ha-protect.png') });
    await dialog.getByRole('button', { name: 'Protect with HA' }).click();

    await ha
      .getByText(/^Protected by Proxmox VE HA as vm:100: started/)
      .waitFor({ timeout: 30_000 });
    await ha.getByText(/preferring pve2 \(2\), pve3 \(1\)/).waitFor();
    await tree.getByRole('treeitem', { name: /^web01 Running, HA started/ }).waitFor();
    const resources = await pveshGet('/cluster/ha/resources');
    expect(resources).toEqual([expect.objectContaining({ sid: 'vm:100', state: 'started' })]);
    const prefs = await pveshGet(rules ? '/cluster/ha/rules' : '/cluster/ha/groups');
    expect(prefs).toEqual([
      expect.objectContaining(
        rules
          ? { rule: 'clusterdeck-100', type: 'node-affinity', nodes: 'pve2:2,pve3:1' }
          : { group: 'clusterdeck-100', nodes: 'pve2:2,pve3:1' },
      ),
    ]);

    // Shut down and Start go through HA: the resource's requested state.
    const toolbar = page.getByRole('toolbar', { name: 'Actions' });
    await toolbar.getByRole('button', { name: 'Shut down' }).click();
    const confirm = page.getByRole('alertdialog', { name: /Shut down web01/ });
    await confirm.waitFor({ timeout: 3000 }).then(
      () => confirm.getByRole('button', { name: 'Shut down' }).click(),
      () => undefined,
    );
    await tree
      .getByRole('treeitem', { name: /^web01 Shut off, HA stopped/ })
      .waitFor({ timeout: 30_000 });
    expect(await pveshGet('/cluster/ha/resources')).toEqual([
      expect.objectContaining({ sid: 'vm:100', state: 'stopped' }),
    ]);
    await toolbar.getByRole('button', { name: 'Start' }).click();
    await tree
      .getByRole('treeitem', { name: /^web01 Running, HA started/ })
      .waitFor({ timeout: 30_000 });
    expect(await pveshGet('/cluster/ha/resources')).toEqual([
      expect.objectContaining({ sid: 'vm:100', state: 'started' }),
    ]);

    await ha.getByRole('button', { name: 'Remove HA…' }).click();
    const remove = page.getByRole('alertdialog', { name: 'Remove HA from web01?' });
    await remove.getByText('pvesh delete /cluster/ha/resources/vm:100').waitFor();
    await remove.getByRole('button', { name: 'Remove HA' }).click();
    await ha.getByRole('button', { name: 'Protect with HA…' }).waitFor({ timeout: 30_000 });
    expect(await pveshGet('/cluster/ha/resources')).toEqual([]);
    expect(await pveshGet(rules ? '/cluster/ha/rules' : '/cluster/ha/groups')).toEqual([]);
    // Started again by HA on its preferred online node (pve2); Remove HA leaves it running there.
    const guests =
      await pveshGet<{ vmid: number; node: string; status: string }[]>('/cluster/resources');
    expect(guests.find((g) => g.vmid === 100)).toMatchObject({ node: 'pve2', status: 'running' });
  }, 180_000);
});
