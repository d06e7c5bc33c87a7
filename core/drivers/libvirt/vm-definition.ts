// A VM's definition read and changed: its live and persistent XML, the
// settings editor's plan (the diff and the steps), the changes that act at
// once (vm-change.ts) and a clone's steps, each checked against this node's
// pools and networks in the inventory.
import { ClusterdeckError } from '../../../shared/errors';
import type { Vm } from '../../../shared/model';
import { newVolumeProblem, objectNameSchema } from '../../../shared/storage';
import type { VmSettings } from '../../../shared/vm';
import type { VmChange } from '../../../shared/vm-change';
import type { DriverStep, VmChangePlan } from '../capabilities';
import { virshArgv } from './commands';
import {
  cloneDomainXml,
  dataDisks,
  definitionDiff,
  editDomainXml,
  maskSecrets,
  normalizedXml,
  type DeviceAdds,
  type DiskCopies,
} from './domain-edit';
import type { DiskVolume } from './domain-xml';
import { openShell, type LibvirtNode } from './node';
import { parseKeyValues } from './parse';
import { createVolumeSteps } from './storage';
import { vmChangePlan } from './vm-change';

/**
 * A VM's definition as libvirt holds it now (its live one while it runs):
 * for what the guest needs of a node.
 */
export async function readDomainXml(node: LibvirtNode, vm: Vm): Promise<string> {
  const r = await openShell(node).run(['dumpxml', vm.uuid]);
  if (!r.ok) {
    throw new ClusterdeckError(
      'command-failed',
      `Could not read the definition of ${vm.name} on ${node.label}: ${r.stderr.trim()}`,
    );
  }
  return r.stdout;
}

/**
 * The persistent definition. --security-info keeps a VNC password in it, so a
 * redefinition keeps it too; the password is masked wherever the definition
 * is shown and travels only on stdin.
 */
async function definition(node: LibvirtNode, vm: Vm): Promise<string> {
  const r = await openShell(node).run(['dumpxml', '--inactive', '--security-info', vm.uuid]);
  if (!r.ok) {
    throw new ClusterdeckError(
      'command-failed',
      `Could not read the definition of ${vm.name} on ${node.label}: ${r.stderr.trim()}`,
    );
  }
  return r.stdout;
}

export async function vmSettingsPlan(
  node: LibvirtNode,
  vm: Vm,
  settings: VmSettings,
): Promise<{ diff: string; steps: DriverStep[] }> {
  const { adds, steps } = resolveAdds(node, vm, settings);
  const before = await definition(node, vm);
  const after = editDomainXml(before, settings, adds);
  if (after.trim() !== normalizedXml(before).trim()) {
    steps.push({
      title: `Redefine ${vm.name}`,
      argv: virshArgv(['define', '--validate', '--file', '/dev/stdin']),
      stdin: after,
      shownInput: maskSecrets(after),
    });
  }
  if (settings.autostart !== vm.autostart) {
    steps.push({
      title: settings.autostart
        ? `Start ${vm.name} with the node`
        : `Do not start ${vm.name} with the node`,
      argv: virshArgv(['autostart', ...(settings.autostart ? [] : ['--disable']), vm.uuid]),
    });
  }
  return { diff: definitionDiff(vm.name, before, after), steps };
}

/**
 * The pools and networks the settings' new devices name, checked on this
 * node, and the commands that make the new volumes first.
 */
