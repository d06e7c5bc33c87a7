// End to end: New VM with OS variants from the node's libosinfo database.
// A Windows 11 VM gets UEFI with Secure Boot (enrolled keys), SMM, q35, an
// emulated TPM 2.0 and SATA, starts under TCG and is stopped; a Ubuntu VM
// gets virtio devices and, as offered to any OS, UEFI and a TPM. Each is
// checked with `virsh dumpxml` on node1 and removed with its NVRAM and TPM
// state. Runs alone: `LAB_BASE=NN npx vitest run test/e2e/new-vm-os.test.ts`.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../core/backend';
import { labExec, virshOn } from '../lab';
import { ARTIFACTS, openNewVmOnNode1, useE2e } from './fixtures';

const e2e = useE2e();
let page: Page;
let backend: Backend;
beforeAll(() => {
  ({ page, backend } = e2e);
});

const VMS = ['e2e-win11', 'e2e-ubuntu'];
function removeVms() {
  for (const name of VMS) {
    for (const args of [
      ['destroy', name],
      ['undefine', '--nvram', '--tpm', '--snapshots-metadata', name],
      ['vol-delete', '--pool', 'lab-images', `${name}-disk0.qcow2`],
    ])
      try {
        virshOn('node1', args);
      } catch {
        /* not there */
      }
  }
}
beforeAll(removeVms);
afterAll(removeVms);

const dumpxml = (name: string) => virshOn('node1', ['dumpxml', name]);

/** The wizard's first page with a variant found by search and chosen. */
async function chooseVariant(name: string, search: string, option: string) {
  const { wizard, next } = await openNewVmOnNode1();
  await wizard.getByLabel('VM name').fill(name);
  await wizard.getByLabel('Node').selectOption({ label: 'node1' });
  await wizard
    .getByRole('status')
    .getByText(/^\d+ operating systems from libosinfo on node1/)
    .waitFor({ timeout: 30_000 })
    .catch(async (e: unknown) => {
      await page.screenshot({ path: join(ARTIFACTS, 'e2e-new-vm-os-debug.png') });
      throw e;
    });
  await wizard.getByLabel('Search OS variants').fill(search);
  await wizard.getByLabel('Operating system', { exact: true }).selectOption({ label: option });
  // TCG everywhere: the lab may have no KVM, and a guest's CPU may not run under it.
  await wizard.getByLabel('Hardware acceleration (KVM)').uncheck();
  return { wizard, next };
}

