// New VM's plan on one node, with the checks an administrator would make
// first: the name, memory and CPUs against the node, the pools, the install
// medium, the network and the cluster's CPU model.
import type { CpuModel } from '../../shared/cluster';
import type { StoragePool } from '../../shared/model';
import { newVolumeProblem } from '../../shared/storage';
import { formatBytes } from '../../shared/units';
import { diskVolumeName, type VmSpec } from '../../shared/vm';
import { firmwareProblems, type FirmwareFacts } from '../../shared/osinfo';
import { isoProblem, namesOfUsers, volumeUsers } from '../../shared/volume-use';
import { onNode } from '../wizards/plan';
import type { ServiceContext } from './context';
import type { StepsPlan } from './planned-operation';

export function planVm(
  ctx: ServiceContext,
  hostId: string,
  spec: VmSpec,
  firmware?: FirmwareFacts,
): StepsPlan {
  const conn = ctx.connection(hostId);
  const node = conn.config.name;
  const host = ctx.store.get('hosts', hostId);
  if (host?.state !== 'connected') return { steps: [], problems: [`${node} is not connected.`] };
  const problems: string[] = [];
  const poolOf = (poolId: string, what: string) => {
    const p = ctx.store.get('pools', poolId);
    if (!p || p.hostId !== hostId) problems.push(`The pool for the ${what} is not on ${node}.`);
    else if (p.state !== 'running')
      problems.push(`${p.name} on ${node} is not running; start it first.`);
    return p && p.hostId === hostId ? p : undefined;
  };
  if (ctx.store.all('vms').some((v) => v.hostId === hostId && v.name === spec.name)) {
    problems.push(`${node} already has a VM named ${spec.name}.`);
  }
  const totalMiB = (host.info?.memoryKiB ?? 0) / 1024;
  if (totalMiB && spec.memoryMiB > totalMiB) {
    problems.push(
      `${spec.memoryMiB} MiB of memory is more than ${node} has (${Math.floor(totalMiB)} MiB).`,
    );
  }
  const cpus = host.info?.cpus ?? 0;
  if (cpus && spec.vcpus > cpus)
    problems.push(`${spec.vcpus} vCPUs is more than ${node}'s ${cpus} CPUs.`);
  if (spec.kvm && host.info?.virtualization !== 'kvm') {
    problems.push(`${node} has no KVM; untick hardware acceleration to run the guest emulated.`);
  }
  const pools: { disk?: StoragePool; iso?: StoragePool } = {};
  if (spec.disk.kind !== 'none') {
    const p = poolOf(spec.disk.poolId, 'disk');
    if (p) pools.disk = p;
    if (p && spec.disk.kind === 'new') {
      const formatProblem = newVolumeProblem(p, spec.disk.format);
      if (formatProblem) problems.push(formatProblem);
      // A pool that reports no capacity at all (Ceph without a manager) has an unknown size.
      if (p.capacity > 0 && spec.disk.bytes > p.available)
        problems.push(
          `${p.name} on ${node} has ${formatBytes(p.available)} free, less than the ${formatBytes(spec.disk.bytes)} disk.`,
        );
      const vol = diskVolumeName(spec.name, spec.disk.format);
      if (p.volumes.some((v) => v.name === vol))
        problems.push(`${p.name} on ${node} already has a volume ${vol}.`);
    }
    if (p && spec.disk.kind === 'existing') {
      const name = spec.disk.volume;
      const vol = p.volumes.find((v) => v.name === name);
      // Two guests writing one image corrupt it.
      const users = vol ? volumeUsers(p, vol, ctx.store.all('vms')) : [];
      if (!vol) problems.push(`${p.name} on ${node} has no volume ${name}.`);
      else if (users.length)
        problems.push(
          `${name} in ${p.name} on ${node} is already a disk of ${namesOfUsers(users)}.`,
        );
    }
  }
  if (spec.boot.kind === 'iso') {
    const p = poolOf(spec.boot.poolId, 'install medium');
    if (p) pools.iso = p;
    const name = spec.boot.volume;
    const vol = p?.volumes.find((v) => v.name === name);
    if (p && !vol) problems.push(`${p.name} on ${node} has no volume ${name}.`);
    const notIso = p && vol ? isoProblem(p, vol, ctx.store.all('vms')) : undefined;
    if (notIso) problems.push(`${notIso} Choose an ISO image as the install medium.`);
  }
  if (spec.network.kind === 'network') {
    const name = spec.network.name;
    const net = ctx.store.all('networks').find((n) => n.hostId === hostId && n.name === name);
    if (!net) problems.push(`${node} has no libvirt network named ${name}.`);
    else if (!net.active && spec.start)
      problems.push(`The network ${name} on ${node} is not active; the VM could not start on it.`);
  }
  if (spec.hardware && firmware) problems.push(...firmwareProblems(spec.hardware, firmware, node));
  let cpu: CpuModel | undefined;
  if (spec.kvm && spec.cpu === 'cluster') {
    cpu = ctx.store.all('clusters').find((c) => c.hostIds.includes(hostId))?.cpu;
    if (!cpu)
      problems.push(
        `${node} is in no cluster with a common CPU model; choose the node’s own CPU, or re-run New Cluster.`,
      );
  }
  const steps = onNode(conn, conn.getDriver().createVmSteps(spec, pools, cpu));
  return { steps, problems };
}
