// Starts a 3-node lab for the lab suites, or reuses one a developer started
// with `scripts/lab up`; stops only a lab it started itself. When the run
// includes Ganeti suites (files using test/ganeti-lab.ts) and the Ganeti
// packages are installed, the Ganeti lab is brought up (and its cluster made,
// for suites that call ensureGanetiCluster) in the background: it overlaps the
// libvirt lab's bring-up and the first libvirt suites instead of the first
// Ganeti suite paying for it (~40 s idle, ~70 s loaded). The Ganeti suites run
// last (vitest.config.ts's sequencer) and wait for it (GANETI_BRINGUP_FILE).
// The Ganeti lab is stopped here only if it was not up before the run. A run
// with end-to-end files also gets one Chromium for all of them (browser-server.ts).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserServer } from 'playwright-core';
import type { TestProject } from 'vitest/node';
import { launchChromiumServer } from './e2e/browser-server';
import { LAB_DIR, LAB_SCRIPT } from './lab';
import { usesGanetiLab } from './lab-sequencer';
import {
  GANETI_BRINGUP_FILE,
  GANETI_LAB_DIR,
  GANETI_LAB_SCRIPT,
  ganetiHasCluster,
  ganetiLabIsUp,
} from './ganeti-lab';

let startedHere = false;
/** The Ganeti lab was not up before the run: stop it after, whoever started it (setup or a suite). */
let ganetiUpBefore = true;
/** The run's Chromium (test/e2e/browser-server.ts), when it has end-to-end files. */
let chromiumServer: BrowserServer | undefined;
/** The background Ganeti bring-up, awaited by the teardown. */
let ganetiBringUp: Promise<void> | undefined;

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

/** Runs a lab script, its output lines prefixed (two bring-ups print at once); rejects on failure. */
function runScript(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  prefix: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(script, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout, child.stderr]) {
      let rest = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop()!;
        for (const l of lines) process.stderr.write(`${prefix} ${l}\n`);
      });
      stream.on('end', () => rest && process.stderr.write(`${prefix} ${rest}\n`));
    }
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${script} ${args.join(' ')} exited with ${String(code)}`)),
    );
  });
}

/**
 * What the run's Ganeti files need: 'none', 'lab' (nodes up) or 'cluster'
 * (a file calls ensureGanetiCluster). Read from the files this run selected
 * (the command line's filters), so a run of libvirt files never starts it.
 */
function ganetiNeeds(testFiles: readonly string[]): 'none' | 'lab' | 'cluster' {
  if (process.env['LAB_GANETI'] === '0' || !existsSync('/usr/sbin/gnt-cluster')) return 'none';
  if (process.getuid?.() !== 0) return 'none';
  let needs: 'none' | 'lab' | 'cluster' = 'none';
  for (const f of testFiles) {
    if (!usesGanetiLab(f)) continue;
    if (/\bensureGanetiCluster\(/.test(readFileSync(f, 'utf8'))) return 'cluster';
    needs = 'lab';
  }
  return needs;
}

async function bringUpGaneti(needs: 'lab' | 'cluster'): Promise<void> {
  const env = { ...process.env, GANETI_LAB_DIR };
  if (!ganetiLabIsUp()) {
    await runScript(GANETI_LAB_SCRIPT, ['up', '3'], env, '[ganeti-lab]');
  }
  if (needs === 'cluster' && !ganetiHasCluster())
    await runScript(GANETI_LAB_SCRIPT, ['init-cluster'], env, '[ganeti-lab]');
}

async function bringUpLibvirt(): Promise<void> {
  // LAB_LIBVIRT=0: only Ganeti lab suites run.
  if (process.env['LAB_LIBVIRT'] === '0') return;
  if (labIsUp()) {
    console.log(`[lab] reusing the lab in ${LAB_DIR}`);
    return;
  }
  await runScript(LAB_SCRIPT, ['up', '3'], { ...process.env, LAB_DIR }, '[lab]');
  startedHere = true;
}

function recordBringUp(state: 'running' | 'ready' | 'failed', error?: string): void {
  writeFileSync(GANETI_BRINGUP_FILE, JSON.stringify({ pid: process.pid, state, error }));
}

export async function setup(project: TestProject): Promise<void> {
  const t = Date.now();
  const since = () => `${((Date.now() - t) / 1000).toFixed(1)} s`;
  ganetiUpBefore = ganetiLabIsUp();
  // Vitest keeps the command line's file filters here (undefined: every file).
  const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern;
  const { testFiles } = await project.globTestFiles(filters);
  const needs = ganetiNeeds(testFiles);
  if (needs !== 'none') {
    recordBringUp('running');
    ganetiBringUp = bringUpGaneti(needs).then(
      () => {
        recordBringUp('ready');
        console.log(`[ganeti-lab] ${needs} ready ${since()} after the run's start`);
      },
      (err: unknown) => recordBringUp('failed', String(err)),
    );
  }
  // One Chromium for every end-to-end file, launched while the labs come up.
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
  if (process.env['LAB_LIBVIRT'] !== '0') console.log(`[lab] libvirt lab ready in ${since()}`);
}

export async function teardown(): Promise<void> {
  await chromiumServer?.close();
  chromiumServer = undefined;
  // A run cut short may end while the Ganeti lab is still coming up: stop it once it is.
  await ganetiBringUp;
  ganetiBringUp = undefined;
  rmSync(GANETI_BRINGUP_FILE, { force: true });
  if (!ganetiUpBefore && ganetiLabIsUp())
    execFileSync(GANETI_LAB_SCRIPT, ['down'], {
      env: { ...process.env, GANETI_LAB_DIR },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  ganetiUpBefore = true;
  if (!startedHere) return;
  startedHere = false;
  execFileSync(LAB_SCRIPT, ['down'], {
    env: { ...process.env, LAB_DIR },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}