describe('New VM with OS variants from libosinfo', () => {
  it('creates a Windows 11 VM with Secure Boot and a TPM, starts and stops it', async () => {
    const { wizard, next } = await chooseVariant(
      'e2e-win11',
      'windows 11',
      'Microsoft Windows 11 (winnt 11.0)',
    );
    await wizard
      .getByText('Devices: SATA disk, Intel e1000e network, QXL video, q35 machine.')
      .waitFor();
    await wizard.getByText('Minimum: 4 GiB of memory, 2 vCPUs, a 64 GiB disk.').waitFor();
    await expect.poll(() => wizard.getByLabel('Firmware').inputValue()).toBe('efi');
    // UEFI only: BIOS is not offered for Windows 11.
    expect(await wizard.getByLabel('Firmware').locator('option').allTextContents()).toEqual([
      'UEFI (OVMF)',
    ]);
    const secureBoot = wizard.getByRole('checkbox', { name: /^Secure Boot/ });
    const tpm = wizard.getByRole('checkbox', { name: /^TPM 2.0/ });
    expect(await secureBoot.isChecked()).toBe(true);
    expect(await tpm.isChecked()).toBe(true);
    // Unticking the TPM is allowed, with the reason it is needed.
    await tpm.uncheck();
    await wizard.getByText(/needs UEFI with Secure Boot and a TPM 2.0/).waitFor();
    await tpm.check();
    await wizard
      .getByText(/needs UEFI with Secure Boot and a TPM 2.0/)
      .waitFor({ state: 'detached' });
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-new-vm-win11-os.png') });
    await next();

    // The recommended sizes are filled in; going below warns without stopping.
    expect(await wizard.getByLabel('Memory (MiB)').inputValue()).toBe('4096');
    expect(await wizard.getByLabel('vCPUs').inputValue()).toBe('2');
    await wizard.getByLabel('Memory (MiB)').fill('2048');
    await wizard
      .getByText(
        'Microsoft Windows 11 needs at least 4 GiB of memory; it may not install or run with less.',
      )
      .waitFor();
    await wizard.getByLabel('Memory (MiB)').fill('4096');
    await next();
    await wizard.getByRole('radio', { name: 'A new disk' }).check();
    expect(await wizard.getByLabel('Disk size').inputValue()).toBe('64G');
    // A small sparse disk keeps the lab light; the warning says what Windows wants.
    await wizard.getByLabel('Disk size').fill('1G');
    await wizard
      .getByText(
        'Microsoft Windows 11 needs a disk of at least 64 GiB; its installer may refuse a smaller one.',
      )
      .waitFor();
    await next();
    await wizard.getByRole('radio', { name: 'None (boot from the disk)' }).check();
    await next();
    await wizard.getByRole('radio', { name: 'No network' }).check();
    await wizard.getByRole('checkbox', { name: 'Start the VM when it is created' }).check();
    const consoleBox = wizard.getByRole('checkbox', { name: 'Then open its console' });
    if (await consoleBox.isChecked()) await consoleBox.uncheck();
    await next();
    await wizard
      .getByRole('list', { name: 'Commands' })
      .getByText('virsh -c qemu:///system start e2e-win11')
      .waitFor({ timeout: 30_000 });
    await wizard.getByRole('button', { name: 'Create' }).click();
    await wizard.waitFor({ state: 'detached' });

    await expect
      .poll(() => virshOn('node1', ['domstate', 'e2e-win11']).trim(), { timeout: 60_000 })
      .toBe('running');
    const xml = dumpxml('e2e-win11');
    expect(xml).toMatch(/<type arch='x86_64' machine='pc-q35-[^']+'>hvm<\/type>/);
    expect(xml).toContain("<feature enabled='yes' name='secure-boot'/>");
    expect(xml).toContain("<feature enabled='yes' name='enrolled-keys'/>");
    // Debian's ovmf: the code with Secure Boot, the variables with Microsoft's keys.
    expect(xml).toMatch(
      /<loader readonly='yes' secure='yes' type='pflash'>\/usr\/share\/OVMF\/OVMF_CODE_4M\.ms\.fd<\/loader>/,
    );
    expect(xml).toMatch(/<nvram template='\/usr\/share\/OVMF\/OVMF_VARS_4M\.ms\.fd'>/);
    expect(xml).toContain("<smm state='on'/>");
    expect(xml).toMatch(/<tpm model='tpm-crb'>\s*<backend type='emulator' version='2\.0'/);
    expect(xml).toMatch(/<target dev='sda' bus='sata'\/>/);
    expect(xml).toContain("<memory unit='KiB'>4194304</memory>");
    expect(xml).toContain("<vcpu placement='static'>2</vcpu>");
    expect(xml).toContain('<libosinfo:os id="http://microsoft.com/win/11"/>');
    expect(xml).toContain("<clock offset='localtime'/>");
    // swtpm runs for it, its state under the node's own /var/lib/libvirt.
    expect(labExec('node1', ['sh', '-c', 'ls /var/lib/libvirt/swtpm'])).toMatch(/[0-9a-f-]{36}/);

    virshOn('node1', ['destroy', 'e2e-win11']);
    expect(virshOn('node1', ['domstate', 'e2e-win11']).trim()).toBe('shut off');
  });

  it('creates a Ubuntu VM with virtio devices, and UEFI and a TPM offered to it', async () => {
    const { wizard, next } = await chooseVariant(
      'e2e-ubuntu',
      'ubuntu 22.04',
      'Ubuntu 22.04 LTS (linux 22.04)',
    );
    await wizard
      .getByText('Devices: virtio disk, virtio network, VGA video, q35 machine.')
      .waitFor();
    await expect.poll(() => wizard.getByLabel('Firmware').inputValue()).toBe('bios');
    const secureBoot = wizard.getByRole('checkbox', { name: /^Secure Boot/ });
    // Secure Boot waits for UEFI.
    expect(await secureBoot.isDisabled()).toBe(true);
    await wizard.getByLabel('Firmware').selectOption({ label: 'UEFI (OVMF)' });
    expect(await secureBoot.isDisabled()).toBe(false);
    await wizard.getByRole('checkbox', { name: /^TPM 2.0/ }).check();
    await next();
    await wizard.getByLabel('Memory (MiB)').fill('1024');
    await wizard
      .getByText(
        'Ubuntu 22.04 LTS needs at least 2 GiB of memory; it may not install or run with less.',
      )
      .waitFor();
    await next();
    await wizard.getByRole('radio', { name: 'A new disk' }).check();
    await wizard.getByLabel('Disk size').fill('1G');
    await next();
    await wizard.getByRole('radio', { name: 'None (boot from the disk)' }).check();
    await next();
    await wizard.getByRole('radio', { name: 'A bridge on the node' }).check();
    await wizard.getByLabel('Bridge', { exact: true }).fill('br-e2e');
    // Defined only: the bridge does not exist in the lab.
    await wizard.getByRole('checkbox', { name: 'Start the VM when it is created' }).uncheck();
    await next();
    await wizard
      .getByRole('list', { name: 'Commands' })
      .getByText(/virsh -c qemu:\/\/\/system define/)
      .waitFor({ timeout: 30_000 });
    await wizard.getByRole('button', { name: 'Create' }).click();
    await wizard.waitFor({ state: 'detached' });

    await expect
      .poll(() => virshOn('node1', ['list', '--all', '--name']), { timeout: 30_000 })
      .toMatch(/^e2e-ubuntu$/m);
    const xml = dumpxml('e2e-ubuntu');
    expect(xml).toContain("<os firmware='efi'>");
    expect(xml).toContain("<feature enabled='no' name='secure-boot'/>");
    expect(xml).not.toContain("secure='yes'");
    expect(xml).toMatch(/<tpm model='tpm-crb'>/);
    expect(xml).toMatch(/machine='pc-q35-/);
    expect(xml).toMatch(/<target dev='vda' bus='virtio'\/>/);
    expect(xml).toMatch(/<interface type='bridge'>[\s\S]*<model type='virtio'\/>/);
    expect(xml).toContain("<memory unit='KiB'>1048576</memory>");
    expect(xml).toContain('<libosinfo:os id="http://ubuntu.com/ubuntu/22.04"/>');
  });

  it('says when a node has no osinfo data, offers generic types, and names missing packages', async () => {
    // node2 as a machine without osinfo-db, libosinfo-bin, ovmf and swtpm:
    // empty folders and non-executable files mounted over them in its own
    // mount namespace, taken off again at the end.
    const hide = [
      'mkdir -p /run/e2e-hidden && : > /run/e2e-hidden/none && chmod 644 /run/e2e-hidden/none',
      'mount --bind /run/e2e-hidden /usr/share/osinfo',
      'mount --bind /run/e2e-hidden /usr/share/qemu/firmware',
      ...['osinfo-query', 'swtpm', 'swtpm_setup'].map(
        (b) => `mount --bind /run/e2e-hidden/none /usr/bin/${b}`,
      ),
    ];
    const unhide =
      'for p in /usr/share/osinfo /usr/share/qemu/firmware /usr/bin/osinfo-query /usr/bin/swtpm /usr/bin/swtpm_setup; do umount "$p" 2>/dev/null; done; true';
    labExec('node2', ['sh', '-c', unhide]);
    labExec('node2', ['sh', '-c', hide.join(' && ')]);
    try {
      const { wizard, next } = await openNewVmOnNode1();
      await wizard.getByLabel('VM name').fill('e2e-no-osinfo');
      await wizard.getByLabel('Node').selectOption({ label: 'node2' });
      await wizard
        .getByText(/^node2 has no libosinfo data \(Debian’s osinfo-db and libosinfo-bin packages\)/)
        .waitFor({ timeout: 30_000 });
      const os = wizard.getByLabel('Operating system', { exact: true });
      expect(await os.locator('option').allTextContents()).toEqual([
        'Generic: Linux (virtio devices, BIOS)',
        'Generic: Linux (virtio devices, UEFI)',
        'Generic: Windows (SATA and e1000, UEFI)',
        'Generic: Other (emulated IDE-era devices, BIOS)',
      ]);
      expect(await wizard.getByLabel('Search OS variants').count()).toBe(0);
      await os.selectOption({ label: 'Generic: Windows (SATA and e1000, UEFI)' });
      await wizard.getByText('Devices: SATA disk, Intel e1000 network, VGA video.').waitFor();
      await wizard.getByRole('checkbox', { name: /^Secure Boot/ }).check();
      await wizard.getByRole('checkbox', { name: /^TPM 2.0/ }).check();
      await wizard
        .getByText(
          'node2 has no UEFI firmware with Secure Boot; install Debian’s ovmf package on node2. node2 cannot emulate a TPM; install Debian’s swtpm and swtpm-tools packages on node2.',
        )
        .waitFor();
      await page.screenshot({ path: join(ARTIFACTS, 'e2e-new-vm-no-osinfo.png') });
      // Next stays on this page while the node lacks them.
      await next();
      await wizard.getByLabel('VM name').waitFor();
      expect(await wizard.getByLabel('vCPUs').count()).toBe(0);
      await wizard.getByRole('checkbox', { name: /^Secure Boot/ }).uncheck();
      await wizard.getByRole('checkbox', { name: /^TPM 2.0/ }).uncheck();
      await wizard
        .getByText(/node2 has no UEFI firmware; install Debian’s ovmf package on node2\./)
        .waitFor();
      // The backend refuses the same plan, whatever a page sends.
      const node2 = backend.store.all('hosts').find((h) => h.name === 'node2')!;
      const plan = (await backend.call('planVm', {
        hostId: node2.id,
        spec: {
          name: 'e2e-no-osinfo',
          os: 'windows',
          hardware: {
            diskBus: 'sata',
            nic: 'e1000',
            video: 'vga',
            firmware: 'efi',
            secureBoot: true,
            tpm: true,
            q35: true,
          },
          vcpus: 1,
          memoryMiB: 256,
          disk: { kind: 'none' },
          boot: { kind: 'none' },
          network: { kind: 'none' },
          kvm: false,
          graphics: 'none',
          start: false,
        },
      })) as { problems: string[] };
      expect(plan.problems).toEqual([
        'node2 has no UEFI firmware with Secure Boot; install Debian’s ovmf package on node2.',
        'node2 cannot emulate a TPM; install Debian’s swtpm and swtpm-tools packages on node2.',
      ]);
      // Once the packages are there, the list is read again on asking.
      labExec('node2', ['sh', '-c', unhide]);
      await wizard.getByRole('button', { name: 'Read node2’s list again' }).click();
      await wizard
        .getByRole('status')
        .getByText(/^\d+ operating systems from libosinfo on node2/)
        .waitFor({ timeout: 30_000 });
      await wizard.getByText(/install Debian’s ovmf package/).waitFor({ state: 'detached' });
      await wizard.getByRole('button', { name: 'Cancel' }).click();
      await wizard.waitFor({ state: 'detached' });
    } finally {
      labExec('node2', ['sh', '-c', unhide]);
    }
  });
});
