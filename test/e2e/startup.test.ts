// What the page says at startup, in Chromium through the browser shell: a
// settings file that could not be read was set aside (the app still starts),
// and Remember password is offered only where a password can be kept
// encrypted (never in the browser shell), with the reason.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { startShellInChromium, type ShellInChromium } from './chromium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserShell } from '../../shells/browser/browser-shell';

let home: string;
let env: ShellInChromium | undefined;
let shell: BrowserShell;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'clusterdeck-startup-'));
  // As a crash in the middle of a write by some other tool would leave it.
  writeFileSync(join(home, 'settings.json'), '{"version":1,"hosts":[{"id":"h1","nam');
  env = await startShellInChromium(home);
  ({ shell, browser } = env);
  context = await browser.newContext();
});

afterAll(async () => {
  await env?.close();
  rmSync(home, { recursive: true, force: true });
});

describe('startup in Chromium', () => {
  it('starts despite a cut-short settings file and says where it was kept', async () => {
    const aside = readdirSync(home).find((f) => f.startsWith('settings.json.damaged-'));
    expect(aside).toBeDefined();
    const page = await context.newPage();
    await page.goto(shell.url);
    const notice = page.getByRole('alert').filter({ hasText: 'is not valid JSON' });
    await notice.waitFor();
    expect(await notice.textContent()).toContain(join(home, aside!));
    await page.getByRole('tree', { name: 'Resources' }).waitFor(); // the app is up
    await page.close();
  });

  it('does not offer Remember password where nothing can encrypt it, and says why', async () => {
    // The printed link worked once (the test before): this page comes in by its cookie.
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${shell.port}/`);
    await page
      .getByRole('toolbar', { name: 'Actions' })
      .getByRole('button', { name: 'Add Host' })
      .click();
    const dialog = page.getByRole('dialog', { name: 'Add Host' });
    await dialog.getByLabel('Authentication').selectOption('Password');
    const remember = dialog.getByRole('checkbox', { name: 'Remember password' });
    await remember.waitFor();
    expect(await remember.isDisabled()).toBe(true);
    expect(await remember.isChecked()).toBe(false);
    await dialog.getByText('never writes a password in plain text').waitFor();
    await page.close();
  });
});
