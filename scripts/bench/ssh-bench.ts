// Remote commands: Clusterdeck's persistent virsh (and its open shell for
// other short reads) against OpenSSH with a connection per command and
// against OpenSSH ControlMaster, and the full inventory load of the node.
import { spawnSync } from 'node:child_process';
import { VirshShell } from '../../core/drivers/libvirt/virsh-shell';
import { quoteArgv } from '../../core/ssh/quote';
import { measure, ms, type BenchContext, type Measure } from './common';
import { measureInventory } from './inventory-load';
import { FRESH, MASTER, timedOverSsh, withControlMaster } from './openssh';

export async function benchSsh(ctx: BenchContext): Promise<Measure[]> {
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

  const timed = (extra: string[], runs: string[][]) => timedOverSsh(ctx, extra, runs);
  const M = 15;
  const domstate = Array.from({ length: M }, () => ['domstate', 'lab-tiny-1']);
  const freshPerCommand = timed([], domstate) / M;

  const perCommand = await withControlMaster(ctx, async (cm) => {
    timed(cm, domstate.slice(0, 3));
    const cmPerCommand = timed(cm, [...domstate, ...domstate]) / (2 * M);
    const t2 = process.hrtime.bigint();
    for (let i = 0; i < 2 * M; i++) {
      const r = spawnSync('ssh', [...ctx.sshBase, ...cm, ctx.target, quoteArgv(READ)]);
      if (r.status !== 0) throw new Error(`ssh failed: ${String(r.stderr)}`);
    }
    const cmPerRead = ms(t2) / (2 * M);
    return [
      measure('virsh command, mean', 'ms', cdPerCommand, FRESH, freshPerCommand),
      measure('virsh command, mean', 'ms', cdPerCommand, MASTER, cmPerCommand),
      measure('short read (cat /proc/meminfo), mean', 'ms', cdPerRead, MASTER, cmPerRead),
    ];
  });
  // The node as the lab made it (a few guests); inventory-bench.ts has the one with 100.
  return [...perCommand, ...(await measureInventory(ctx, 'full inventory load'))];
}