function resolveAdds(
  node: LibvirtNode,
  vm: Vm,
  settings: VmSettings,
): { adds: DeviceAdds; steps: DriverStep[] } {
  const { store, hostId, label } = node;
  const problem = (text: string) => new ClusterdeckError('invalid-input', text);
  const steps: DriverStep[] = [];
  const disks = settings.addDisks.map((d): DiskVolume => {
    const pool = store.get('pools', d.poolId);
    if (!pool || pool.hostId !== hostId)
      throw problem(`The pool for a new disk of ${vm.name} is not on ${label}.`);
    if (pool.state !== 'running')
      throw problem(`${pool.name} on ${label} is not running; start it first.`);
    const existing = pool.volumes.find((v) => v.name === d.volume);
    if (d.create) {
      if (existing) throw problem(`${pool.name} on ${label} already has a volume ${d.volume}.`);
      const formatProblem = newVolumeProblem(pool, d.create.format);
      if (formatProblem) throw problem(formatProblem);
      if (!objectNameSchema.safeParse(d.volume).success)
        throw problem(`${d.volume} is not a valid volume name.`);
      steps.push(...createVolumeSteps(pool, d.volume, d.create.bytes, d.create.format));
      return { pool: pool.name, volume: d.volume, format: d.create.format, ceph: pool.ceph };
    }
    if (!existing) throw problem(`${pool.name} on ${label} has no volume ${d.volume}.`);
    const format = existing.format === 'qcow2' ? 'qcow2' : 'raw';
    return { pool: pool.name, volume: d.volume, format, ceph: pool.ceph };
  });
  for (const n of settings.addNics) {
    if (
      n.kind === 'network' &&
      !store.all('networks').some((x) => x.hostId === hostId && x.name === n.name)
    )
      throw problem(`${label} has no libvirt network named ${n.name}.`);
  }
  return { adds: { disks, nics: settings.addNics }, steps };
}

export async function planVmChange(
  node: LibvirtNode,
  vm: Vm,
  change: VmChange,
): Promise<VmChangePlan> {
  const mine = <T extends { hostId: string }>(x: T) => x.hostId === node.hostId;
  return vmChangePlan(vm, change, {
    node: node.label,
    pools: node.store.all('pools').filter(mine),
    vms: node.store.all('vms').filter(mine),
    ...(change.op === 'resize' ? { capacity: await diskCapacity(node, vm, change.target) } : {}),
  });
}

export async function diskCapacity(node: LibvirtNode, vm: Vm, target: string): Promise<number> {
  const r = await openShell(node).run(['domblkinfo', '--domain', vm.uuid, '--device', target]);
  const bytes = Number(parseKeyValues(r.stdout)['Capacity']);
  if (!r.ok || !Number.isFinite(bytes)) {
    throw new ClusterdeckError(
      'command-failed',
      `Could not read the size of ${target} of ${vm.name} on ${node.label}: ${r.stderr.trim() || 'no capacity in the answer'}`,
    );
  }
  return bytes;
}

export async function cloneVmSteps(node: LibvirtNode, vm: Vm, name: string): Promise<DriverStep[]> {
  const xml = await definition(node, vm);
  const pools = node.store.all('pools').filter((p) => p.hostId === node.hostId);
  const copies: DiskCopies = new Map();
  const steps: DriverStep[] = [];
  for (const d of dataDisks(xml)) {
    // The pool and volume holding the disk: named in the XML, or found by path.
    const pool = d.pool
      ? pools.find((p) => p.name === d.pool)
      : pools.find((p) => p.volumes.some((v) => v.path === d.file));
    const volume = d.volume ?? pool?.volumes.find((v) => v.path === d.file)?.name;
    if (!pool || !volume) {
      throw new ClusterdeckError(
        'unsupported',
        `${vm.name}'s disk ${d.target} (${d.file ?? d.volume ?? 'no source'}) is not a volume of a storage pool on ${node.label}; Clusterdeck copies disks through pools.`,
      );
    }
    const ext = /\.[A-Za-z0-9]+$/.exec(volume)?.[0] ?? '';
    const copy = `${name}-${d.target}${ext}`;
    copies.set(d.target, { pool: pool.name, volume: copy });
    steps.push({
      title: `Copy the disk ${d.target} as ${copy}`,
      argv: virshArgv(['vol-clone', '--pool', pool.uuid, '--vol', volume, '--newname', copy]),
    });
  }
  const cloneXml = cloneDomainXml(xml, name, copies);
  steps.push({
    title: `Define the clone ${name}`,
    argv: virshArgv(['define', '--validate', '--file', '/dev/stdin']),
    stdin: cloneXml,
    shownInput: maskSecrets(cloneXml),
  });
  return steps;
}
