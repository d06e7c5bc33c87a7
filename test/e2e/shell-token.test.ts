// The browser shell's printed URL works once, in Debian's Chromium: the first
// load trades its token for an HttpOnly SameSite=Strict cookie and the page
// removes the token from the address bar; that browser comes back by the
// cookie, any other browser (or the URL from history) is refused.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startShellInChromium, type ShellInChromium } from './chromium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../core/backend';
import type { BrowserShell } from '../../shells/browser/browser-shell';

let home: string;
let env: ShellInChromium | undefined;
let backend: Backend;
let shell: BrowserShell;
let browser: Browser;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'clusterdeck-token-'));
  env = await startShellInChromium(home);
  ({ backend, shell, browser } = env);
});

afterAll(async () => {
  await env?.close();
  rmSync(home, { recursive: true, force: true });
});

/** Proves the page talks to the backend: a task started here shows in its Tasks pane. */
async function expectLive(page: Page, title: string): Promise<void> {
  backend.tasks.start(title, 'token test', async () => undefined);
  await page.getByText(title).first().waitFor({ timeout: 15_000 });
}

describe('the printed URL works once', () => {
  let context: BrowserContext;
  const base = () => `http://127.0.0.1:${shell.port}/`;

  it('trades the token for an HttpOnly SameSite=Strict cookie and leaves the address bar', async () => {
    context = await browser.newContext();
    const page = await context.newPage();
    const first = await page.goto(shell.url);
    expect(first?.status()).toBe(200);
    await page.getByRole('tree', { name: 'Resources' }).waitFor();
    await expectLive(page, 'Token test: first load');
    expect(page.url()).toBe(base());
    expect(await page.evaluate(() => location.href)).not.toContain('token');
    // The entry was replaced, not added to: back leads to the blank tab, forward to the bare address.
    await page.goBack();
    expect(page.url()).toBe('about:blank');
    await page.goForward();
    expect(page.url()).toBe(base());
    expect(await page.evaluate(() => document.cookie)).toBe('');
    const cookies = await context.cookies(base());
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({
      name: `clusterdeck-${shell.port}`,
      httpOnly: true,
      sameSite: 'Strict',
      path: '/',
    });
    expect(shell.url).not.toContain(cookies[0]!.value);
  });

  it('lets the same browser back in by its cookie (reload, new tab)', async () => {
    const page = await context.newPage();
    expect((await page.goto(base()))?.status()).toBe(200);
    await expectLive(page, 'Token test: by the cookie');
    await page.reload();
    await expectLive(page, 'Token test: after a reload');
    // The used link in the same browser still opens the app, by the cookie, and loses the token.
    await page.goto(shell.url);
    await expectLive(page, 'Token test: the link again, same browser');
    expect(page.url()).toBe(base());
  });

  it('refuses the printed URL in any other browser, and the bare address too', async () => {
    const other = await browser.newContext();
    const page = await other.newPage();
    const again = await page.goto(shell.url);
    expect(again?.status()).toBe(403);
    expect(await page.textContent('body')).toMatch(/used already: its link works once/);
    expect((await page.goto(base()))?.status()).toBe(403);
    expect(await other.cookies()).toHaveLength(0);
    await other.close();
    // Outside any browser too.
    expect((await fetch(shell.url)).status).toBe(403);
    const forged = await fetch(base(), {
      headers: { cookie: `clusterdeck-${shell.port}=${'x'.repeat(43)}` },
    });
    expect(forged.status).toBe(403);
    await context.close();
  });
});
