// New VM and Delete on the Proxmox lab in Chromium: the wizard reads the
// cluster's choices through the API (the proposed id, pve1's storages that
// hold VM disks, its ISO images and bridges), shows the exact pvesh command,
// and the VM made by the worker task is what `qm config` on pve1 says; the
// Delete dialog refuses it while it runs, and removes it once stopped.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sshTo, type PveSsh, pveLabOrSkip } from '../pve-lab';
import { ARTIFACTS } from './fixtures';
import {
  addPveNodeThroughDialog,
  openPveInChromium,
  pveClusterItem,
  type PveInChromium,
} from './pve-fixture';

const canRun = pveLabOrSkip('pve-lab new vm');
const NAME = 'e2e-web';
const ISO = 'local:iso/debian-12.7.0-amd64-netinst.iso';
const TEMPLATE = 'local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst';
const PASSWORD = 'e2e-R00t-pw';
let pve: PveInChromium | undefined;
let page: Page;
let ssh: PveSsh | undefined;

beforeAll(async () => {
  if (!canRun) return;
  pve = await openPveInChromium('pvenew');
  page = pve.page;
  await addPveNodeThroughDialog(page, pve.lab, 'pve1');
  ssh = await sshTo(
    pve.lab,
    pve.lab.nodes.find((n) => n.name === 'pve1')!,
  );
}, 300_000);

afterAll(async () => {
  ssh?.close();
  await pve?.close();
}, 120_000);

