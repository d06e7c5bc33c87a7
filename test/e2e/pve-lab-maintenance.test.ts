// Maintenance mode of a Proxmox VE node in Chromium, against the Proxmox
// lab: the plan names each guest on the node (the HA-managed container
// moves, the VM HA does not manage stays), entering runs HA's
// `ha-manager crm-command node-maintenance enable` and the container ends
// on another node (`pct list` over SSH); the tree says "Maintenance mode";
// leaving brings it back.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOnPveNode, type PveLab, pveLabOrSkip } from '../pve-lab';
import { ARTIFACTS } from './fixtures';
import { addPveNodeThroughDialog, openPveInChromium, type PveInChromium } from './pve-fixture';

const canRun = pveLabOrSkip('pve-lab maintenance e2e');
let pve: PveInChromium | undefined;
let page: Page;
let lab: PveLab;

/** A command's output on a lab node (over SSH as root). */
const onNode = (node: string, argv: string[]) => runOnPveNode(lab, node, argv);

/** The node `pct list` shows the container on. */
async function nodeOfCt(vmid: number): Promise<string | undefined> {
  for (const n of lab.nodes) {
    const out = await onNode(n.name, ['pct', 'list']);
    if (out.split('\n').some((l) => l.split(/\s+/)[0] === String(vmid))) return n.name;
  }
  return undefined;
}

beforeAll(async () => {
  if (!canRun) return;
  pve = await openPveInChromium('pve-maint', { width: 1280, height: 900 });
  page = pve.page;
  lab = pve.lab;
  await addPveNodeThroughDialog(page, lab, 'pve1');
}, 300_000);

afterAll(async () => {
  await pve?.close();
}, 120_000);

describe.skipIf(!canRun)('Maintenance mode of a Proxmox VE node in Chromium', () => {
  it('moves the HA-managed container away through HA, and back when it ends', async () => {
    expect(await nodeOfCt(200)).toBe('pve1');
    await onNode('pve1', ['ha-manager', 'add', 'ct:200']);
    const tree = page.getByRole('tree', { name: 'Resources' });
    // An online node's role word (Regular, Online) is the stack's; only maintenance matters here.
    await tree.getByRole('treeitem', { name: /^pve1 \w+, connected/ }).click();
    await page.getByRole('tab', { name: 'General' }).click();
    const panel = page.getByRole('region', { name: 'Maintenance mode' });
    await panel.getByRole('button', { name: 'Enter maintenance mode…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Maintenance mode for pve1' });
    await dialog
      .getByText(/^dns01 \(ct:200\) is HA-managed: the CRM relocates it/)
      .waitFor({ timeout: 30_000 });
    await dialog
      .getByText('web01 is not HA-managed: maintenance mode leaves it running on pve1.')
      .waitFor();
    await dialog.getByText('ha-manager crm-command node-maintenance enable pve1').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'pve-maintenance-plan.png') });
    await dialog.getByRole('button', { name: 'Enter maintenance mode' }).click();
    await expect.poll(() => nodeOfCt(200), { timeout: 60_000, interval: 1000 }).toBe('pve2');
    await tree
      .getByRole('treeitem', { name: /^pve1 Maintenance mode, connected/ })
      .waitFor({ timeout: 30_000 });
    expect(await onNode('pve1', ['ha-manager', 'status'])).toMatch(
      /^lrm pve1 \(maintenance mode, /m,
    );

    await panel.getByRole('button', { name: 'Exit maintenance mode' }).click();
    await page
      .getByRole('alertdialog', { name: 'Exit maintenance mode on pve1?' })
      .getByRole('button', { name: 'Exit maintenance mode' })
      .click();
    await expect.poll(() => nodeOfCt(200), { timeout: 60_000, interval: 1000 }).toBe('pve1');
    await tree
      .getByRole('treeitem', { name: /^pve1 (?!Maintenance)\w+, connected/ })
      .waitFor({ timeout: 30_000 });
  }, 240_000);
});
