// End to end: the real renderer in Debian's Chromium, through the browser
// shell, against the real backend and the lab's nodes (test/e2e/fixtures.ts).
// VMs: lifecycle actions from the toolbar, a change made on the node, the New
// VM wizard, snapshots, Delete VM and the settings editor.
// Runs alone: `LAB_BASE=NN npx vitest run test/e2e/vms.test.ts`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../core/backend';
import { readLab, virshOn, waitFor, type Lab } from '../lab';
import { ARTIFACTS, openNewVmOnNode1, vmItem, useE2e } from './fixtures';

const e2e = useE2e();
let page: Page;
let backend: Backend;
let lab: Lab;
beforeAll(() => {
  ({ page, backend, lab } = e2e);
});

describe('virtual machines in Chromium', () => {
  it('starts and force-stops a VM and follows its state', async () => {
    await vmItem('lab-tiny-2', 'Shut off').click();
    const toolbar = page.getByRole('toolbar', { name: 'Actions' });
    await toolbar.getByRole('button', { name: 'Start' }).click();
    await vmItem('lab-tiny-2', 'Running').waitFor({ timeout: 20_000 });
    expect(virshOn('node1', ['domstate', 'lab-tiny-2']).trim()).toBe('running');
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-vm-running.png') });

    await toolbar.getByRole('button', { name: 'Force off' }).click();
    const confirm = page.getByRole('alertdialog', { name: /Force off lab-tiny-2/ });
    await confirm.getByRole('button', { name: 'Force off' }).click();
    await vmItem('lab-tiny-2', 'Shut off').waitFor({ timeout: 20_000 });
    expect(virshOn('node1', ['domstate', 'lab-tiny-2']).trim()).toBe('shut off');

    // The Tasks pane keeps the exact command each action ran.
    const tasks = page.getByRole('region', { name: 'Tasks' });
    await tasks.getByRole('button', { name: 'Show log' }).first().click();
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-tasks.png') });
    const vm = backend.store.all('vms').find((v) => v.name === 'lab-tiny-2')!;
    await tasks.getByText(`virsh -c qemu:///system destroy ${vm.uuid}`).first().waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-tasks.png') });
  });

  it('offers Force off when a shutdown the guest ignores ends failed', async () => {
    // The diskless lab-tiny guests ignore the ACPI power button.
    await vmItem('lab-tiny-1', 'Running').click();
    const toolbar = page.getByRole('toolbar', { name: 'Actions' });
    await toolbar.getByRole('button', { name: 'Shut down' }).click();
    const tasks = page.getByRole('region', { name: 'Tasks' });
    await tasks.getByText('Shutting down…').waitFor();
    await tasks.getByText(/lab-tiny-1 on node1 is still running 6 s after/).waitFor({
      timeout: 20_000,
    });
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-shutdown-ignored.png') });
    await tasks.getByRole('button', { name: 'Force off lab-tiny-1' }).click();
    await page
      .getByRole('alertdialog', { name: /Force off lab-tiny-1/ })
      .getByRole('button', { name: 'Force off' })
      .click();
    await vmItem('lab-tiny-1', 'Shut off').waitFor({ timeout: 20_000 });
    // Once the VM is off, nothing is offered any more.
    await tasks
      .getByRole('button', { name: 'Force off lab-tiny-1' })
      .waitFor({ state: 'detached' });
    await toolbar.getByRole('button', { name: 'Start' }).click();
    await vmItem('lab-tiny-1', 'Running').waitFor({ timeout: 20_000 });
  });

  it('shows a change made by virsh on the node without a reload', async () => {
    virshOn('node2', ['start', 'lab-tiny-3']);
    await vmItem('lab-tiny-3', 'Running').waitFor({ timeout: 5_000 });
    virshOn('node2', ['destroy', 'lab-tiny-3']);
    await vmItem('lab-tiny-3', 'Shut off').waitFor({ timeout: 5_000 });
  });

  it.runIf(readLab().linuxGuest)(
    'creates, starts and shows a VM with the New VM wizard',
    async () => {
      const cleanup = () => {
        for (const args of [
          ['destroy', 'e2e-vm'],
          ['undefine', '--snapshots-metadata', 'e2e-vm'],
          ['vol-delete', '--pool', 'lab-images', 'e2e-vm-disk0.qcow2'],
        ])
          try {
            virshOn('node1', args);
          } catch {
            /* not there */
          }
      };
      cleanup();
      const { wizard, next } = await openNewVmOnNode1();
      await wizard.getByLabel('VM name').fill('e2e-vm');
      await wizard.getByLabel('Node').selectOption({ label: 'node1' });
      await wizard
        .getByLabel('Operating system')
        .selectOption({ label: 'Generic: Linux (virtio devices, BIOS)' });
      // The lab's KVM does not boot Linux (docs/lab.md): run the guest emulated.
      await wizard.getByLabel('Hardware acceleration (KVM)').uncheck();
      await next();
      await wizard.getByLabel('vCPUs').fill('1');
      await wizard.getByLabel('Memory (MiB)').fill('128');
      await next();
      await wizard.getByRole('radio', { name: 'A new disk' }).check();
      const poolSelect = wizard.getByLabel('Storage pool');
      const poolLabel = await poolSelect.locator('option', { hasText: 'lab-images' }).textContent();
      await poolSelect.selectOption({ label: poolLabel! });
      await wizard.getByLabel('Disk size').fill('64M');
      await next();
      await wizard.getByRole('radio', { name: 'Direct kernel boot' }).check();
      await wizard.getByLabel('Kernel on the node').fill('/var/lib/libvirt/boot/vmlinuz');
      await wizard
        .getByLabel('Initrd on the node (optional)')
        .fill('/var/lib/libvirt/boot/initrd.gz');
      await wizard.getByLabel('Kernel command line').fill('console=ttyS0 console=tty1');
      await next();
      await wizard.getByRole('radio', { name: 'No network' }).check();
      await next();
      const commands = wizard.getByRole('list', { name: 'Commands' });
      await commands.getByText('virsh -c qemu:///system start e2e-vm').waitFor();
      await page.screenshot({ path: join(ARTIFACTS, 'e2e-new-vm-summary.png') });
      await wizard.getByRole('button', { name: 'Create' }).click();
      await wizard.waitFor({ state: 'detached' });
      try {
        // It opens on its Console tab once it runs.
        await page.getByRole('heading', { name: 'e2e-vm' }).waitFor({ timeout: 30_000 });
        await page
          .getByRole('status', { name: 'Console status' })
          .getByText('Connected')
          .waitFor({ timeout: 15_000 });
        expect(virshOn('node1', ['domstate', 'e2e-vm']).trim()).toBe('running');
        const canvas = page
          .getByRole('application', { name: 'Console of e2e-vm' })
          .locator('canvas');
        await expect
          .poll(
            () =>
              canvas.evaluate((c: HTMLCanvasElement) => {
                const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
                const colours = new Set<number>();
                for (let i = 0; i < d.length; i += 16)
                  colours.add((d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!);
                return colours.size;
              }),
            { timeout: 20_000 },
          )
          .toBeGreaterThan(1);
        await page.screenshot({ path: join(ARTIFACTS, 'e2e-new-vm-console.png') });

        // A snapshot of the running guest, then the VM deleted with its disk.
        await page.getByRole('tab', { name: 'Snapshots' }).click();
        const snapForm = page.getByRole('form', { name: 'Take a snapshot' });
        await snapForm.getByLabel('Snapshot name').fill('e2e-snap');
        await snapForm.getByRole('button', { name: 'Take snapshot' }).click();
        await page
          .getByRole('region', { name: 'Snapshots' })
          .getByText('e2e-snap', { exact: true })
          .waitFor({ timeout: 30_000 });
        expect(virshOn('node1', ['snapshot-list', 'e2e-vm', '--name'])).toMatch(/e2e-snap/);
        await page.getByRole('tab', { name: 'General' }).click();
        await page.getByRole('button', { name: 'Delete VM…' }).click();
        const dialog = page.getByRole('alertdialog', { name: 'Delete e2e-vm?' });
        await dialog.getByRole('checkbox', { name: /^vda:/ }).check();
        await dialog.getByRole('button', { name: 'Delete VM' }).click();
        // Gone from the tree in any state (it passes through Shut off first).
        await page
          .getByRole('treeitem', { name: /^e2e-vm / })
          .waitFor({ state: 'detached', timeout: 20_000 });
        const deleted = await waitFor(
          () =>
            backend.store
              .all('tasks')
              .find((t) => t.title === 'Delete e2e-vm' && t.state !== 'running'),
          'the Delete task to end',
          20_000,
        );
        expect(deleted.error).toBeUndefined();
        expect(virshOn('node1', ['list', '--all', '--name'])).not.toMatch(/e2e-vm/);
        expect(virshOn('node1', ['vol-list', 'lab-images'])).not.toMatch(/e2e-vm-disk0/);
      } finally {
        cleanup();
      }
    },
  );

  it('edits a VM’s settings after reviewing the diff', async () => {
    await vmItem('lab-tiny-2', 'Shut off').click();
    await page.getByRole('tab', { name: 'General' }).click();
    await page.getByRole('button', { name: 'Edit settings…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Settings of lab-tiny-2' });
    const original = join(lab.nodes[0]!.dir, 'lab-tiny-2.original.xml');
    writeFileSync(original, virshOn('node1', ['dumpxml', '--inactive', 'lab-tiny-2']));
    try {
      await dialog.getByLabel('vCPUs').fill('2');
      // A new 16 MiB disk in lab-images, listed before Review.
      const poolSelect = dialog.getByLabel('Pool', { exact: true });
      const images = await poolSelect
        .locator('option', { hasText: 'lab-images' })
        .getAttribute('value');
      await poolSelect.selectOption(images!);
      await dialog.getByLabel('Size', { exact: true }).fill('16M');
      await dialog.getByRole('button', { name: 'Add disk' }).click();
      await dialog
        .getByText('New disk lab-tiny-2-disk1.qcow2 (16.0 MiB qcow2) in lab-images')
        .waitFor();
      await dialog.getByRole('button', { name: 'Review changes' }).click();
      const diff = dialog.getByLabel('Definition diff');
      await expect.poll(() => diff.textContent()).toMatch(/\+\s*<vcpu[^>]*>2<\/vcpu>/);
      expect(await diff.textContent()).toMatch(
        /\+\s*<source pool="lab-images" volume="lab-tiny-2-disk1.qcow2"\/>/,
      );
      await page.screenshot({ path: join(ARTIFACTS, 'e2e-vm-settings-diff.png') });
      await dialog.getByRole('button', { name: 'Apply' }).click();
      await dialog.waitFor({ state: 'detached' });
      await expect
        .poll(() => virshOn('node1', ['dominfo', 'lab-tiny-2']), { timeout: 15_000 })
        .toMatch(/CPU\(s\):\s+2/);
      expect(virshOn('node1', ['domblklist', 'lab-tiny-2'])).toContain('lab-tiny-2-disk1.qcow2');
      await page.getByRole('tabpanel').getByText(/^2$/).first().waitFor();
    } finally {
      // Back to the definition it had, without the new volume.
      virshOn('node1', ['define', original]);
      try {
        virshOn('node1', ['vol-delete', '--pool', 'lab-images', 'lab-tiny-2-disk1.qcow2']);
      } catch {
        /* not made */
      }
    }
  });
});
