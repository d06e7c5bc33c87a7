// The commands that create a VM: its disk (when new), its definition (the
// XML on stdin) and, when asked, its start.
import type { CpuModel } from '../../../shared/cluster';
import type { StoragePool, Vm } from '../../../shared/model';
import { diskVolumeName, type VmSpec } from '../../../shared/vm';
import type { DriverStep } from '../driver';
import { virshArgv } from './commands';
import { buildDomainXml, type VmStorage } from './domain-xml';

/** The pools a spec names, resolved on the node that gets the VM. */
export interface VmPools {
  disk?: StoragePool;
  iso?: StoragePool;
}

export function createVmSteps(spec: VmSpec, pools: VmPools, cpu?: CpuModel): DriverStep[] {
  const steps: DriverStep[] = [];
  const storage: VmStorage = {};
  if (spec.disk.kind === 'new' && pools.disk) {
    const volume = diskVolumeName(spec.name, spec.disk.format);
    steps.push({
      title: `Create the disk ${volume}`,
      argv: virshArgv([
        'vol-create-as',
        '--pool',
        pools.disk.uuid,
        '--name',
        volume,
        '--capacity',
        String(spec.disk.bytes),
        '--format',
        spec.disk.format,
      ]),
    });
    storage.disk = {
      pool: pools.disk.name,
      volume,
      format: spec.disk.format,
      ceph: pools.disk.ceph,
    };
  } else if (spec.disk.kind === 'existing' && pools.disk) {
    const vol = pools.disk.volumes.find((v) => v.name === (spec.disk as { volume: string }).volume);
    const format = vol?.name.endsWith('.qcow2') ? 'qcow2' : 'raw';
    storage.disk = {
      pool: pools.disk.name,
      volume: spec.disk.volume,
      format,
      ceph: pools.disk.ceph,
    };
  }
  if (spec.boot.kind === 'iso' && pools.iso) {
    storage.iso = { pool: pools.iso.name, volume: spec.boot.volume };
  }
  steps.push({
    title: `Define the VM ${spec.name}`,
    argv: virshArgv(['define', '--validate', '--file', '/dev/stdin']),
    stdin: buildDomainXml(spec, storage, cpu),
  });
  if (spec.start) {
    steps.push({ title: `Start ${spec.name}`, argv: virshArgv(['start', spec.name]) });
  }
  return steps;
}

/**
 * Removes a VM: forced off first when it runs, then undefined with its
 * snapshots' metadata and firmware variables, and the disks the user chose
 * (by target, e.g. vda) deleted with it.
 */
export function deleteVmSteps(vm: Vm, diskTargets: readonly string[]): DriverStep[] {
  const steps: DriverStep[] = [];
  if (vm.state !== 'shutoff') {
    steps.push({ title: `Force off ${vm.name}`, argv: virshArgv(['destroy', vm.uuid]) });
  }
  if (vm.persistent) {
    steps.push({
      title: diskTargets.length
        ? `Remove ${vm.name} and its disks ${diskTargets.join(', ')}`
        : `Remove ${vm.name} (its disks stay)`,
      argv: virshArgv([
        'undefine',
        vm.uuid,
        '--nvram',
        '--snapshots-metadata',
        ...(diskTargets.length ? ['--storage', diskTargets.join(',')] : []),
      ]),
    });
  }
  return steps;
}
