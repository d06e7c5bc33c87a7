// `npm run bench`: Clusterdeck side by side with what an administrator
// would otherwise use, against the same lab node in one run. Prints a table
// of ratios; with BENCH_JSON=<file> also writes the figures as JSON, and
// BENCH_ONLY=ssh,inventory,console,upload,migration,scale,ganeti,ha,pve runs
// only the parts named (ssh includes inventory: a node with 100 guests; scale
// is 10 nodes with 100 guests each, 1,000 VMs, in Chromium through the
// browser shell, and needs a 10-node lab: it starts one when none is up;
// ganeti, ha and pve need no libvirt lab: each starts its own lab when it is
// not up). The table's title says whether the lab ran with KVM or TCG.
// BENCH_RUNS=N runs the parts N times in turn and prints each measure's
// median with the spread (lowest and highest ratio) of the N runs.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { benchContext, median, type LabJson, type Measure } from './bench/common';
import { benchConsole } from './bench/console-bench';
import { runConsolePage } from './bench/console-page';
import { benchSsh } from './bench/ssh-bench';
import { benchInventory } from './bench/inventory-bench';
import { benchUpload } from './bench/upload-bench';
import { benchMigration } from './bench/migration-bench';
import { benchGaneti } from './bench/ganeti-bench';
import { benchHa } from './bench/ha-bench';
import { benchPve } from './bench/pve-bench';
import { benchScale } from './bench/scale-bench';

const repo = resolve(__dirname, '..', '..');
const labDir = process.env['LAB_DIR'] ?? join(repo, '.lab');
const labScript = join(repo, 'scripts', 'lab');
const env = { ...process.env, LAB_DIR: labDir };

/** Each measure's median over the runs (by name and peer), with its ratios' range. */
function summarize(runs: Measure[][]): (Measure & { spread?: [number, number] })[] {
  if (runs.length === 1) return runs[0]!;
  const key = (m: Measure) => `${m.name}\u0000${m.peer}`;
  return runs[0]!.map((first) => {
    const same = runs.flatMap((r) => r.filter((m) => key(m) === key(first)));
    const ratios = same.map((m) => m.ratio);
    return {
      ...first,
      clusterdeck: median(same.map((m) => m.clusterdeck)),
      peerValue: median(same.map((m) => m.peerValue)),
      ratio: median(ratios),
      spread: [Math.min(...ratios), Math.max(...ratios)] as [number, number],
    };
  });
}

function printTable(title: string, runs: Measure[][]): void {
  const measures = summarize(runs);
  const many = runs.length > 1;
  const rows = measures.map((m) => [
    m.name,
    `${m.clusterdeck.toFixed(2)} ${m.unit}`,
    m.peer,
    // A figure with no peer (solo()) leaves the peer's columns empty.
    Number.isNaN(m.peerValue) ? '' : `${m.peerValue.toFixed(2)} ${m.unit}`,
    Number.isNaN(m.ratio) ? '' : `${m.ratio.toFixed(3)}x`,
    ...(many && 'spread' in m && m.spread && !Number.isNaN(m.ratio)
      ? [`${m.spread[0].toFixed(3)}x–${m.spread[1].toFixed(3)}x`]
      : []),
  ]);
  const head = [
    'measure',
    'Clusterdeck',
    'peer',
    'peer value',
    'ratio',
    ...(many ? [`ratio range, ${runs.length} runs`] : []),
  ];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  process.stdout.write(`${title}\n${line(head)}\n`);
  for (const r of rows) process.stdout.write(line(r) + '\n');
  process.stdout.write(
    `(ratio = Clusterdeck / peer${many ? ', each figure the median of the runs' : ''}: below 1 is better for times (ms, s), above 1 for MiB/s)\n`,
  );
}

async function main(): Promise<void> {
  const only = process.env['BENCH_ONLY']?.split(',');
  const part = (name: string) => !only || only.includes(name);
  const libvirt = ['ssh', 'inventory', 'console', 'upload', 'migration', 'scale'].some(part);
  let startedLab = false;
  if (libvirt && !existsSync(join(labDir, 'lab.json'))) {
    // The scale case needs 10 nodes; the other parts use the first two of them.
    const count = part('scale') ? '10' : '2';
    process.stderr.write(`bench: starting ${count} lab nodes…\n`);
    execFileSync(labScript, ['up', count], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    startedLab = true;
  }
  const tmp = mkdtempSync(join(tmpdir(), 'clusterdeck-bench-'));
  const runCount = Math.max(1, Number(process.env['BENCH_RUNS'] ?? 1) || 1);
  try {
    const runs: Measure[][] = [];
    const stacks = { ganeti: 'Ganeti', ha: 'HA', pve: 'Proxmox VE' };
    const times = runCount > 1 ? `${runCount} runs` : 'one run';
    let title = `${Object.entries(stacks)
      .filter(([p]) => part(p))
      .map(([, name]) => name)
      .join(' and ')} lab, ${times}:`;
    let pveNote = false;
    for (let run = 1; run <= runCount; run++) {
      if (runCount > 1) process.stderr.write(`bench: run ${run} of ${runCount}\n`);
      const measures: Measure[] = [];
      if (libvirt) {
        const lab = JSON.parse(readFileSync(join(labDir, 'lab.json'), 'utf8')) as LabJson;
        const ctx = benchContext(lab, tmp, join(labDir, 'known_hosts'));
        const mode = lab.kvm ? 'guests under KVM' : 'guests under TCG (no KVM)';
        title = `Node ${ctx.node.name} (${ctx.node.host}), ${mode}, ${times}:`;
        if (part('ssh')) measures.push(...(await benchSsh(ctx)));
        if (part('ssh') || part('inventory')) measures.push(...(await benchInventory(ctx)));
        if (part('console')) measures.push(...(await benchConsole(ctx)));
        if (part('upload')) measures.push(...(await benchUpload(ctx)));
        if (part('migration')) measures.push(...(await benchMigration(ctx, labScript)));
        if (part('scale'))
          measures.push(
            ...(await benchScale(repo, lab, tmp, join(labDir, 'known_hosts'), startedLab)),
          );
      }
      // The Ganeti lab (started here when it is not up) in the same run.
      if (part('ganeti')) measures.push(...(await benchGaneti(repo, tmp)));
      // The HA lab (the same): failover time after a node's power loss.
      if (part('ha')) measures.push(...(await benchHa(repo, tmp)));
      // The Proxmox lab (the same): the cluster's view, a start, the idle cost.
      if (part('pve')) {
        const pve = await benchPve(repo, tmp);
        measures.push(...pve);
        pveNote ||= pve.length > 0;
      }
      runs.push(measures);
    }
    if (pveNote)
      title +=
        " PVE rows: the node side is the lab's simulator (Node.js) and its Node stand-ins for pvesh and qm, not Proxmox's Perl pveproxy and pvesh (no Perl API tree loaded per pvesh): absolute figures are the lab's.";
    printTable(title, runs);
    if (process.env['BENCH_JSON']) {
      writeFileSync(
        process.env['BENCH_JSON'],
        JSON.stringify(runCount > 1 ? { runs, summary: summarize(runs) } : runs[0], null, 2),
      );
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    if (startedLab) execFileSync(labScript, ['down'], { env, stdio: 'ignore' });
  }
}

// The console bench forks this script as its page-and-display process.
void runConsolePage().then((isPage) => {
  if (isPage) return;
  main().catch((err: unknown) => {
    process.stderr.write(`bench failed: ${(err as Error).message}\n`);
    process.exit(1);
  });
});
