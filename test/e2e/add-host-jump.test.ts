// Add Host with a ~/.ssh/config alias whose node sits behind a jump host, in
// Chromium through the browser shell: choosing the alias fills in the jump
// host, the fingerprint shown is node2's read through node1, and the node
// connects. The jump host's block comes through an Include.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { startShellInChromium, type ShellInChromium } from './chromium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../core/backend';
import type { BrowserShell } from '../../shells/browser/browser-shell';
import { labNode, readLab, waitFor } from '../lab';

let home: string;
let env: ShellInChromium | undefined;
let backend: Backend;
let shell: BrowserShell;
let browser: Browser;

beforeAll(async () => {
  const lab = readLab();
  const jump = labNode('node1');
  const target = labNode('node2');
  home = mkdtempSync(join(tmpdir(), 'clusterdeck-jump-'));
  const jumpKey = join(home, 'jump_key');
  copyFileSync(lab.keyPath, jumpKey);
  mkdirSync(join(home, 'config.d'));
  writeFileSync(
    join(home, 'config.d', 'jump.conf'),
    `Host jump1\n  HostName ${jump.host}\n  User ${lab.user}\n  IdentityFile ${jumpKey}\n`,
  );
  writeFileSync(
    join(home, 'no-ssh-config'),
    `Include config.d/*.conf\nHost behind-jump\n  HostName ${target.host}\n  User ${lab.user}\n  IdentityFile ${lab.keyPath}\n  ProxyJump jump1\n`,
  );
  // The jump host is trusted as ssh would have it; node2 is trusted in the dialog.
  writeFileSync(join(home, 'no-user-known-hosts'), `${jump.hostKeyLine}\n`);
  env = await startShellInChromium(home);
  ({ backend, shell, browser } = env);
});

afterAll(async () => {
  await env?.close();
  rmSync(home, { recursive: true, force: true });
});

describe('Add Host through a jump host', () => {
  it('fills the jump host from the alias, shows node2’s key and connects through node1', async () => {
    const target = labNode('node2');
    const page = await browser.newPage();
    await page.goto(shell.url);
    await page
      .getByRole('toolbar', { name: 'Actions' })
      .getByRole('button', { name: 'Add Host' })
      .click();
    const dialog = page.getByRole('dialog', { name: 'Add Host' });
    // The alias list loads with the dialog; choosing one fills the fields.
    await waitFor(
      async () => (await dialog.locator('datalist option[value="behind-jump"]').count()) === 1,
      'the aliases',
    );
    await dialog.getByLabel('Address').fill('behind-jump');
    expect(await dialog.getByLabel('Address').inputValue()).toBe(target.host);
    expect(await dialog.getByLabel('Jump hosts (ProxyJump)').inputValue()).toBe('jump1');
    expect(await dialog.getByLabel('Key file').inputValue()).toBe(readLab().keyPath);
    await dialog.getByRole('button', { name: 'Connect' }).click();
    await dialog.getByText(target.hostKeyFingerprint).waitFor();
    await dialog.getByRole('button', { name: 'Trust and connect' }).click();
    await dialog.waitFor({ state: 'detached', timeout: 30_000 });
    const host = backend.store.all('hosts')[0];
    expect(host).toMatchObject({ name: 'behind-jump', state: 'connected', proxyJump: 'jump1' });
    await page
      .getByRole('treeitem', { name: /^behind-jump/ })
      .first()
      .click();
    await page.getByRole('tabpanel').getByText('Jump hosts').waitFor();
    await page.close();
  });
});
