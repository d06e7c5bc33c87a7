// End to end: the VM changes that act at once (CD/DVD media, disk size, link
// state, notes) and the NIC model in the settings editor, by accessible
// names in Chromium, each checked on the node. The VM is the test's own
// (a qcow2 data disk in lab-images, a user-mode NIC, and no CD drive until
// the settings editor adds one),
// first shut off, then running (emulated, at its BIOS: enough for media,
// links and an online resize); it and its volumes go in afterAll.
// Runs alone: `LAB_BASE=NN npx vitest run --project lab test/e2e/vm-settings.test.ts`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../core/backend';
import { labExec, taskFinished, virshOn, waitFor } from '../lab';
import { ARTIFACTS, useE2e, vmItem } from './fixtures';

const VM = 'vmset-e2e';
const DATA = 'vmset-e2e-data.qcow2';
const ISOS = ['vmset-e2e-a.iso', 'vmset-e2e-b.iso'];
const DIR = '/var/lib/libvirt/images';
const MAC = '52:54:00:e2:e0:01';
const MiB = 2 ** 20;

const e2e = useE2e({ nodes: ['node1'] });
let page: Page;
let backend: Backend;

const quietly = (f: () => unknown) => {
  try {
    f();
  } catch {
    /* not there */
  }
};
function cleanup(): void {
  quietly(() => virshOn('node1', ['destroy', VM]));
  quietly(() => virshOn('node1', ['undefine', VM]));
  for (const v of [DATA, ...ISOS])
    quietly(() => virshOn('node1', ['vol-delete', '--pool', 'lab-images', v]));
}

const domainXml = `<domain type='qemu'>
  <name>${VM}</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='${DIR}/${DATA}'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <interface type='user'>
      <mac address='${MAC}'/>
      <model type='virtio'/>
    </interface>
    <graphics type='vnc' autoport='yes' listen='127.0.0.1'/>
  </devices>
</domain>`;

beforeAll(async () => {
  ({ page, backend } = e2e);
  cleanup();
  virshOn(
    'node1',
    ['vol-create-as', '--pool', 'lab-images', '--name', DATA].concat([
      '--capacity',
      '16M',
      '--format',
      'qcow2',
    ]),
  );
  labExec('node1', ['sh', '-c', ISOS.map((i) => `truncate -s 1M ${DIR}/${i}`).join('; ')]);
  const file = join(e2e.lab.nodes[0]!.dir, `${VM}.xml`);
  writeFileSync(file, domainXml);
  virshOn('node1', ['define', file]);
  // libvirt sends no event for new volumes: the pool is refreshed as its Refresh button does.
  const pool = backend.store.all('pools').find((p) => p.name === 'lab-images')!;
  const { taskId } = (await backend.call('poolAction', {
    poolId: pool.id,
    action: 'refresh',
  })) as { taskId: string };
  await taskFinished(backend, taskId);
  await waitFor(
    () => backend.store.get('pools', pool.id)?.volumes.some((v) => v.name === ISOS[1]),
    'the ISO images listed',
  );
}, 60_000);

afterAll(cleanup);

const dumpxml = (...flags: string[]) => virshOn('node1', ['dumpxml', ...flags, VM]);
const cdSource = (xml: string) =>
  /<disk[^>]*device='cdrom'[^]*?<\/disk>/.exec(xml)?.[0].match(/<source file='([^']*)'/)?.[1] ?? '';
const capacity = () =>
  Number(/Capacity:\s+(\d+)/.exec(virshOn('node1', ['domblkinfo', VM, 'vda']))?.[1]);
const link = (...flags: string[]) =>
  virshOn('node1', ['domif-getlink', VM, MAC, ...flags])
    .trim()
    .split(/\s+/)
    .pop();

async function openGeneral(state: string) {
  await vmItem(VM, state).click();
  await page.getByRole('tab', { name: 'General' }).click();
}

