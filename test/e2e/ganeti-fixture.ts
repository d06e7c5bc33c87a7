// The world of the Ganeti end-to-end files: a backend on a fresh data folder
// with the Ganeti lab's node1 added (the cluster comes with it), the browser
// shell on it, and one Chromium page showing the tree.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { addGanetiLabNode } from '../ganeti-lab';
import { startShellInChromium, type ShellInChromium } from './chromium';
import { ARTIFACTS } from './fixtures';

export interface GanetiInChromium {
  env: ShellInChromium;
  page: Page;
  /** Closes the shell and its browser, and removes the data folder. */
  close(): Promise<void>;
}

export async function openGanetiInChromium(
  tag: string,
  viewport = { width: 1280, height: 800 },
): Promise<GanetiInChromium> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const home = mkdtempSync(join(tmpdir(), `clusterdeck-e2e-${tag}-`));
  writeFileSync(
    join(home, 'settings.json'),
    JSON.stringify({ version: 1, hosts: [], secrets: {}, vmActionTimeoutSeconds: 6 }),
  );
  const env = await startShellInChromium(home);
  const close = async () => {
    await env.close();
    rmSync(home, { recursive: true, force: true });
  };
  try {
    const page = await env.browser.newPage({ viewport });
    await addGanetiLabNode(env.backend, 'node1');
    await page.goto(env.shell.url);
    await page.getByRole('tree', { name: 'Resources' }).waitFor();
    return { env, page, close };
  } catch (err) {
    await close();
    throw err;
  }
}
