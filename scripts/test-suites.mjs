// Runs the test projects (vitest.config.ts) as vitest processes side by
// side: unit + libvirt (`lab`), `ganeti`, `ha` and `pve`. Each stack's lab suites
// must run one file at a time (they share that lab's nodes), but the labs
// share nothing, and one vitest run puts every project whose files run one at
// a time into a single queue, so the stacks would wait for each other.
// Each line is prefixed with its run's name; the exit code is the first
// failure's. Arguments (file filters, -t) go to every run.
import { spawn } from 'node:child_process';

const RUNS = [
  { name: 'lab', projects: ['unit', 'lab'] },
  { name: 'ganeti', projects: ['ganeti'] },
  { name: 'ha', projects: ['ha'] },
  { name: 'pve', projects: ['pve'] },
];
const args = process.argv.slice(2);
const started = Date.now();
const seconds = () => ((Date.now() - started) / 1000).toFixed(0);

const children = RUNS.map(({ name, projects }) => {
  const child = spawn(
    'npx',
    [
      'vitest',
      'run',
      ...projects.flatMap((p) => ['--project', p]),
      // A filter that selects nothing in one stack is no failure there.
      '--passWithNoTests',
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop();
      for (const line of lines) process.stdout.write(`[${name}] ${line}\n`);
    });
    stream.on('end', () => rest && process.stdout.write(`[${name}] ${rest}\n`));
  }
  const done = new Promise((resolve) => {
    child.on('error', (err) => resolve({ name, code: 1, error: String(err) }));
    child.on('close', (code) => {
      console.log(`[${name}] finished with exit code ${code} after ${seconds()} s`);
      resolve({ name, code: code ?? 1 });
    });
  });
  return { child, done };
});

// Stopped (Ctrl+C, CI's timeout): stop every run with its workers, so their
// global teardowns take their labs down.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const { child } of children) {
      try {
        process.kill(-child.pid, signal);
      } catch {
        /* already gone */
      }
    }
  });
}

const results = await Promise.all(children.map((c) => c.done));
const failed = results.filter((r) => r.code !== 0);
console.log(
  `test runs: ${results.map((r) => `${r.name} ${r.code === 0 ? 'passed' : 'FAILED'}`).join(', ')} (${seconds()} s)`,
);
process.exit(failed.length ? failed[0].code : 0);
