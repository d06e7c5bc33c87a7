// Debian's Chromium for the end-to-end suites, started the one way that works
// on these machines: no sandbox as root, and none of the background traffic
// (updates, sync, QUIC) a closed network would refuse over and over.
import { chromium, type Browser } from 'playwright-core';

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
