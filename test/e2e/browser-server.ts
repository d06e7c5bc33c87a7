// One Chromium for a whole lab run: the global setup (lab-global-setup.ts)
// starts it when the run has end-to-end files and hands its address to them
// (vitest's provide/inject); each file connects and works in contexts of its
// own, so cookies and pages stay per file. Launching and closing Chromium in
// every file cost ~1.3 s each (0.9 s launch, 0.3-0.6 s close, at load 15).
import { chromium, type Browser, type BrowserServer } from 'playwright-core';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's Chromium, when the global setup started one. */
    chromiumWsEndpoint?: string;
  }
}

export const CHROMIUM_EXECUTABLE = '/usr/bin/chromium';

export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromiumServer(): Promise<BrowserServer> {
  return chromium.launchServer({ executablePath: CHROMIUM_EXECUTABLE, args: [...CHROMIUM_ARGS] });
}

/**
 * The run's Chromium when there is one (its close() then only drops this
 * file's contexts and connection), else one of this file's own.
 */
export function openChromium(wsEndpoint: string | undefined): Promise<Browser> {
  return wsEndpoint
    ? chromium.connect(wsEndpoint)
    : chromium.launch({ executablePath: CHROMIUM_EXECUTABLE, args: [...CHROMIUM_ARGS] });
}
