// End to end: the real renderer in Debian's Chromium, through the browser
// shell, against the real backend and the lab's nodes (test/e2e/fixtures.ts).
// Clusters: New Cluster (a failed run and its Undo, then a good one with a
// shared pool), the Performance tab, maintenance mode, and Remove node / Remove
// cluster.
// Runs alone: `LAB_BASE=NN npx vitest run test/e2e/clusters.test.ts`.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../core/backend';
import { forgetNodeTrust, labExec, waitFor, type Lab } from '../lab';
import { addHostThroughDialog, ARTIFACTS, ensureE2eCluster, useE2e } from './fixtures';

const e2e = useE2e();
let page: Page;
let backend: Backend;
let lab: Lab;
beforeAll(() => {
  ({ page, backend, lab } = e2e);
});

/** The pool New Cluster defines here, gone from every node (before and after the test). */
function dropClusterPool(): void {
  for (const n of ['node1', 'node2', 'node3'])
    labExec(n, [
      'sh',
      '-c',
      'virsh pool-destroy e2e-cl-pool >/dev/null 2>&1; virsh pool-undefine e2e-cl-pool >/dev/null 2>&1; true',
    ]);
  rmSync(join(lab.dir, 'e2e-cl-pool'), { recursive: true, force: true });
}

describe('clusters in Chromium', () => {
  it('makes a cluster of three nodes with the New Cluster wizard (adding the third in it)', async () => {
    forgetNodeTrust();
    dropClusterPool();
    try {
      await page
        .getByRole('toolbar', { name: 'Actions' })
        .getByRole('button', { name: 'New Cluster' })
        .click();
      const wizard = page.getByRole('dialog', { name: 'New Cluster' });
      await wizard.getByLabel('Cluster name').fill('e2e-cluster');
      await addHostThroughDialog('node3', () =>
        wizard.getByRole('button', { name: 'Add Host…' }).click(),
      );
      const node3 = wizard.getByRole('checkbox', { name: 'node3' });
      await expect.poll(() => node3.isEnabled(), { timeout: 15_000 }).toBe(true);
      await node3.check();
      for (const n of ['node1', 'node2'])
        expect(await wizard.getByRole('checkbox', { name: n }).isChecked()).toBe(true);
      await wizard.getByRole('button', { name: 'Next' }).click();

      const checks = wizard.getByRole('list', { name: 'Preflight checks' });
      await checks.waitFor({ timeout: 30_000 });
      await checks.getByText('SSH between nodes').waitFor();
      await checks.getByText('CPU compatibility').waitFor();
      expect(await checks.getByText('Problem', { exact: true }).count()).toBe(0);
      await page.screenshot({ path: join(ARTIFACTS, 'e2e-new-cluster-preflight.png') });
      await wizard.getByRole('button', { name: 'Next' }).click();
      await wizard
        .getByRole('checkbox', { name: 'Define a storage pool shared by every node' })
        .waitFor();
      await wizard.getByRole('button', { name: 'Next' }).click();

      const commands = wizard.getByRole('list', { name: 'Commands' });
      await commands.getByText('Connect to libvirt on node3 over SSH').first().waitFor();
      await commands.getByText('Work out the CPU model every node can run').waitFor();
      expect(await commands.getByRole('listitem').count()).toBe(19);
      // node3 cannot take the trust (its cluster known_hosts is a directory): the run stops there.
      labExec('node3', ['sh', '-c', 'mkdir -p "$HOME/.ssh/clusterdeck/known_hosts"']);
      await wizard.getByRole('button', { name: 'Create' }).click();
      await wizard.waitFor({ state: 'detached' });
      const tasks = page.getByRole('region', { name: 'Tasks' });
      await tasks
        .getByText(/^node3: “Trust node1, node2 .*” failed: .* Undo \(in Tasks\)/)
        .waitFor({ timeout: 60_000 });
      await tasks.getByRole('button', { name: 'Undo New cluster e2e-cluster' }).click();
      const confirm = page.getByRole('alertdialog', { name: 'Undo New cluster e2e-cluster?' });
      await confirm
        .getByRole('list', { name: 'Undo steps' })
        .getByText('node1: Remove the SSH key made for it')
        .waitFor();
      await page.screenshot({ path: join(ARTIFACTS, 'e2e-new-cluster-undo.png') });
      await confirm.getByRole('button', { name: 'Undo' }).click();
      const undo = await waitFor(
        () =>
          backend.store
            .all('tasks')
            .find((t) => t.title === 'Undo: New cluster e2e-cluster' && t.state !== 'running'),
        'the undo to end',
        60_000,
      );
      expect(undo.state).toBe('succeeded');
      expect(labExec('node1', ['sh', '-c', 'ls -A "$HOME/.ssh"'])).not.toMatch(
        /clusterdeck|config|authorized_keys|known_hosts/,
      );
      labExec('node3', ['rmdir', '/root/.ssh/clusterdeck/known_hosts', '/root/.ssh/clusterdeck']);

      // Again, with node3 mended.
      await page
        .getByRole('toolbar', { name: 'Actions' })
        .getByRole('button', { name: 'New Cluster' })
        .click();
      await wizard.getByLabel('Cluster name').fill('e2e-cluster');
      for (const n of ['node1', 'node2', 'node3'])
        expect(await wizard.getByRole('checkbox', { name: n }).isChecked()).toBe(true);
      await wizard.getByRole('button', { name: 'Next' }).click();
      await checks.getByText('CPU compatibility').waitFor({ timeout: 30_000 });
      await wizard.getByRole('button', { name: 'Next' }).click();
      // This time with a pool on every node, at a folder all the lab's nodes see.
      await wizard
        .getByRole('checkbox', { name: 'Define a storage pool shared by every node' })
        .check();
      await wizard.getByRole('radio', { name: 'Local directory' }).check();
      await wizard.getByLabel('Pool name').fill('e2e-cl-pool');
      await wizard.getByLabel('Directory on the node').fill(join(lab.dir, 'e2e-cl-pool'));
      await wizard.getByRole('button', { name: 'Next' }).click();
      await commands.getByText('Work out the CPU model every node can run').waitFor();
      expect(
        await commands.getByText('virsh -c qemu:///system pool-start e2e-cl-pool').count(),
      ).toBe(3);
      await wizard.getByRole('button', { name: 'Create' }).click();
      await wizard.waitFor({ state: 'detached' });

      // The tree shows Cluster > nodes; its General tab, the members.
      const cluster = page.getByRole('treeitem', { name: 'e2e-cluster 3 of 3 nodes connected' });
      await cluster.waitFor({ timeout: 60_000 });
      expect(
        await page.getByRole('treeitem', { name: /^node3 Connected/ }).getAttribute('aria-level'),
      ).toBe('3');
      await cluster.click();
      await page.getByRole('tab', { name: 'General' }).click();
      const members = page.getByRole('table', { name: 'Members' });
      for (const n of ['node1', 'node2', 'node3'])
        await members.getByRole('cell', { name: n, exact: true }).waitFor();
      await page
        .getByRole('definition')
        .filter({ hasText: /\be2e-cl-pool\b/ })
        .waitFor();
      await page
        .getByRole('definition')
        .filter({ hasText: /: runs on every node$/ })
        .waitFor();
      await page.screenshot({ path: join(ARTIFACTS, 'e2e-cluster-general.png') });

      // On the nodes themselves: libvirt over SSH from one node to another, no prompt.
      expect(
        labExec('node2', [
          'virsh',
          '-c',
          `qemu+ssh://root@clusterdeck-${lab.nodes[2]!.host}/system`,
          'hostname',
        ]).trim(),
      ).toBe('node3');
    } catch (err) {
      forgetNodeTrust();
      throw err;
    } finally {
      // The cluster stays for the files after this one; its pool would count in their figures.
      dropClusterPool();
    }
    // Two runs of the plan (one failing, its Undo) and three nodes' preflight: slow under TCG.
  }, 180_000);

  it('shows load as charts on the Performance tab, for a node and for its cluster', async () => {
    await ensureE2eCluster();
    await page.getByRole('treeitem', { name: /^node1 Connected/ }).click();
    await page.getByRole('tab', { name: 'Performance' }).click();
    await page.getByRole('img', { name: 'CPU of node1 chart' }).waitFor();
    const busiest = page.getByRole('table', { name: 'Busiest VMs' });
    // The second reading (5 s on) gives rates; the running guests are listed.
    await busiest
      .getByRole('cell', { name: 'lab-tiny-1', exact: true })
      .waitFor({ timeout: 20_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-performance-node.png') });
    await page.getByRole('treeitem', { name: /^e2e-cluster/ }).click();
    await page.getByRole('tab', { name: 'Performance' }).click();
    const nodes = page.getByRole('table', { name: 'Busiest nodes' });
    for (const n of ['node1', 'node2', 'node3'])
      await nodes.getByRole('cell', { name: n, exact: true }).waitFor();
    await page.getByRole('tab', { name: 'General' }).click();
  });

  it('puts a node into maintenance mode and takes it out again', async () => {
    await ensureE2eCluster();
    await page.getByRole('treeitem', { name: /^node2 Connected/ }).click();
    await page.getByRole('tab', { name: 'General' }).click();
    await page.getByRole('button', { name: 'Enter maintenance mode…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Maintenance mode for node2' });
    await dialog.getByText('node2 runs no VMs').waitFor({ timeout: 30_000 });
    await dialog.getByRole('button', { name: 'Enter maintenance mode' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('treeitem', { name: /^node2 Connected, maintenance/ }).waitFor();
    await page
      .getByRole('region', { name: 'Maintenance mode' })
      .getByText(/In maintenance mode since/)
      .waitFor();
    // Exit asks first; Cancel leaves the node marked.
    const panel = page.getByRole('region', { name: 'Maintenance mode' });
    await panel.getByRole('button', { name: 'Exit maintenance mode' }).click();
    const ask = page.getByRole('alertdialog', { name: 'Exit maintenance mode on node2?' });
    await ask.getByText('No VM moves').waitFor();
    await ask.getByRole('button', { name: 'Cancel' }).click();
    await ask.waitFor({ state: 'detached' });
    expect(backend.store.all('hosts').find((h) => h.name === 'node2')?.maintenance).toBeDefined();
    await page.getByRole('treeitem', { name: /^node2 Connected, maintenance/ }).waitFor();
    await panel.getByRole('button', { name: 'Exit maintenance mode' }).click();
    await ask.getByRole('button', { name: 'Exit maintenance mode' }).click();
    await page.getByRole('treeitem', { name: /^node2 Connected$/ }).waitFor();
  });

  it('forgets the cluster, its nodes staying', async () => {
    await ensureE2eCluster();
    try {
      await page.getByRole('treeitem', { name: /^e2e-cluster/ }).click();
      await page.getByRole('tab', { name: 'General' }).click();
      // A member without VMs can leave; it shows at the top level again.
      await page.getByRole('button', { name: 'Remove node3 from the cluster' }).click();
      // The confirmation lists the exact commands that take node3's trust back.
      const leave = page.getByRole('alertdialog', { name: /Remove node3 from e2e-cluster/ });
      const commands = leave.getByRole('list', { name: 'Commands' });
      await commands.getByText('Take back the trust of node3').first().waitFor();
      await commands.getByText('Delete its cluster SSH key').waitFor();
      expect(await commands.getByRole('listitem').count()).toBe(7);
      await page.screenshot({ path: join(ARTIFACTS, 'e2e-remove-cluster-node.png') });
      await leave.getByRole('button', { name: 'Remove from cluster' }).click();
      await page.getByRole('treeitem', { name: 'e2e-cluster 2 of 2 nodes connected' }).waitFor();
      await page.getByRole('button', { name: 'Remove cluster…' }).click();
      await page
        .getByRole('alertdialog', { name: /Remove the cluster e2e-cluster/ })
        .getByRole('button', { name: 'Remove cluster' })
        .click();
      await page.getByRole('treeitem', { name: /^e2e-cluster/ }).waitFor({ state: 'detached' });
      expect(
        await page.getByRole('treeitem', { name: /^node3 Connected/ }).getAttribute('aria-level'),
      ).toBe('2');
    } finally {
      forgetNodeTrust();
    }
  });
});
