// One function per libvirt storage operation, each returning the exact virsh
// commands it takes. A volume's name, which may come from any file on the
// node, goes after its option (`--vol NAME`), never as a bare word: virsh
// reads a word starting with `--` as an option even when quoted. Pool names
// stand bare only where the wizard checked them (a letter or digit first). Documents go on stdin (`--file /dev/stdin`), so neither
// XML nor a Ceph key ever appears in a command line, a log or `ps`.
import { createHash } from 'node:crypto';
import type { StoragePool } from '../../../shared/model';
import type { PoolAction, PoolSpec } from '../../../shared/storage';
import type { DriverStep } from '../driver';
import { virshArgv } from './commands';
import { buildCephSecretXml, buildPoolXml } from './pool-xml';

/** The same secret UUID on every run for a pool name, so a re-run updates rather than duplicates. */
export function cephSecretUuid(poolName: string): string {
  const h = createHash('sha256').update(`clusterdeck/ceph-secret/${poolName}`).digest('hex');
  // Shaped as a version 4 UUID (libvirt checks only the shape).
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Types whose `pool-build` prepares something: a folder, a volume group, a zpool. */
function needsBuild(spec: PoolSpec): boolean {
  if (spec.type === 'dir' || spec.type === 'netfs') return true;
  if (spec.type === 'logical' || spec.type === 'zfs') return spec.devices.length > 0;
  return false;
}

export function createPoolSteps(spec: PoolSpec): DriverStep[] {
  const steps: DriverStep[] = [];
  let secretUuid: string | undefined;
  if (spec.type === 'rbd' && spec.user && spec.key) {
    secretUuid = cephSecretUuid(spec.name);
    steps.push(
      {
        title: 'Store the cephx key as a libvirt secret',
        argv: virshArgv(['secret-define', '--file', '/dev/stdin']),
        stdin: buildCephSecretXml(secretUuid, spec.name),
        undoStep: {
          title: 'Remove the libvirt secret',
          argv: virshArgv(['secret-undefine', secretUuid]),
        },
      },
      {
        title: 'Set the secret’s value',
        argv: virshArgv(['secret-set-value', secretUuid, '--file', '/dev/stdin']),
        stdin: spec.key,
        shownInput: '(the cephx key, sent on standard input)',
      },
    );
  }
  steps.push({
    title: 'Define the pool',
    argv: virshArgv(['pool-define', '--validate', '--file', '/dev/stdin']),
    stdin: buildPoolXml(spec, secretUuid),
    undoStep: {
      title: 'Remove the pool’s definition',
      argv: virshArgv(['pool-undefine', spec.name]),
    },
  });
  if (needsBuild(spec)) {
    steps.push({ title: 'Build the pool', argv: virshArgv(['pool-build', spec.name]) });
  }
  steps.push(
    {
      title: 'Start the pool',
      argv: virshArgv(['pool-start', spec.name]),
      undoStep: { title: 'Stop the pool', argv: virshArgv(['pool-destroy', spec.name]) },
    },
    { title: 'Start it with the node', argv: virshArgv(['pool-autostart', spec.name]) },
  );
  return steps;
}

export function poolActionSteps(pool: StoragePool, action: PoolAction): DriverStep[] {
  const u = pool.uuid;
  const stopFirst: DriverStep[] =
    pool.state === 'running'
      ? [{ title: 'Stop the pool', argv: virshArgv(['pool-destroy', u]) }]
      : [];
  switch (action) {
    case 'start':
      return [{ title: 'Start the pool', argv: virshArgv(['pool-start', u]) }];
    case 'stop':
      return [{ title: 'Stop the pool', argv: virshArgv(['pool-destroy', u]) }];
    case 'refresh':
      return [{ title: 'Refresh the pool', argv: virshArgv(['pool-refresh', u]) }];
    case 'autostart':
      return [{ title: 'Start it with the node', argv: virshArgv(['pool-autostart', u]) }];
    case 'no-autostart':
      return [
        {
          title: 'Do not start it with the node',
          argv: virshArgv(['pool-autostart', '--disable', u]),
        },
      ];
    case 'undefine':
      return [
        ...stopFirst,
        { title: 'Remove the definition', argv: virshArgv(['pool-undefine', u]) },
      ];
    case 'delete':
      return [
        ...stopFirst,
        { title: 'Delete the pool’s storage', argv: virshArgv(['pool-delete', u]) },
        { title: 'Remove the definition', argv: virshArgv(['pool-undefine', u]) },
      ];
  }
}

/** libvirt sends no event for volume changes: a pool refresh announces them. */
const refresh = (pool: StoragePool): DriverStep => ({
  title: 'Refresh the pool',
  argv: virshArgv(['pool-refresh', pool.uuid]),
});

export function createVolumeSteps(
  pool: StoragePool,
  name: string,
  bytes: number,
  format: string,
): DriverStep[] {
  const formatArgs = pool.type === 'dir' || pool.type === 'netfs' ? ['--format', format] : [];
  return [
    {
      title: `Create the volume ${name}`,
      argv: virshArgv([
        'vol-create-as',
        '--pool',
        pool.uuid,
        '--name',
        name,
        '--capacity',
        String(bytes),
        ...formatArgs,
      ]),
    },
    refresh(pool),
  ];
}

export function deleteVolumeSteps(pool: StoragePool, name: string): DriverStep[] {
  return [
    {
      title: `Delete the volume ${name}`,
      argv: virshArgv(['vol-delete', '--pool', pool.uuid, '--vol', name]),
    },
    refresh(pool),
  ];
}

export function resizeVolumeSteps(pool: StoragePool, name: string, bytes: number): DriverStep[] {
  return [
    {
      title: `Resize the volume ${name}`,
      argv: virshArgv([
        'vol-resize',
        '--pool',
        pool.uuid,
        '--vol',
        name,
        '--capacity',
        String(bytes),
      ]),
    },
    refresh(pool),
  ];
}

export function cloneVolumeSteps(pool: StoragePool, name: string, newName: string): DriverStep[] {
  return [
    {
      title: `Clone ${name} as ${newName}`,
      argv: virshArgv(['vol-clone', '--pool', pool.uuid, '--vol', name, '--newname', newName]),
    },
    refresh(pool),
  ];
}
