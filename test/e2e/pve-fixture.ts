// The world of the Proxmox VE end-to-end files: the Proxmox lab (brought up
// here only where it is not, and then taken down again), the real backend on
// a fresh data folder, the browser shell on it and one Chromium page. A lab
// node is added the way a user adds it: the Add Host dialog by its visible
// labels, the host key's fingerprint read on screen and trusted.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ensurePveLab, pveLabCommand, readPveLab, type PveLab } from '../pve-lab';
import { startShellInChromium, type ShellInChromium } from './chromium';
import { ARTIFACTS } from './fixtures';

export interface PveInChromium {
  env: ShellInChromium;
  page: Page;
  lab: PveLab;
  /** Closes the shell and its browser, removes the data folder, and takes the lab down if it started it. */
  close(): Promise<void>;
}

/** `guests`: the lab's seed size wanted (ensurePveLab); any lab that is up when absent. */
export async function openPveInChromium(
  tag: string,
  viewport = { width: 1280, height: 800 },
  guests?: number,
): Promise<PveInChromium> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const { startedLab } = ensurePveLab(3, guests);
  const lab = readPveLab();
  const home = mkdtempSync(join(tmpdir(), `clusterdeck-e2e-${tag}-`));
  writeFileSync(
    join(home, 'settings.json'),
    JSON.stringify({ version: 1, hosts: [], secrets: {}, vmActionTimeoutSeconds: 6 }),
  );
  const dispose = () => {
    rmSync(home, { recursive: true, force: true });
    if (startedLab) pveLabCommand(['down']);
  };
  let env: ShellInChromium;
  try {
    env = await startShellInChromium(home);
  } catch (err) {
    dispose();
    throw err;
  }
  const close = async () => {
    await env.close();
    dispose();
  };
  try {
    const page = await env.browser.newPage({ viewport });
    await page.goto(env.shell.url);
    await page.getByRole('tree', { name: 'Resources' }).waitFor();
    return { env, page, lab, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * Adds lab node `name` through the Add Host dialog, as a user would: the
 * fields by their labels, the fingerprint shown checked against the node's
 * real one before trusting it; then waits for the tree to show the cluster
 * with all of the lab's nodes (a bare lab's node: that node, connected, in
 * no cluster).
 */
export async function addPveNodeThroughDialog(
  page: Page,
  lab: PveLab,
  name: string,
  timeout = 60_000,
): Promise<void> {
  const node = lab.nodes.find((n) => n.name === name);
  if (!node) throw new Error(`the Proxmox lab has no node ${name}`);
  await page
    .getByRole('toolbar', { name: 'Actions' })
    .getByRole('button', { name: 'Add Host' })
    .click();
  const dialog = page.getByRole('dialog', { name: 'Add Host' });
  await dialog.getByLabel('Address').fill(node.host);
  await dialog.getByLabel('Port').fill(String(node.port));
  await dialog.getByLabel('User').fill(lab.user);
  await dialog.getByLabel('Display name').fill(name);
  await dialog.getByLabel('Authentication').selectOption('Private key file');
  await dialog.getByLabel('Key file').fill(lab.keyPath);
  await dialog.getByRole('button', { name: 'Connect' }).click();
  // The fingerprint on screen must be the node's real one, read before any login.
  await dialog.getByText(node.hostKeyFingerprint).waitFor({ timeout });
  await dialog.getByRole('button', { name: 'Trust and connect' }).click();
  await dialog.waitFor({ state: 'detached', timeout });
  const shown = lab.bare
    ? page
        .getByRole('tree', { name: 'Resources' })
        .getByRole('treeitem', { name: new RegExp(`^${name} Connected`) })
    : pveClusterItem(page, lab);
  await shown.waitFor({ timeout });
}

/** The tree's row of the lab's cluster, once it lists every node of the lab. */
export function pveClusterItem(page: Page, lab: PveLab) {
  return page
    .getByRole('tree', { name: 'Resources' })
    .getByRole('treeitem', { name: `${lab.clusterName} ${lab.nodes.length} nodes` });
}
