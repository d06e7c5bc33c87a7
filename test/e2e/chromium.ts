// Debian's Chromium for the end-to-end suites, started the one way that works
// on these machines: no sandbox as root, and none of the background traffic
// (updates, sync, QUIC) a closed network would refuse over and over.
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { Backend } from '../../core/backend';
import { startBrowserShell, type BrowserShell } from '../../shells/browser/browser-shell';
import { REPO, testBackendOptions } from '../lab';

export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS] });
}

/** The real backend on its own data folder, the browser shell serving the built renderer, and Chromium. */
export interface ShellInChromium {
  backend: Backend;
  shell: BrowserShell;
  browser: Browser;
  /** Closes all three, the browser first; the data folder stays for the caller. */
  close(): Promise<void>;
}

export async function startShellInChromium(home: string): Promise<ShellInChromium> {
  const backend = await Backend.start(testBackendOptions(home));
  let shell: BrowserShell | undefined;
  try {
    shell = await startBrowserShell({ backend, staticDir: join(REPO, 'dist', 'renderer') });
    const browser = await launchChromium();
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
