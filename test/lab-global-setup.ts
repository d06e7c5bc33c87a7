// Starts a 3-node lab for the lab suites, or reuses one a developer started
// with `scripts/lab up`; stops only a lab it started itself. The Ganeti lab
// is started by the first suite that needs it (its bring-up costs ~1 min)
// and kept for the others; it is stopped here if it was not up before the run.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LAB_DIR, LAB_SCRIPT } from './lab';
import { ganetiLabCommand, ganetiLabIsUp } from './ganeti-lab';

let startedHere = false;
let ganetiUpBefore = true;

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

export function setup(): void {
  ganetiUpBefore = ganetiLabIsUp();
  // LAB_LIBVIRT=0: only Ganeti lab suites run (they start scripts/lab-ganeti themselves).
  if (process.env['LAB_LIBVIRT'] === '0') return;
  if (labIsUp()) {
    console.log(`[lab] reusing the lab in ${LAB_DIR}`);
    return;
  }
  const t = Date.now();
  execFileSync(LAB_SCRIPT, ['up', '3'], {
    env: { ...process.env, LAB_DIR },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  startedHere = true;
  console.log(`[lab] 3 nodes up in ${((Date.now() - t) / 1000).toFixed(1)} s`);
}

export function teardown(): void {
  if (!ganetiUpBefore && ganetiLabIsUp()) ganetiLabCommand(['down']);
  if (!startedHere) return;
  execFileSync(LAB_SCRIPT, ['down'], {
    env: { ...process.env, LAB_DIR },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}
