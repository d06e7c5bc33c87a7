// The Ganeti project's global setup (vitest.config.ts): when the run has
// Ganeti suites and this machine has the packages, the Ganeti lab comes up
// (and its cluster is made, for suites that call ensureGanetiCluster) in the
// background, while the libvirt project brings up its own lab and runs; the
// first Ganeti suite waits for it (GANETI_BRINGUP_FILE). It is stopped at the
// end only if it was not up before the run.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import {
  GANETI_BRINGUP_FILE,
  GANETI_LAB_DIR,
  GANETI_LAB_SCRIPT,
  ganetiHasCluster,
  ganetiLabIsUp,
} from './ganeti-lab';
import { runScript } from './run-script';

/** The Ganeti lab was not up before the run: stop it after, whoever started it (setup or a suite). */
let ganetiUpBefore = true;
/** The background bring-up, awaited by the teardown. */
let bringUp: Promise<void> | undefined;

/**
 * What the run's Ganeti files need: 'none', 'lab' (nodes up) or 'cluster'
 * (a file calls ensureGanetiCluster). Read from the files this run selected
 * (the command line's filters), so a run of other files never starts it.
 */
function ganetiNeeds(testFiles: readonly string[]): 'none' | 'lab' | 'cluster' {
  if (process.env['LAB_GANETI'] === '0' || !existsSync('/usr/sbin/gnt-cluster')) return 'none';
  if (process.getuid?.() !== 0) return 'none';
  let needs: 'none' | 'lab' | 'cluster' = 'none';
  for (const f of testFiles) {
    const text = readFileSync(f, 'utf8');
    if (!/from '\.\.\/ganeti-lab'/.test(text)) continue;
    if (/\bensureGanetiCluster\(/.test(text)) return 'cluster';
    needs = 'lab';
  }
  return needs;
}

async function bringUpGaneti(needs: 'lab' | 'cluster'): Promise<void> {
  const env = { ...process.env, GANETI_LAB_DIR };
  if (!ganetiLabIsUp()) await runScript(GANETI_LAB_SCRIPT, ['up', '3'], env, '[ganeti-lab]');
  if (needs === 'cluster' && !ganetiHasCluster())
    await runScript(GANETI_LAB_SCRIPT, ['init-cluster'], env, '[ganeti-lab]');
}

function recordBringUp(state: 'running' | 'ready' | 'failed', error?: string): void {
  writeFileSync(GANETI_BRINGUP_FILE, JSON.stringify({ pid: process.pid, state, error }));
}

export async function setup(project: TestProject): Promise<void> {
  const t = Date.now();
  ganetiUpBefore = ganetiLabIsUp();
  // Vitest keeps the command line's file filters here (undefined: every file).
  const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern;
  const { testFiles } = await project.globTestFiles(filters);
  const needs = ganetiNeeds(testFiles);
  if (needs === 'none') return;
  recordBringUp('running');
  bringUp = bringUpGaneti(needs).then(
    () => {
      recordBringUp('ready');
      console.log(
        `[ganeti-lab] ${needs} ready ${((Date.now() - t) / 1000).toFixed(1)} s after the run's start`,
      );
    },
    (err: unknown) => recordBringUp('failed', String(err)),
  );
}

export async function teardown(): Promise<void> {
  // A run cut short may end while the lab is still coming up: stop it once it is.
  await bringUp;
  bringUp = undefined;
  rmSync(GANETI_BRINGUP_FILE, { force: true });
  if (!ganetiUpBefore && ganetiLabIsUp())
    execFileSync(GANETI_LAB_SCRIPT, ['down'], {
      env: { ...process.env, GANETI_LAB_DIR },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  ganetiUpBefore = true;
}
