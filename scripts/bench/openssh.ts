// The OpenSSH peers of the remote-command measures: `ssh` with a new
// connection per command, and through a ControlMaster.
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { quoteArgv } from '../../core/ssh/quote';
import { ms, type BenchContext } from './common';

export const FRESH = 'OpenSSH, new connection per command';
export const MASTER = 'OpenSSH ControlMaster';

/** Runs virsh commands one `ssh` each (`extra`: the ControlMaster's socket, or none); ms in all. */
export function timedOverSsh(ctx: BenchContext, extra: string[], runs: string[][]): number {
  const t = process.hrtime.bigint();
  for (const args of runs) {
    const virsh = quoteArgv(['virsh', '-c', 'qemu:///system', ...args]);
    const r = spawnSync('ssh', [...ctx.sshBase, ...extra, ctx.target, virsh], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ssh failed: ${r.stderr}`);
  }
  return ms(t);
}

/** A ControlMaster to the node for the duration of `use`, given its `ssh` options. */
export async function withControlMaster<T>(
  ctx: BenchContext,
  use: (extra: string[]) => Promise<T>,
): Promise<T> {
  const sock = join(ctx.tmp, 'cm.sock');
  execFileSync('ssh', [...ctx.sshBase, '-M', '-S', sock, '-f', '-N', ctx.target]);
  try {
    return await use(['-S', sock]);
  } finally {
    spawnSync('ssh', [...ctx.sshBase, '-S', sock, '-O', 'exit', ctx.target], { stdio: 'ignore' });
  }
}
