// What a move asks of the nodes: the guest's needs (CPU, boot files) from its
// definition, whether a node runs that CPU (hypervisor-cpu-compare) and the
// running move's progress (domjobinfo), all through the open virsh.
import type { Vm } from '../../../shared/model';
import type { GuestNeeds, MigrationProgress } from '../capabilities';
import { PRIVATE_FILE_ARGV, cpuRuns } from './cpu';
import { guestNeeds } from './guest-needs';
import { openShell, type LibvirtNode } from './node';
import { parseDomjobinfo } from './parse-stats';
import { readDomainXml } from './vm-definition';

/** The guest's CPU and boot files, from its live definition. */
export async function readGuestNeeds(node: LibvirtNode, vm: Vm): Promise<GuestNeeds> {
  const xml = await readDomainXml(node, vm);
  const { cpu, bootFiles } = guestNeeds(xml);
  const host = cpu.mode === 'host-passthrough' || cpu.mode === 'maximum';
  return {
    cpu: { kind: host ? 'host' : 'named', model: host ? cpu.mode : cpu.model || cpu.mode },
    bootFiles,
    cpuDescription: xml,
  };
}

/** Asks hypervisor-cpu-compare with the guest's definition (cpuDescription). */
export async function nodeRunsCpu(
  node: LibvirtNode,
  needs: GuestNeeds,
): Promise<boolean | undefined> {
  const domainXml = needs.cpuDescription;
  const shell = openShell(node);
  // The open virsh reads no stdin, so the document goes to a private file
  // first, through the open shell: no new exec channel or virsh process.
  const made = await node.session.run([...PRIVATE_FILE_ARGV], {
    stdin: domainXml,
    timeoutMs: 15_000,
  });
  const file = made.stdout.trim();
  if (made.code !== 0 || !file.startsWith('/')) return undefined;
  try {
    const r = await shell.run(['hypervisor-cpu-compare', file]);
    return r.ok || /incompatible/i.test(r.stdout) ? cpuRuns(r.stdout) : undefined;
  } finally {
    void node.session.run(['rm', '-f', '--', file], { timeoutMs: 15_000 }).catch(() => undefined);
  }
}

/** Through the node's open virsh: a new exec each second would slow the move. */
export async function readMigration(
  node: LibvirtNode,
  vm: Vm,
): Promise<MigrationProgress | undefined> {
  const r = await node.shell?.run(['domjobinfo', vm.uuid], 10_000);
  return r?.ok ? parseDomjobinfo(r.stdout) : undefined;
}
