// End to end: the guest agent's facts on a running VM's General tab and a
// shutdown through the agent (lab-linux runs Debian's qemu-ga on its
// org.qemu.guest_agent.0 channel; the lab-tiny guests have no channel).
// Runs alone: `LAB_BASE=NN npx vitest run --project lab test/e2e/guest-agent.test.ts`.
import { execFileSync } from 'node:child_process';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_DIR, LAB_SCRIPT, readLab, virshOn, waitFor } from '../lab';
import { useE2e, vmItem } from './fixtures';

const e2e = useE2e({ nodes: ['node1'] });
let page: Page;
beforeAll(() => {
  ({ page } = e2e);
});

/** The agent answers on the node itself, as virsh sees it. */
const agentAnswers = () => {
  try {
    const argv = ['qemu-agent-command', 'lab-linux', '--timeout', '2', '{"execute":"guest-ping"}'];
    const out = execFileSync(
      LAB_SCRIPT,
      ['exec', 'node1', 'virsh', '-c', 'qemu:///system', ...argv],
      {
        encoding: 'utf8',
        env: { ...process.env, LAB_DIR },
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    return out.trim() === '{"return":{}}';
  } catch {
    return false;
  }
};

const running = () => virshOn('node1', ['domstate', 'lab-linux']).trim() === 'running';

afterAll(async () => {
  if (readLab().linuxGuest && !running()) virshOn('node1', ['start', 'lab-linux']);
});

describe.runIf(readLab().linuxGuest)('the guest agent in Chromium', () => {
  it('shows the OS, host name, addresses and uptime the agent gives', async () => {
    if (!running()) virshOn('node1', ['start', 'lab-linux']);
    await waitFor(agentAnswers, 'the guest agent of lab-linux answering guest-ping', 90_000);
    await vmItem('lab-linux', 'Running').click();
    await page.getByRole('tab', { name: 'General' }).click();
    const guest = page.getByRole('region', { name: 'Guest' });
    await guest.getByText('Running', { exact: true }).waitFor({ timeout: 20_000 });
    await guest.getByText('Lab Linux (busybox, Debian 12 kernel)').waitFor();
    // The guest's own kernel, host name and loopback address, as qemu-ga reads them.
    const kernel = virshOn('node1', ['guestinfo', 'lab-linux', '--os']).match(
      /os\.kernel-release\s*:\s*(\S+)/,
    )![1]!;
    await guest.getByText(kernel, { exact: true }).waitFor();
    await guest.getByText('lab-linux', { exact: true }).waitFor();
    await guest.getByText(/127\.0\.0\.1\/8 \(lo\)/).waitFor();
    await guest.getByText(/^\d+ min$/).waitFor();
  });

  it('says the agent is not running on a VM without one', async () => {
    await vmItem('lab-tiny-1', 'Running').click();
    await page.getByRole('tab', { name: 'General' }).click();
    const guest = page.getByRole('region', { name: 'Guest' });
    await guest
      .getByText(/^Guest agent not running \(the VM has no guest agent channel\): .*not configured/)
      .waitFor({ timeout: 20_000 });
  });

  it('shuts lab-linux down through its agent, and the task says so', async () => {
    await waitFor(agentAnswers, 'the guest agent of lab-linux answering guest-ping', 90_000);
    await vmItem('lab-linux', 'Running').click();
    await page
      .getByRole('toolbar', { name: 'Actions' })
      .getByRole('button', { name: 'Shut down' })
      .click();
    const confirm = page.getByRole('alertdialog', { name: /Shut down lab-linux/ });
    if (await confirm.count()) await confirm.getByRole('button', { name: 'Shut down' }).click();
    await vmItem('lab-linux', 'Shut off').waitFor({ timeout: 30_000 });
    expect(virshOn('node1', ['domstate', 'lab-linux']).trim()).toBe('shut off');
    const tasks = page.getByRole('region', { name: 'Tasks' });
    await tasks.getByRole('button', { name: 'Show log' }).first().click();
    await tasks
      .getByRole('list', { name: 'Steps of Shut down lab-linux' })
      .getByText('Shut down through the guest agent')
      .waitFor();
    await tasks
      .getByText(/virsh -c qemu:\/\/\/system shutdown \S+ --mode agent/)
      .first()
      .waitFor();
    virshOn('node1', ['start', 'lab-linux']);
    await waitFor(agentAnswers, 'the guest agent of lab-linux answering again', 90_000);
  });
});
