// What the app reads of the node itself, beside its libvirt objects: memory
// as the kernel counts it, load counters for the Performance tab (node, disks,
// network, each VM), its network interfaces and libosinfo's OS list.
import { ClusterdeckError } from '../../../shared/errors';
import type { OsCatalog } from '../../../shared/osinfo';
import type { HostInterface } from '../../../shared/network';
import { quoteArgv } from '../../ssh/quote';
import type { NodeCounters, NodeMemory, VmCounters } from '../capabilities';
import { HOST_INTERFACES_ARGV, parseHostInterfaces } from './host-interfaces';
import { openShell, type LibvirtNode } from './node';
import { NODE_IO_ARGV, parseNodeIo } from './node-io';
import { OSINFO_ARGV, parseOsinfo } from './osinfo';
import { MEMINFO_ARGV, parseDomstats, parseMeminfo, parseNodeCpuStats } from './parse-stats';

export async function readMemory(node: LibvirtNode): Promise<NodeMemory> {
  const r = await node.session.run(MEMINFO_ARGV, { timeoutMs: 15_000 });
  if (r.code !== 0)
    throw new ClusterdeckError(
      'command-failed',
      `Reading /proc/meminfo on ${node.label} failed: ${r.stderr.trim()}`,
    );
  return parseMeminfo(r.stdout);
}

export async function readCounters(node: LibvirtNode): Promise<NodeCounters> {
  const shell = openShell(node);
  const at = Date.now();
  const [cpu, mem, dom, io] = await Promise.all([
    shell.run(['nodecpustats']),
    readMemory(node),
    shell.run([
      'domstats',
      '--state',
      '--cpu-total',
      '--balloon',
      '--vcpu',
      '--block',
      '--interface',
    ]),
    // virsh has no node-wide disk or network counters: the kernel's, through the open shell.
    node.session.run(NODE_IO_ARGV, { timeoutMs: 10_000 }),
  ]);
  const byName = parseDomstats(dom.ok ? dom.stdout : '');
  const vms = new Map<string, VmCounters>();
  for (const vm of node.store.all('vms')) {
    const c = vm.hostId === node.hostId ? byName.get(vm.name) : undefined;
    if (c) vms.set(vm.uuid, c);
  }
  return {
    at,
    cpu: parseNodeCpuStats(cpu.ok ? cpu.stdout : ''),
    mem,
    io: parseNodeIo(io.code === 0 ? io.stdout : ''),
    vms,
  };
}

export async function readHostInterfaces(
  node: LibvirtNode,
): Promise<{ command: string; interfaces: HostInterface[] }> {
  const command = quoteArgv(HOST_INTERFACES_ARGV);
  const r = await node.session.run(HOST_INTERFACES_ARGV, { timeoutMs: 15_000 });
  if (r.code !== 0)
    throw new ClusterdeckError(
      'command-failed',
      `${node.label}: \`${command}\` failed: ${r.stderr.trim() || `exit code ${r.code}`}.`,
    );
  return { command, interfaces: parseHostInterfaces(r.stdout) };
}

/** Over its own exec channel: ~600 kB of osinfo-db lines would hold the quick shell. */
export async function readOsCatalog(node: LibvirtNode): Promise<OsCatalog> {
  const r = await node.session.exec([...OSINFO_ARGV], { timeoutMs: 60_000 });
  if (r.code !== 0)
    throw new ClusterdeckError(
      'command-failed',
      `${node.label}: reading libosinfo's OS list failed: ${r.stderr.trim() || `exit code ${r.code}`}.`,
    );
  return parseOsinfo(r.stdout);
}