describe.skipIf(!canRun)('New VM on Proxmox VE in Chromium', () => {
  it('creates a VM on pve1 from an ISO, started; qm config on pve1 says what was asked', async () => {
    const tree = page.getByRole('tree', { name: 'Resources' });
    await pveClusterItem(page, pve!.lab).click();
    await page
      .getByRole('toolbar', { name: 'Actions' })
      .getByRole('button', { name: 'New VM' })
      .click();
    const wizard = page.getByRole('dialog', { name: 'New VM' });
    await wizard.getByText('Reading the cluster’s choices…').waitFor({ state: 'detached' });
    await wizard.getByRole('combobox', { name: 'Node' }).selectOption('pve1');
    const vmid = await wizard.getByRole('spinbutton', { name: 'VM ID' }).inputValue();
    expect(Number(vmid)).toBeGreaterThanOrEqual(100);
    await wizard.getByRole('textbox', { name: 'Name' }).fill(NAME);
    await wizard
      .getByRole('combobox', { name: 'OS type' })
      .selectOption({ label: 'Linux 6.x - 2.6 Kernel' });
    await wizard.getByRole('combobox', { name: 'ISO image' }).selectOption(ISO);
    await wizard.getByRole('button', { name: 'Next' }).click();

    // Only storages that hold VM disks are offered; the others are named.
    const storage = wizard.getByRole('combobox', { name: 'Disk storage' });
    await expect(storage.locator('option').allTextContents()).resolves.toEqual([
      expect.stringMatching(/^nfs-shared \(nfs, /),
      expect.stringMatching(/^local-lvm \(lvmthin, /),
    ]);
    await wizard.getByText('Not offered (they hold no VM disks): local.').waitFor();
    await storage.selectOption('local-lvm');
    await wizard.getByRole('spinbutton', { name: 'Disk size (GiB)' }).fill('8');
    await wizard.getByRole('spinbutton', { name: 'Memory (MiB)' }).fill('1024');
    await wizard.getByRole('spinbutton', { name: 'Cores' }).fill('1');
    await wizard.getByRole('button', { name: 'Next' }).click();

    await expect(wizard.getByRole('combobox', { name: 'Bridge' }).inputValue()).resolves.toBe(
      'vmbr0',
    );
    await wizard.getByRole('checkbox', { name: 'Start the VM after it is created' }).check();
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard
      .getByRole('list', { name: 'Commands' })
      .getByText(
        `pvesh create /nodes/pve1/qemu --vmid ${vmid} --name ${NAME} --ostype l26 --memory 1024 --cores 1 --sockets 1 --cpu x86-64-v2-AES --scsihw virtio-scsi-single --scsi0 local-lvm:8,iothread=1 --ide2 ${ISO},media=cdrom --net0 virtio,bridge=vmbr0,firewall=1 --boot 'order=scsi0;ide2;net0' --start 1`,
      )
      .waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'pve-new-vm-summary.png') });
    await wizard.getByRole('button', { name: 'Create' }).click();

    const item = (state: string) =>
      tree.getByRole('treeitem', { name: new RegExp(`^${NAME} ${state}`) });
    await item('Running').waitFor({ timeout: 60_000 });
    const conf = await ssh!.exec(['qm', 'config', vmid]);
    expect(conf.code).toBe(0);
    const lines = conf.stdout.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        `name: ${NAME}`,
        'ostype: l26',
        'memory: 1024',
        'cores: 1',
        `scsi0: local-lvm:vm-${vmid}-disk-0,iothread=1,size=8G`,
        `ide2: ${ISO},media=cdrom`,
        'net0: virtio,bridge=vmbr0,firewall=1',
      ]),
    );

    // Delete waits while it runs, and says why.
    await item('Running').click();
    await page.getByRole('button', { name: 'Delete VM…' }).click();
    let dialog = page.getByRole('alertdialog', { name: `Delete ${NAME}?` });
    await dialog.getByText(/removes only a stopped guest/).waitFor();
    await expect(dialog.getByRole('button', { name: 'Delete VM' }).isDisabled()).resolves.toBe(
      true,
    );
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect((await ssh!.exec(['qm', 'stop', vmid])).code).toBe(0);
    await item('Shut off').click();
    await page.getByRole('button', { name: 'Delete VM…' }).click();
    dialog = page.getByRole('alertdialog', { name: `Delete ${NAME}?` });
    await dialog.getByText(/removed from its cluster with its disks/).waitFor();
    await dialog.getByRole('button', { name: 'Delete VM' }).click();
    await item('').waitFor({ state: 'detached', timeout: 60_000 });
    // The row can go before the worker has removed the VM: the node has the last word.
    let gone = await ssh!.exec(['qm', 'config', vmid]);
    for (let i = 0; gone.code === 0 && i < 100; i++) {
      await new Promise((r) => setTimeout(r, 200));
      gone = await ssh!.exec(['qm', 'config', vmid]);
    }
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toContain(`${vmid}.conf' does not exist`);
  }, 240_000);

  it('creates a container on pve2 from a template; the password shows nowhere; pct config on pve2', async () => {
    const tree = page.getByRole('tree', { name: 'Resources' });
    await pveClusterItem(page, pve!.lab).click();
    await page
      .getByRole('toolbar', { name: 'Actions' })
      .getByRole('button', { name: 'New VM' })
      .click();
    let wizard = page.getByRole('dialog', { name: 'New VM' });
    await wizard.getByText('Reading the cluster’s choices…').waitFor({ state: 'detached' });
    await wizard.getByRole('radio', { name: 'Container (LXC)' }).check();
    wizard = page.getByRole('dialog', { name: 'New Container' });
    await wizard.getByRole('combobox', { name: 'Node' }).selectOption('pve2');
    const ctid = await wizard.getByRole('spinbutton', { name: 'CT ID' }).inputValue();
    await wizard.getByRole('textbox', { name: 'Hostname' }).fill('cache-e2e');
    await expect(wizard.getByRole('combobox', { name: 'Template' }).inputValue()).resolves.toBe(
      TEMPLATE,
    );
    await wizard.getByLabel('Root password').fill(PASSWORD);
    await wizard.getByRole('button', { name: 'Next' }).click();
    await expect(
      wizard.getByRole('combobox', { name: 'Root disk storage' }).inputValue(),
    ).resolves.toBe('local-lvm');
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByRole('radio', { name: 'Static address' }).check();
    await wizard.getByRole('textbox', { name: 'IPv4 address/prefix' }).fill('192.0.2.77/24');
    await wizard.getByRole('textbox', { name: 'Gateway' }).fill('192.0.2.1');
    await wizard.getByRole('button', { name: 'Next' }).click();
    const command = wizard
      .getByRole('list', { name: 'Commands' })
      .getByText(`pvesh create /nodes/pve2/lxc --vmid ${ctid} --hostname cache-e2e`);
    await command.waitFor();
    const shown = (await command.textContent()) ?? '';
    expect(shown).toContain('--password <hidden>');
    expect(shown).toContain('ip=192.0.2.77/24,gw=192.0.2.1');
    expect(shown).not.toContain(PASSWORD);
    await wizard.getByRole('button', { name: 'Create' }).click();

    await tree.getByRole('treeitem', { name: /^cache-e2e Shut off/ }).waitFor({ timeout: 60_000 });
    const pve2 = await sshTo(
      pve!.lab,
      pve!.lab.nodes.find((n) => n.name === 'pve2')!,
    );
    try {
      const conf = await pve2.exec(['pct', 'config', ctid]);
      expect(conf.code).toBe(0);
      expect(conf.stdout.split('\n')).toEqual(
        expect.arrayContaining([
          'hostname: cache-e2e',
          `rootfs: local-lvm:vm-${ctid}-disk-0,size=8G`,
          'memory: 512',
          'net0: name=eth0,bridge=vmbr0,firewall=1,ip=192.0.2.77/24,gw=192.0.2.1',
          'unprivileged: 1',
        ]),
      );
      expect(conf.stdout).not.toContain(PASSWORD);
    } finally {
      pve2.close();
    }
    // Neither the Tasks pane nor anything else on the page carries the password.
    await page
      .getByRole('region', { name: 'Tasks' })
      .getByText(/New Container cache-e2e/)
      .first()
      .waitFor();
    expect(await page.content()).not.toContain(PASSWORD);
  }, 240_000);
});
