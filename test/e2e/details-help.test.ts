// End to end: the real renderer in Debian's Chromium, through the browser
// shell, against the real backend and the lab's nodes (test/e2e/fixtures.ts).
// Day-one polish (issue 12): underscores drawn in a node's terminal, a
// shut-off VM opening on General, Remember offered only where there is a
// secret to keep, and Help with the version, a guide and the shortcuts.
// Runs alone: `LAB_BASE=NN npx vitest run test/e2e/details-help.test.ts`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../lab';
import { ARTIFACTS, closeDialogs, openNode1Terminal, vmItem, useE2e } from './fixtures';

const e2e = useE2e();
let page: Page;
let browser: Browser;
beforeAll(() => {
  ({ page, browser } = e2e);
});

/** The terminal's background (TerminalView's theme), as RGB. */
const BACKGROUND = [0x0f, 0x17, 0x2a] as const;

/**
 * How many pixels of each row of a PNG differ clearly from the terminal's
 * background. Decoded by Chromium in a blank page of its own (the app's page
 * has a CSP that refuses data: images).
 */
async function foregroundPerRow(png: Buffer): Promise<number[]> {
  const scratch = await browser.newPage();
  try {
    return await scratch.evaluate(
      async ({ src, bg }) => {
        const img = new Image();
        img.src = src;
        await img.decode();
        const canvas = document.createElement('canvas');
        canvas.width = img.width;
        canvas.height = img.height;
        const g = canvas.getContext('2d')!;
        g.drawImage(img, 0, 0);
        const d = g.getImageData(0, 0, canvas.width, canvas.height).data;
        const rows: number[] = [];
        for (let y = 0; y < canvas.height; y++) {
          let n = 0;
          for (let x = 0; x < canvas.width; x++) {
            const i = (y * canvas.width + x) * 4;
            const distance =
              Math.abs(d[i]! - bg[0]!) +
              Math.abs(d[i + 1]! - bg[1]!) +
              Math.abs(d[i + 2]! - bg[2]!);
            if (distance > 60) n++;
          }
          rows.push(n);
        }
        return rows;
      },
      { src: `data:image/png;base64,${png.toString('base64')}`, bg: [...BACKGROUND] },
    );
  } finally {
    await scratch.close();
  }
}

describe('day-one polish in Chromium', () => {
  it('draws underscores in a node’s terminal', async () => {
    const terminal = await openNode1Terminal();
    await page.keyboard.type(`clear; printf '%s\\n' '________________________'`, { delay: 5 });
    await page.keyboard.press('Enter');
    // The output's row, not the command line (which holds underscores too).
    const row = terminal.locator('.xterm-rows > div').filter({ hasText: /^_{24}\s*$/ });
    await row.waitFor();
    const box = (await row.boundingBox())!;
    // Only the cells of the 24 underscores, the row's full height.
    const cellWidth = (await row.locator('span').first().boundingBox())!.width / 24;
    const png = await page.screenshot({
      clip: { x: box.x, y: box.y, width: cellWidth * 24, height: box.height },
    });
    const perRow = await foregroundPerRow(png);
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-terminal-underscores.png') });
    // An underscore is a horizontal bar: at least one pixel row lit across
    // most of the 24 cells (not just a few stray pixels).
    expect(Math.max(...perRow), `foreground pixels per row: ${perRow.join(',')}`).toBeGreaterThan(
      cellWidth * 24 * 0.6,
    );
  });

  it('opens a shut-off VM on General, and a running one on the remembered Console', async () => {
    await vmItem('lab-tiny-1', 'Running').click();
    const consoleTab = page.getByRole('tab', { name: 'Console' });
    const generalTab = page.getByRole('tab', { name: 'General' });
    await consoleTab.click();
    await page.getByRole('status', { name: 'Console status' }).waitFor();

    await vmItem('lab-tiny-2', 'Shut off').click();
    await page.getByRole('heading', { name: 'lab-tiny-2' }).waitFor();
    expect(await generalTab.getAttribute('aria-selected')).toBe('true');
    expect(await consoleTab.getAttribute('aria-selected')).toBe('false');
    expect(await page.getByRole('status', { name: 'Console status' }).count()).toBe(0);

    // The remembered tab is still Console for a running VM.
    await vmItem('lab-tiny-1', 'Running').click();
    await page.getByRole('heading', { name: 'lab-tiny-1' }).waitFor();
    expect(await consoleTab.getAttribute('aria-selected')).toBe('true');

    // Asked for explicitly, a shut-off VM's Console is shown.
    await vmItem('lab-tiny-2', 'Shut off').click();
    await page.getByRole('heading', { name: 'lab-tiny-2' }).waitFor();
    await consoleTab.click();
    expect(await consoleTab.getAttribute('aria-selected')).toBe('true');
    await page.getByRole('status', { name: 'Console status' }).waitFor();
    await generalTab.click();
  });

  it('offers Remember only for a password or a key’s passphrase', async () => {
    await page
      .getByRole('toolbar', { name: 'Actions' })
      .getByRole('button', { name: 'Add Host' })
      .click();
    const dialog = page.getByRole('dialog', { name: 'Add Host' });
    const remember = dialog.getByRole('checkbox', { name: /^Remember/ });
    const auth = dialog.getByLabel('Authentication');

    // A key file without a passphrase: nothing to remember, nothing shown.
    await auth.selectOption('Private key file');
    await dialog.getByLabel('Key file').waitFor();
    expect(await remember.count()).toBe(0);
    await dialog.getByLabel('Key passphrase').fill('secret words');
    await dialog.getByRole('checkbox', { name: 'Remember passphrase' }).waitFor();
    await dialog.getByLabel('Key passphrase').fill('');
    await waitForCount(remember, 0);

    await auth.selectOption('SSH agent');
    expect(await remember.count()).toBe(0);

    await auth.selectOption('Password');
    await dialog.getByRole('checkbox', { name: 'Remember password' }).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await closeDialogs();
  });

  it('shows the version, a short guide and the shortcuts in Help', async () => {
    const version = (
      JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }
    ).version;
    await page
      .getByRole('toolbar', { name: 'Actions' })
      .getByRole('button', { name: 'Help' })
      .click();
    const help = page.getByRole('dialog', { name: 'Help' });
    await help.getByText(`Clusterdeck version ${version}`).waitFor();
    const guide = help.getByRole('region', { name: 'Getting started' });
    expect(await guide.getByRole('listitem').count()).toBeGreaterThanOrEqual(3);
    await guide.getByText(/Add Host connects/).waitFor();
    const keys = help.getByRole('region', { name: 'Keyboard shortcuts' });
    for (const [key, what] of [
      ['Ctrl+N', 'Add Host'],
      ['F1', 'This help'],
      ['Ctrl+Shift+C, Ctrl+Shift+V', 'Copy and paste in a Terminal or Serial tab'],
    ] as const) {
      const row = keys.getByRole('row', { name: new RegExp(`^${escape(key)}`) });
      expect(await row.getByRole('cell').textContent()).toBe(what);
    }
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-help.png') });
    await help.getByRole('button', { name: 'Close' }).click();
    await help.waitFor({ state: 'detached' });

    // F1 opens it too, from anywhere outside a text field.
    await page.getByRole('tree', { name: 'Resources' }).focus();
    await page.keyboard.press('F1');
    await help.waitFor();
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function waitForCount(
  locator: ReturnType<Page['getByRole']>,
  count: number,
  timeoutMs = 5000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while ((await locator.count()) !== count) {
    if (Date.now() > end) throw new Error(`expected ${count} of ${String(locator)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
