// The libvirt project's global setup (vitest.config.ts): starts a 3-node lab
// for the lab suites, or reuses one a developer started with `scripts/lab
// up`; stops only a lab it started itself. A run with end-to-end files also
// gets one Chromium for all of them (browser-server.ts). The Ganeti and HA
// projects run beside this one with labs of their own (ganeti-global-setup.ts;
// the HA suites bring up theirs).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserServer } from 'playwright-core';
import type { TestProject } from 'vitest/node';
import { launchChromiumServer } from './e2e/browser-server';
import { LAB_DIR, LAB_SCRIPT } from './lab';
import { runScript } from './run-script';

let startedHere = false;
/** The run's Chromium (test/e2e/browser-server.ts), when it has end-to-end files. */
let chromiumServer: BrowserServer | undefined;

function labIsUp(): boolean {
  if (!existsSync(join(LAB_DIR, 'lab.json'))) return false;
  try {
    execFileSync(LAB_SCRIPT, ['exec', 'node1', 'true'], {
      env: { ...process.env, LAB_DIR },
      stdio: 'ignore',
    });
    return true;
  } catch {
    return false;
  }
}

async function bringUpLibvirt(): Promise<void> {
  // LAB_LIBVIRT=0: no libvirt lab (a run of other stacks' suites).
  if (process.env['LAB_LIBVIRT'] === '0') return;
  if (labIsUp()) {
    console.log(`[lab] reusing the lab in ${LAB_DIR}`);
    return;
  }
  await runScript(LAB_SCRIPT, ['up', '3'], { ...process.env, LAB_DIR }, '[lab]');
  startedHere = true;
}

export async function setup(project: TestProject): Promise<void> {
  const t = Date.now();
  // Vitest keeps the command line's file filters here (undefined: every file).
  const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern;
  const { testFiles } = await project.globTestFiles(filters);
  if (!testFiles.length) return;
  // One Chromium for every end-to-end file, launched while the lab comes up.
  const browser = testFiles.some((f) => f.includes('/test/e2e/'))
    ? launchChromiumServer().then(
        (server) => {
          chromiumServer = server;
          project.provide('chromiumWsEndpoint', server.wsEndpoint());
        },
        (err: unknown) =>
          console.warn(`[lab] no shared Chromium (each file launches its own): ${String(err)}`),
      )
    : undefined;
  try {
    await Promise.all([bringUpLibvirt(), browser]);
  } catch (err) {
    await teardown(); // vitest calls no teardown after a failed setup
    throw err;
  }
  if (process.env['LAB_LIBVIRT'] !== '0')
    console.log(`[lab] libvirt lab ready in ${((Date.now() - t) / 1000).toFixed(1)} s`);
}

export async function teardown(): Promise<void> {
  await chromiumServer?.close();
  chromiumServer = undefined;
  if (!startedHere) return;
  startedHere = false;
  execFileSync(LAB_SCRIPT, ['down'], {
    env: { ...process.env, LAB_DIR },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}