/** Opens a row's change dialog, waits for its commands, applies it. */
async function change(
  open: string,
  dialogName: string | RegExp,
  apply: string,
  fill?: (d: ReturnType<Page['getByRole']>) => Promise<unknown>,
) {
  await page.getByRole('button', { name: open, exact: true }).click();
  const dialog = page.getByRole('dialog', { name: dialogName });
  await fill?.(dialog);
  await dialog.getByRole('list', { name: 'Commands', exact: true }).waitFor();
  await dialog.getByRole('button', { name: apply }).click();
  await dialog.waitFor({ state: 'detached' });
}

describe('VM settings that act at once, in Chromium', () => {
  it('writes multi-line notes, option-like text included, and shows them', async () => {
    await openGeneral('Shut off');
    const notes = '--help is not an option here\nsecond line';
    await change('Edit notes', `Notes of ${VM}`, 'Save notes', (d) =>
      d.getByLabel('Notes').fill(notes),
    );
    await expect
      .poll(() => virshOn('node1', ['desc', '--config', VM]).replace(/\n+$/, ''), {
        timeout: 15_000,
      })
      .toBe(notes);
    await expect
      .poll(() => page.getByRole('tabpanel').getByLabel('Notes', { exact: true }).textContent())
      .toBe(notes);
  });

  it('says the VM has no CD/DVD drive, and adds one through the settings', async () => {
    await page.getByText(`${VM} has no CD/DVD drive`).waitFor();
    await page.getByRole('button', { name: 'Edit settings…' }).click();
    const dialog = page.getByRole('dialog', { name: `Settings of ${VM}` });
    await dialog.getByLabel(/Add a CD\/DVD drive/).check();
    await dialog.getByRole('button', { name: 'Review changes' }).click();
    await expect
      .poll(() => dialog.getByLabel('Definition diff').textContent())
      .toMatch(/\+\s*<disk type="file" device="cdrom">/);
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect
      .poll(() => virshOn('node1', ['domblklist', '--details', VM]), { timeout: 15_000 })
      .toMatch(/file\s+cdrom\s+hda\s+-/);
  });

  it('puts an ISO into a shut-off VM’s empty CD drive', async () => {
    await change('Change media in hda', `CD/DVD hda of ${VM}`, 'Insert', (d) =>
      d.getByLabel('ISO image').selectOption({ label: `${ISOS[0]} (lab-images)` }),
    );
    await expect
      .poll(() => cdSource(dumpxml('--inactive')), { timeout: 15_000 })
      .toBe(`${DIR}/${ISOS[0]}`);
  });

  it('refuses to shrink a disk, and grows it through its pool while the VM is off', async () => {
    await page.getByRole('button', { name: 'Resize vda', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: `Resize vda of ${VM}` });
    await expect.poll(() => dialog.getByLabel('Current size').textContent()).toBe('16.0 MiB');
    await dialog.getByLabel('New size').fill('8M');
    await dialog
      .getByRole('alert')
      .getByText('A disk only grows: vda is 16.0 MiB; enter more than that.')
      .waitFor();
    expect(await dialog.getByRole('button', { name: 'Resize' }).isDisabled()).toBe(true);
    await dialog.getByLabel('New size').fill('32M');
    await dialog
      .getByRole('list', { name: 'Commands', exact: true })
      .getByText(/vol-resize/)
      .waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-vm-resize.png') });
    await dialog.getByRole('button', { name: 'Resize' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(capacity, { timeout: 15_000 }).toBe(32 * MiB);
  });

  it('sets the link down in the definition, and the NIC model through the settings diff', async () => {
    await change(`Set link down on ${MAC}`, `Link down on ${MAC}`, 'Set link down');
    await expect.poll(() => link('--config'), { timeout: 15_000 }).toBe('down');

    await page.getByRole('button', { name: 'Edit settings…' }).click();
    const dialog = page.getByRole('dialog', { name: `Settings of ${VM}` });
    await dialog.getByLabel(`Model of ${MAC}`).selectOption('e1000');
    await dialog.getByRole('button', { name: 'Review changes' }).click();
    await expect
      .poll(() => dialog.getByLabel('Definition diff').textContent())
      .toMatch(/\+\s*<model type="e1000"\/>/);
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect
      .poll(() => /<interface[^]*?<model type='([^']+)'/.exec(dumpxml('--inactive'))?.[1], {
        timeout: 15_000,
      })
      .toBe('e1000');
    // The link state the settings editor did not touch stays as it was.
    expect(link('--config')).toBe('down');
  });

  it('ejects from a running VM live and in its definition, and Undo puts the ISO back', async () => {
    virshOn('node1', ['start', VM]);
    await openGeneral('Running');
    await change('Eject hda', `Eject hda of ${VM}`, 'Eject');
    await expect.poll(() => cdSource(dumpxml()), { timeout: 15_000 }).toBe('');
    expect(cdSource(dumpxml('--inactive'))).toBe('');

    const tasks = page.getByRole('region', { name: 'Tasks' });
    await tasks.getByRole('button', { name: `Undo Eject hda of ${VM}` }).click();
    const confirm = page.getByRole('alertdialog', { name: `Undo Eject hda of ${VM}?` });
    await confirm
      .getByText(/change-media .* --source .*vmset-e2e-a\.iso --update --live/)
      .waitFor();
    await confirm.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => cdSource(dumpxml()), { timeout: 15_000 }).toBe(`${DIR}/${ISOS[0]}`);
    expect(cdSource(dumpxml('--inactive'))).toBe(`${DIR}/${ISOS[0]}`);
  });

  it('changes the medium of the running VM', async () => {
    await change('Change media in hda', `CD/DVD hda of ${VM}`, 'Insert', (d) =>
      d.getByLabel('ISO image').selectOption({ label: `${ISOS[1]} (lab-images)` }),
    );
    await expect.poll(() => cdSource(dumpxml()), { timeout: 15_000 }).toBe(`${DIR}/${ISOS[1]}`);
    expect(cdSource(dumpxml('--inactive'))).toBe(`${DIR}/${ISOS[1]}`);
  });

  it('grows the running VM’s disk online', async () => {
    await page.getByRole('button', { name: 'Resize vda', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: `Resize vda of ${VM}` });
    await expect.poll(() => dialog.getByLabel('Current size').textContent()).toBe('32.0 MiB');
    await dialog.getByLabel('New size').fill('48M');
    await dialog.getByText(/running: vda grows from 32\.0 MiB to 48\.0 MiB now/).waitFor();
    await dialog
      .getByRole('list', { name: 'Commands', exact: true })
      .getByText(/blockresize/)
      .waitFor();
    await dialog.getByRole('button', { name: 'Resize' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(capacity, { timeout: 15_000 }).toBe(48 * MiB);
    expect(virshOn('node1', ['domstate', VM]).trim()).toBe('running');
  });

  it('sets the running VM’s link up live and in its definition', async () => {
    // Started with the definition's link down.
    expect(link()).toBe('down');
    await change(`Set link up on ${MAC}`, `Link up on ${MAC}`, 'Set link up');
    // The definition is the task's second step: waited for too.
    await expect.poll(() => link('--config'), { timeout: 15_000 }).toBe('up');
    expect(link()).toBe('up');
    await page.getByRole('tabpanel').getByRole('cell', { name: 'Up', exact: true }).waitFor();
  });

  it('writes the running VM’s notes live and in its definition', async () => {
    await change('Edit notes', `Notes of ${VM}`, 'Save notes', (d) =>
      d.getByLabel('Notes').fill('running now'),
    );
    await expect
      .poll(() => virshOn('node1', ['desc', VM]).trim(), { timeout: 15_000 })
      .toBe('running now');
    expect(virshOn('node1', ['desc', '--config', VM]).trim()).toBe('running now');
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-vm-general-changes.png') });
  });
});
