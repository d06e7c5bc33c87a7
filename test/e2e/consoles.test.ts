// End to end: the real renderer in Debian's Chromium, through the browser
// shell, against the real backend and the lab's nodes (test/e2e/fixtures.ts).
// Consoles: the guest's screen (noVNC), typing and pasting into it, a node's
// terminal, the serial console, and a pop-out console that follows its VM.
// Runs alone: `LAB_BASE=NN npx vitest run test/e2e/consoles.test.ts`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BrowserShell } from '../../shells/browser/browser-shell';
import { readLab, virshOn, waitFor, type Lab } from '../lab';
import { ARTIFACTS, openNode1Terminal, vmItem, useE2e } from './fixtures';
import { expectConsolePicture } from './console-picture';

const e2e = useE2e();
let page: Page;
let shell: BrowserShell;
let lab: Lab;
beforeAll(() => {
  ({ page, shell, lab } = e2e);
});

describe('consoles and terminals in Chromium', () => {
  it('shows a running guest’s screen in the Console tab', async () => {
    await vmItem('lab-tiny-1', 'Running').click();
    await page.getByRole('tab', { name: 'Console' }).click();
    await page.getByRole('status', { name: 'Console status' }).getByText('Connected').waitFor();
    await expectConsolePicture(page, 'lab-tiny-1', 5_000);
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-console.png') });
  });

  it.runIf(readLab().linuxGuest)(
    'types into the tiny Linux guest through the console',
    async () => {
      const serial = lab.nodes[0]!.serialLog!;
      // A lab started for this file alone may still be booting the guest:
      // keys typed before its shells run are lost.
      await waitFor(
        () => readFileSync(serial, 'utf8').includes('lab-linux#'),
        'the tiny Linux guest’s shell prompt',
        90_000,
      );
      await vmItem('lab-linux', 'Running').click();
      await page.getByRole('tab', { name: 'Console' }).click();
      await page.getByRole('status', { name: 'Console status' }).getByText('Connected').waitFor();
      const screen = page.getByRole('application', { name: 'Console of lab-linux' });
      await screen.click();
      // Typed as a person would, holding Shift for '>' and 'S'.
      await page.keyboard.type('echo typed-42 ', { delay: 20 });
      await page.keyboard.press('Shift+Period');
      await page.keyboard.type(' /dev/tty', { delay: 20 });
      await page.keyboard.press('Shift+KeyS');
      await page.keyboard.type('0', { delay: 20 });
      await page.keyboard.press('Enter');
      await waitFor(
        () => readFileSync(serial, 'utf8').includes('typed-42'),
        'typed text in the serial log',
        15_000,
      );

      await page.getByRole('button', { name: 'Paste text' }).click();
      await page
        .getByLabel('Text to type into the console')
        .fill('echo pasted-$((5*5)) > /dev/ttyS0\n');
      await page.getByRole('button', { name: 'Type it' }).click();
      await waitFor(
        () => readFileSync(serial, 'utf8').includes('pasted-25'),
        'pasted text in the serial log',
        15_000,
      );

      await page.getByRole('button', { name: 'Ctrl+Alt+Del' }).click();
      await page.screenshot({ path: join(ARTIFACTS, 'e2e-console-linux.png') });
      await page.getByRole('tab', { name: 'General' }).click();
    },
    150_000,
  );

  it('gives a shell on a node in the Terminal tab, with copy, paste and resize', async () => {
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: new URL(shell.url).origin,
    });
    const terminal = await openNode1Terminal();
    await page.keyboard.type('echo "host=$(hostname) size=$(stty size)"', { delay: 5 });
    await page.keyboard.press('Enter');
    const sizeLine = terminal.getByText(/^host=node1 size=\d+ \d+/);
    await sizeLine.waitFor();
    const before = (await sizeLine.textContent())!.trim();

    // A smaller window fits fewer cells, and the shell's pty is told so.
    await page.setViewportSize({ width: 1000, height: 640 });
    await page.keyboard.type('clear; echo "host=$(hostname) size=$(stty size)"', { delay: 5 });
    await page.keyboard.press('Enter');
    await waitFor(async () => {
      const now = (await sizeLine.textContent().catch(() => ''))?.trim();
      return now && now !== before;
    }, 'the pty size to follow the window');

    // Copy a line of output, paste it back as a command, and see it ran.
    await page.keyboard.type(`clear; echo 'echo pasted=$((6*7))'`, { delay: 5 });
    await page.keyboard.press('Enter');
    const commandLine = terminal.getByText(/^echo pasted=\$\(\(6\*7\)\)/);
    // xterm draws its selection layer over the text, which takes the clicks.
    await commandLine.click({ clickCount: 3, force: true });
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByRole('button', { name: 'Paste' }).click();
    await terminal.getByText(/# echo pasted=\$\(\(6\*7\)\)/).waitFor();
    await page.keyboard.press('Enter');
    await terminal.getByText(/^pasted=42/).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-terminal.png') });
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it.runIf(readLab().linuxGuest)('attaches to the tiny Linux guest’s serial console', async () => {
    await vmItem('lab-linux', 'Running').click();
    await page.getByRole('tab', { name: 'Serial' }).click();
    await page
      .getByRole('status', { name: 'Serial console of lab-linux status' })
      .getByText(/^Connected: virsh -c qemu:\/\/\/system console --force/)
      .waitFor({ timeout: 10_000 });
    const terminal = page.getByRole('group', { name: 'Serial console of lab-linux' });
    await terminal.click();
    // Ctrl+Alt+Del above rebooted the guest: ask until its shell is back.
    const answer = terminal.getByText(/^serial-42/).first();
    const end = Date.now() + 90_000;
    for (;;) {
      await page.keyboard.type('echo serial-$((2*21))', { delay: 20 });
      await page.keyboard.press('Enter');
      try {
        await answer.waitFor({ timeout: 4000 });
        break;
      } catch (err) {
        if (Date.now() > end) throw err;
      }
    }
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-serial-console.png') });
    await page.getByRole('tab', { name: 'General' }).click();
  });

  it('keeps consoles open in a pop-out window and follows a migration by virsh', async () => {
    const migrate = (from: string, to: string) =>
      virshOn(from, [
        'migrate',
        '--live',
        '--persistent',
        '--undefinesource',
        'lab-tiny-1',
        `qemu+ssh://root@${to}/system?keyfile=${lab.keyPath}&no_verify=1`,
        '--migrateuri',
        `tcp://${to}`,
      ]);
    const node1 = lab.nodes[0]!.host;
    const node2 = lab.nodes[1]!.host;
    await vmItem('lab-tiny-1', 'Running').click();
    await page.getByRole('tab', { name: 'Console' }).click();
    const status = page.getByRole('status', { name: 'Console status' });
    await status.getByText('Connected').waitFor();
    const [popup] = await Promise.all([
      page.waitForEvent('popup'),
      page.getByRole('button', { name: 'Pop out' }).click(),
    ]);
    await popup.getByRole('heading', { name: 'lab-tiny-1 on node1' }).waitFor();
    await popup.getByRole('status', { name: 'Console status' }).getByText('Connected').waitFor();

    migrate('node1', node2);
    try {
      expect(virshOn('node2', ['domstate', 'lab-tiny-1']).trim()).toBe('running');
      await popup
        .getByRole('heading', { name: 'lab-tiny-1 on node2' })
        .waitFor({ timeout: 10_000 });
      await popup.getByRole('status', { name: 'Console status' }).getByText('Connected').waitFor();
      // The main window's selection and console followed the VM too.
      await page.getByRole('heading', { name: 'lab-tiny-1' }).waitFor();
      await status.getByText('Connected').waitFor({ timeout: 10_000 });
      await page.screenshot({ path: join(ARTIFACTS, 'e2e-console-after-migration.png') });
    } finally {
      await popup.close();
      migrate('node2', node1);
    }
  });
});
