// End to end: snapshots of a running VM with its memory (reverted, it comes
// back running where it was, without a new boot) and of its disks only,
// quiesced through the guest agent (overlay files; libvirt 9.0 deletes them
// but cannot revert to them, so Revert is not offered). Each effect is read
// on node1 with virsh. Runs alone:
// `LAB_BASE=NN npx vitest run --project lab test/e2e/snapshot-kinds.test.ts`.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../core/backend';
import { LAB_DIR, LAB_SCRIPT, labNode, readLab, virshOn, waitFor } from '../lab';
import { useE2e, vmItem } from './fixtures';

const e2e = useE2e({ nodes: ['node1'] });
let page: Page;
let backend: Backend;
beforeAll(() => {
  ({ page, backend } = e2e);
});

const quiet = (args: string[]) => {
  try {
    return execFileSync(LAB_SCRIPT, ['exec', 'node1', 'virsh', '-c', 'qemu:///system', ...args], {
      encoding: 'utf8',
      env: { ...process.env, LAB_DIR },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return '';
  }
};
const agentAnswers = () =>
  quiet([
    'qemu-agent-command',
    'lab-linux',
    '--timeout',
    '2',
    '{"execute":"guest-ping"}',
  ]).trim() === '{"return":{}}';
const snapshotNames = () =>
  quiet(['snapshot-list', 'lab-linux', '--name']).split('\n').filter(Boolean);
const disk = () => /vda\s+(\S+)/.exec(virshOn('node1', ['domblklist', 'lab-linux']))![1]!;
const boots = () =>
  readFileSync(labNode('node1').serialLog!, 'utf8').split('lab-linux: init done').length - 1;

afterAll(() => {
  if (!readLab().linuxGuest) return;
  // Disk-only ones first: their overlays merge back before the others go.
  for (const name of ['e2e-disks', 'e2e-mem'])
    if (snapshotNames().includes(name))
      quiet(['snapshot-delete', 'lab-linux', '--snapshotname', name]);
  if (virshOn('node1', ['domstate', 'lab-linux']).trim() !== 'running')
    virshOn('node1', ['start', 'lab-linux']);
});

/**
 * Waits for the task taking a snapshot to succeed. The list
 * shows a snapshot libvirt is still writing (a memory snapshot pauses the
 * guest, the state change reloads the list), so its name there is no sign
 * that the task has ended.
 */
async function snapshotTaskSucceeded(name: string) {
  const task = () =>
    backend.store.all('tasks').find((t) => t.title.startsWith(`Take the snapshot ${name} `));
  await waitFor(
    () => task()?.state !== 'running' && !!task(),
    `the task for ${name} ended`,
    90_000,
  );
  expect(task()?.state).toBe('succeeded');
}

async function openSnapshots(vm: string, state: string) {
  await vmItem(vm, state).click();
  await page.getByRole('tab', { name: 'Snapshots' }).click();
  return page.getByRole('form', { name: 'Take a snapshot' });
}

describe.runIf(readLab().linuxGuest)('snapshots with memory or disks only', () => {
  it('takes the running state and reverts to it: the VM comes back running, not rebooted', async () => {
    if (virshOn('node1', ['domstate', 'lab-linux']).trim() !== 'running')
      virshOn('node1', ['start', 'lab-linux']);
    await waitFor(agentAnswers, 'the guest agent of lab-linux answering', 90_000);
    const form = await openSnapshots('lab-linux', 'Running');
    const memory = page.getByRole('radio', { name: 'Disks and memory (the running state)' });
    await expect.poll(() => memory.isChecked()).toBe(true);
    await form.getByLabel('Snapshot name').fill('e2e-mem');
    await form.getByRole('button', { name: 'Take snapshot' }).click();
    const list = page.getByRole('region', { name: 'Snapshots' });
    await list.getByText('e2e-mem').waitFor({ timeout: 60_000 });
    await snapshotTaskSucceeded('e2e-mem');
    await list.getByText('· disks and memory').waitFor();
    const xml = virshOn('node1', ['snapshot-dumpxml', 'lab-linux', '--snapshotname', 'e2e-mem']);
    expect(xml).toContain('<state>running</state>');
    expect(xml).toMatch(/<memory snapshot='internal'\/>/);

    const before = boots();
    virshOn('node1', ['destroy', 'lab-linux']);
    await vmItem('lab-linux', 'Shut off').waitFor({ timeout: 20_000 });
    await list.getByRole('button', { name: 'Revert to e2e-mem' }).click();
    const confirm = page.getByRole('alertdialog', { name: /Revert lab-linux to e2e-mem/ });
    await confirm.getByText(/running, with its memory as it was/).waitFor();
    await confirm.getByRole('button', { name: 'Revert' }).click();
    await vmItem('lab-linux', 'Running').waitFor({ timeout: 60_000 });
    expect(virshOn('node1', ['domstate', 'lab-linux']).trim()).toBe('running');
    // Its memory came back: the guest answers at once, and did not boot again.
    await waitFor(agentAnswers, 'the restored guest agent answering', 20_000);
    expect(boots()).toBe(before);
  });

  it('refuses disks only while the VM keeps snapshots inside its images, saying why', async () => {
    await openSnapshots('lab-linux', 'Running');
    const diskOnly = page.getByRole('radio', { name: 'Disks only, quiesced by the guest agent' });
    await expect.poll(() => diskOnly.isDisabled()).toBe(true);
    await page.getByText(/has snapshots kept inside its disk images/).waitFor();
    const vm = backend.store.all('vms').find((v) => v.name === 'lab-linux')!;
    await expect(
      backend.call('snapshotAction', {
        vmId: vm.id,
        snapshot: { op: 'create', name: 'refused', kind: 'disk-only-quiesce' },
      }),
    ).rejects.toThrow(/has snapshots kept inside its disk images/);
    // Gone through the tab, its disks back in the image.
    await page
      .getByRole('region', { name: 'Snapshots' })
      .getByRole('button', { name: 'Delete e2e-mem' })
      .click();
    await page
      .getByRole('alertdialog', { name: /Delete the snapshot e2e-mem/ })
      .getByRole('button', { name: 'Delete snapshot' })
      .click();
    await waitFor(() => !snapshotNames().includes('e2e-mem'), 'e2e-mem deleted on node1', 30_000);
  });

  it('takes a quiesced disk-only snapshot, offers no Revert, and merges it back on Delete', async () => {
    const form = await openSnapshots('lab-linux', 'Running');
    const diskOnly = page.getByRole('radio', { name: 'Disks only, quiesced by the guest agent' });
    await expect.poll(() => diskOnly.isEnabled(), { timeout: 20_000 }).toBe(true);
    await diskOnly.check();
    await form.getByLabel('Snapshot name').fill('e2e-disks');
    await form.getByRole('button', { name: 'Take snapshot' }).click();
    const list = page.getByRole('region', { name: 'Snapshots' });
    await list.getByText('· disks only, in overlay files').waitFor({ timeout: 60_000 });
    await snapshotTaskSucceeded('e2e-disks');
    const xml = virshOn('node1', ['snapshot-dumpxml', 'lab-linux', '--snapshotname', 'e2e-disks']);
    expect(xml).toContain('<state>disk-snapshot</state>');
    expect(xml).toMatch(/<disk name='vda' snapshot='external'/);
    expect(disk()).toMatch(/lab-linux-data\.e2e-disks$/);
    // libvirt 9.0 cannot revert to it: not offered, and the reason shown.
    const revert = list.getByRole('button', { name: 'Revert to e2e-disks' });
    const libvirt = /Using library: libvirt (\d+)\.(\d+)/.exec(virshOn('node1', ['version']))!;
    const old = Number(libvirt[1]) < 9 || (Number(libvirt[1]) === 9 && Number(libvirt[2]) < 7);
    expect(await revert.isDisabled()).toBe(old);
    if (old) await list.getByText(/cannot revert to a disk-only snapshot/).waitFor();

    await list.getByRole('button', { name: 'Delete e2e-disks' }).click();
    await page
      .getByRole('alertdialog', { name: /Delete the snapshot e2e-disks/ })
      .getByRole('button', { name: 'Delete snapshot' })
      .click();
    await waitFor(() => !snapshotNames().includes('e2e-disks'), 'e2e-disks deleted', 30_000);
    expect(disk()).toMatch(/lab-linux-data\.qcow2$/);
  });

  it('offers no quiesced snapshot of a VM without a guest agent', async () => {
    await openSnapshots('lab-tiny-1', 'Running');
    const diskOnly = page.getByRole('radio', { name: 'Disks only, quiesced by the guest agent' });
    await page.getByText(/needs the guest agent .* not running: .*not configured/).waitFor({
      timeout: 20_000,
    });
    expect(await diskOnly.isDisabled()).toBe(true);
    const vm = backend.store.all('vms').find((v) => v.name === 'lab-tiny-1')!;
    await expect(
      backend.call('snapshotAction', {
        vmId: vm.id,
        snapshot: { op: 'create', name: 'refused', kind: 'disk-only-quiesce' },
      }),
    ).rejects.toThrow(/quiesced through its guest agent, which is not running/);
    expect(quiet(['snapshot-list', 'lab-tiny-1', '--name']).trim()).toBe('');
  });
});
