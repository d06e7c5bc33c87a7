// The cluster's CPU: libvirt on one node works out the model every member can
// run from all members' domcapabilities. The preflight shows it; the plan runs
// the same commands as visible steps and the cluster keeps the answer, which
// New VM then offers for guests that should migrate.
import type { CpuModel } from '../../../../shared/cluster';
import { ClusterdeckError } from '../../../../shared/errors';
import { CPU_BASELINE_ARGV, DOMCAPABILITIES_ARGV, parseCpuModel } from '../cpu';
import type { HostConnection } from '../../../hosts/connection';
import { quoteArgv } from '../../../ssh/quote';
import { commandReason } from '../../../wizards/plan';

async function run(conn: HostConnection, argv: readonly string[], stdin?: string) {
  const r = await conn.exec([...argv], {
    timeoutMs: 60_000,
    ...(stdin !== undefined ? { stdin } : {}),
  });
  if (r.code !== 0) {
    throw new ClusterdeckError(
      'command-failed',
      `${conn.config.name}: \`${quoteArgv([...argv])}\` said: ${commandReason(r.stderr, r.code)}.`,
    );
  }
  return r.stdout;
}

/** The baseline CPU of the given nodes, computed on the first of them. */
export async function clusterCpu(conns: readonly HostConnection[]): Promise<CpuModel> {
  const caps = await Promise.all(conns.map((c) => run(c, DOMCAPABILITIES_ARGV)));
  return parseCpuModel(await run(conns[0]!, CPU_BASELINE_ARGV, caps.join('\n')));
}
