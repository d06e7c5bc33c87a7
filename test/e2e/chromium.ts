// Debian's Chromium for the end-to-end suites, started the one way that works
// on these machines (browser-server.ts: no sandbox as root, and none of the
// background traffic a closed network would refuse over and over), with the
// backend and the browser shell each file gets.
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { inject } from 'vitest';
import { Backend } from '../../core/backend';
import { startBrowserShell, type BrowserShell } from '../../shells/browser/browser-shell';
import { REPO, testBackendOptions } from '../lab';
import { openChromium } from './browser-server';

/**
 * The run's Chromium (browser-server.ts), or one of this file's own when run
 * without it or when `own`: a connected browser is remote to Playwright, which
 * then sends a file given to an input through its connection (too slow for
 * the 200 MiB uploads of storage.test.ts).
 */
export function launchChromium(own = false): Promise<Browser> {
  return openChromium(own ? undefined : inject('chromiumWsEndpoint'));
}

/** The real backend on its own data folder, the browser shell serving the built renderer, and Chromium. */
export interface ShellInChromium {
  backend: Backend;
  shell: BrowserShell;
  browser: Browser;
  /** Closes all three, the browser first; the data folder stays for the caller. */
  close(): Promise<void>;
}

export async function startShellInChromium(
  home: string,
  options: { ownBrowser?: boolean } = {},
): Promise<ShellInChromium> {
  const backend = await Backend.start(testBackendOptions(home));
  let shell: BrowserShell | undefined;
  try {
    shell = await startBrowserShell({ backend, staticDir: join(REPO, 'dist', 'renderer') });
    const browser = await launchChromium(options.ownBrowser);
    const opened = shell;
    return {
      backend,
      shell,
      browser,
      close: async () => {
        await browser.close();
        await opened.close();
        backend.close();
      },
    };
  } catch (err) {
    await shell?.close();
    backend.close();
    throw err;
  }
}
