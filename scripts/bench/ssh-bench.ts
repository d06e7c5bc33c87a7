// Remote commands: Clusterdeck's persistent virsh (and its open shell for
// other short reads) against OpenSSH with a connection per command and
// against OpenSSH ControlMaster.
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { probeNode } from '../../core/drivers/detect';
import { LibvirtDriver } from '../../core/drivers/libvirt/driver';
import { VirshShell } from '../../core/drivers/libvirt/virsh-shell';
import { InventoryStore } from '../../core/inventory/store';
import { quoteArgv } from '../../core/ssh/quote';
import { mean, measure, ms, type BenchContext, type Measure } from './common';

const FRESH = 'OpenSSH, new connection per command';
const MASTER = 'OpenSSH ControlMaster';

export async function benchSsh(ctx: BenchContext): Promise<Measure[]> {
  // An inventory load is measured from the SSH connect on, like the peers'
  // per-command connects.
  const loadInventory = async () => {
    const t = process.hrtime.bigint();
    const s = await ctx.connect();
    const probe = await probeNode(s);
    const driver = new LibvirtDriver(s, 'bench', new InventoryStore(), probe, () => undefined);
    await driver.start();
    const took = ms(t);
    driver.stop();
    s.close();
    return took;
  };
  // The commands a load runs, recorded so the peers replay exactly them.
  const commands: string[][] = [];
  const origRun = VirshShell.prototype.run;
  VirshShell.prototype.run = function (argv, timeoutMs) {
    commands.push([...argv]);
    return origRun.call(this, argv, timeoutMs);
  };
  await loadInventory(); // warms libvirtd's caches for every side alike
  VirshShell.prototype.run = origRun;
  const loadCommands = commands.filter((c) => c[0] !== 'uri');
  const loads: number[] = [];
  for (let i = 0; i < 5; i++) loads.push(await loadInventory());
  const cdInventory = mean(loads);

  const session = await ctx.connect();
  const shell = await VirshShell.open(session, 'qemu:///system');
  const N = 300;
  for (let i = 0; i < 20; i++) await shell.run(['domstate', 'lab-tiny-1']);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) await shell.run(['domstate', 'lab-tiny-1']);
  const cdPerCommand = ms(t0) / N;
  shell.close();
  const READ = ['cat', '/proc/meminfo'];
  for (let i = 0; i < 10; i++) await session.run(READ);
  const t1 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) await session.run(READ);
  const cdPerRead = ms(t1) / N;
  session.close();

  const virsh = (args: string[]) => quoteArgv(['virsh', '-c', 'qemu:///system', ...args]);
  const runSsh = (extra: string[], args: string[]) => {
    const r = spawnSync('ssh', [...ctx.sshBase, ...extra, ctx.target, virsh(args)], {
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`ssh failed: ${r.stderr}`);
  };
  const timed = (extra: string[], runs: string[][]) => {
    const t = process.hrtime.bigint();
    for (const c of runs) runSsh(extra, c);
    return ms(t);
  };
  const M = 15;
  const domstate = Array.from({ length: M }, () => ['domstate', 'lab-tiny-1']);
  const freshPerCommand = timed([], domstate) / M;
  const freshInventory = timed([], loadCommands);

  const sock = join(ctx.tmp, 'cm.sock');
  execFileSync('ssh', [...ctx.sshBase, '-M', '-S', sock, '-f', '-N', ctx.target]);
  const cm = ['-S', sock];
  try {
    timed(cm, domstate.slice(0, 3));
    const cmPerCommand = timed(cm, [...domstate, ...domstate]) / (2 * M);
    const cmInventory = timed(cm, loadCommands);
    const t2 = process.hrtime.bigint();
    for (let i = 0; i < 2 * M; i++) {
      const r = spawnSync('ssh', [...ctx.sshBase, ...cm, ctx.target, quoteArgv(READ)]);
      if (r.status !== 0) throw new Error(`ssh failed: ${String(r.stderr)}`);
    }
    const cmPerRead = ms(t2) / (2 * M);
    const load = `full inventory load (${loadCommands.length} virsh commands)`;
    return [
      measure('virsh command, mean', 'ms', cdPerCommand, FRESH, freshPerCommand),
      measure('virsh command, mean', 'ms', cdPerCommand, MASTER, cmPerCommand),
      measure(load, 'ms', cdInventory, FRESH, freshInventory),
      measure(load, 'ms', cdInventory, MASTER, cmInventory),
      measure('short read (cat /proc/meminfo), mean', 'ms', cdPerRead, MASTER, cmPerRead),
    ];
  } finally {
    spawnSync('ssh', [...ctx.sshBase, '-S', sock, '-O', 'exit', ctx.target], { stdio: 'ignore' });
  }
}
