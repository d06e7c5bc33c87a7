// New Cluster on Proxmox VE in Chromium, by visible labels: three bare lab
// nodes (scripts/lab-pve up 3 --bare) added with Add Host, the Proxmox VE
// stack chosen, the link addresses and the first node's root password given,
// the preflight passed, the summary's pvesh commands shown with the password
// hidden, Create; the cluster then appears in the tree with its three nodes,
// and pvecm status over SSH agrees. Starts its own bare lab and takes it down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pveLabCommand, pveLabOrSkip, readPveLab, sshTo, type PveLab } from '../pve-lab';
import { addPveNodeThroughDialog, openPveInChromium, type PveInChromium } from './pve-fixture';

const canRun = pveLabOrSkip('pve-lab-cluster e2e');

let world: PveInChromium;
let lab: PveLab;

beforeAll(async () => {
  if (!canRun) return;
  pveLabCommand(['down']);
  pveLabCommand(['up', '3', '--bare']);
  lab = readPveLab();
  world = await openPveInChromium('pve-cluster');
}, 120_000);

afterAll(async () => {
  await world?.close();
  if (canRun) pveLabCommand(['down']);
});

describe.skipIf(!canRun)('New Cluster on Proxmox VE in Chromium', () => {
  it('makes a cluster of three bare nodes', async () => {
    const { page } = world;
    for (const n of ['pve1', 'pve2', 'pve3']) await addPveNodeThroughDialog(page, lab, n);
    await page
      .getByRole('toolbar', { name: 'Actions' })
      .getByRole('button', { name: 'New Cluster' })
      .click();
    const wizard = page.getByRole('dialog', { name: 'New Cluster' });
    await wizard
      .getByRole('group', { name: 'Stack' })
      .getByRole('radio', { name: /^Proxmox VE/ })
      .check();
    await wizard.getByLabel('Cluster name').fill('e2ecl');
    for (const n of lab.nodes) {
      expect(
        await wizard.getByRole('checkbox', { name: new RegExp(`^${n.name}`) }).isChecked(),
      ).toBe(true);
      expect(await wizard.getByLabel(`Link address of ${n.name}`).inputValue()).toBe(n.host);
    }
    await wizard.getByLabel('Root password of pve1').fill(lab.rootPassword);
    await wizard.getByRole('button', { name: 'Next' }).click();
    const checks = wizard.getByRole('list', { name: 'Preflight checks' });
    await checks.getByText('No node is in a cluster yet.').waitFor({ timeout: 60_000 });
    expect(await checks.getByText('Problem').count()).toBe(0);
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard
      .getByText(/pvesh create \/cluster\/config --clustername e2ecl/)
      .waitFor({ timeout: 60_000 });
    expect(await wizard.getByText(/--password <hidden>/).count()).toBe(2);
    expect(await wizard.getByText(lab.rootPassword).count()).toBe(0);
    await wizard.getByRole('button', { name: 'Create' }).click();
    await page
      .getByRole('tree', { name: 'Resources' })
      .getByRole('treeitem', { name: 'e2ecl 3 nodes' })
      .waitFor({ timeout: 90_000 });
    const ssh = await sshTo(lab, lab.nodes[2]!);
    try {
      const st = await ssh.exec(['pvecm', 'status']);
      expect(st.stdout).toMatch(/Name:\s+e2ecl/);
      expect(st.stdout).toMatch(/Nodes:\s+3/);
    } finally {
      ssh.close();
    }
    // The password is in nothing the Tasks pane shows.
    expect(await page.getByText(lab.rootPassword).count()).toBe(0);
  }, 240_000);

  it('removes a node from the General tab (pvecm delnode), confirmed', async () => {
    const { page } = world;
    const tree = page.getByRole('tree', { name: 'Resources' });
    await tree.getByRole('treeitem', { name: 'e2ecl 3 nodes' }).click();
    await page.getByRole('tab', { name: 'General' }).click();
    const nodes = page.getByRole('table', { name: 'Cluster nodes' });
    await nodes.getByRole('button', { name: 'Remove pve3 from the cluster' }).click();
    const ask = page.getByRole('alertdialog', { name: 'Remove pve3 from e2ecl?' });
    await ask.getByText('pvesh delete /cluster/config/nodes/pve3').waitFor();
    await ask.getByRole('button', { name: 'Remove node' }).click();
    await tree.getByRole('treeitem', { name: 'e2ecl 2 nodes' }).waitFor({ timeout: 60_000 });
    const ssh = await sshTo(lab, lab.nodes[0]!);
    try {
      expect((await ssh.exec(['pvecm', 'nodes'])).stdout).not.toMatch(/pve3/);
    } finally {
      ssh.close();
    }
  }, 120_000);
});
