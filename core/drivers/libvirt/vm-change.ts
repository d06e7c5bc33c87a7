// The commands of a VM change that acts at once (shared/vm-change.ts): the
// CD/DVD medium (`change-media`), a disk's size (`blockresize` while the VM
// runs, `vol-resize` through its pool when it is off), a NIC's link
// (`domif-setlink`) and the notes (`desc`). A running VM is changed live and
// in its definition, so the change outlasts a restart; a shut-off one in its
// definition. Every name from the node is an option's value (--path,
// --interface, --vol), never a bare word virsh could read as an option, and
// the notes travel on standard input. Each step that can be taken back says
// how (the medium put back, the link set back, the old notes).
import type { StoragePool, Vm } from '../../../shared/model';
import type { VmChange } from '../../../shared/vm-change';
import { formatBytes } from '../../../shared/units';
import { isoProblem } from '../../../shared/volume-use';
import type { DriverStep } from '../capabilities';
import { LIBVIRT_URI, virshArgv } from './commands';
import { resizeVolumeSteps } from './storage';

/** What a plan needs of the node besides the VM: its pools and VMs, and the disk's size now. */
export interface ChangeContext {
  node: string;
  pools: readonly StoragePool[];
  vms: readonly Vm[];
  /** The disk's capacity in bytes (domblkinfo), for a resize. */
  capacity?: number;
}

export interface ChangePlan {
  steps: DriverStep[];
  problems: string[];
  /** When and how the change takes effect, in the user's terms. */
  note?: string;
}

/** libvirt's inactive states: only the definition can change. */
const isOff = (vm: Vm) => vm.state === 'shutoff' || vm.state === 'crashed';

/** --live for what runs, --config for what outlasts it (a transient VM has no definition). */
export function scopeFlags(vm: Vm): string[] {
  if (isOff(vm)) return ['--config'];
  return vm.persistent ? ['--live', '--config'] : ['--live'];
}

function when(vm: Vm, what: string): string {
  if (isOff(vm)) return `${vm.name} is shut off: ${what} is written to its definition.`;
  return vm.persistent
    ? `${vm.name} is running: ${what} takes effect now and stays in its definition.`
    : `${vm.name} is running and has no definition: ${what} lasts until it stops.`;
}

export function vmChangePlan(vm: Vm, change: VmChange, cx: ChangeContext): ChangePlan {
  switch (change.op) {
    case 'media':
      return mediaPlan(vm, change, cx);
    case 'resize':
      return resizePlan(vm, change, cx);
    case 'link':
      return linkPlan(vm, change);
    case 'description':
      return descriptionPlan(vm, change.text);
  }
}

function mediaArgv(vm: Vm, target: string, path: string | undefined): string[] {
  return virshArgv([
    'change-media',
    '--domain',
    vm.uuid,
    '--path',
    target,
    ...(path ? ['--source', path, '--update'] : ['--eject']),
    ...scopeFlags(vm),
  ]);
}

function mediaPlan(
  vm: Vm,
  change: Extract<VmChange, { op: 'media' }>,
  cx: ChangeContext,
): ChangePlan {
  const drive = vm.disks.find((d) => d.target === change.target);
  if (!drive || (drive.device !== 'cdrom' && drive.device !== 'floppy')) {
    return { steps: [], problems: [`${vm.name} has no CD/DVD drive ${change.target}.`] };
  }
  // Where the medium in the drive is now, as a path change-media can put back.
  const nowPath = drive.pool
    ? cx.pools.find((p) => p.name === drive.pool)?.volumes.find((v) => v.name === drive.source)
        ?.path
    : drive.source || undefined;
  const back = (): DriverStep => ({
    title: nowPath
      ? `Put ${nowPath} back into ${change.target} of ${vm.name}`
      : `Eject the medium from ${change.target} of ${vm.name}`,
    argv: mediaArgv(vm, change.target, nowPath),
  });
  if (!change.source) {
    if (!drive.source) return { steps: [], problems: [`${change.target} of ${vm.name} is empty.`] };
    return {
      steps: [
        {
          title: `Eject ${drive.source} from ${change.target} of ${vm.name}`,
          argv: mediaArgv(vm, change.target, undefined),
          undoStep: back(),
        },
      ],
      problems: [],
      note: when(vm, 'the eject'),
    };
  }
  const pool = cx.pools.find((p) => p.id === change.source!.poolId);
  const volume = pool?.volumes.find((v) => v.name === change.source!.volume);
  const problems: string[] = [];
  if (!pool) problems.push(`The pool of the medium is not on ${cx.node}.`);
  else if (pool.state !== 'running')
    problems.push(`${pool.name} on ${cx.node} is not running; start it first.`);
  else if (!volume)
    problems.push(`${pool.name} on ${cx.node} has no volume ${change.source.volume}.`);
  else if (!volume.path.startsWith('/'))
    problems.push(`${pool.name} is a ${pool.type} pool: a CD/DVD drive takes a file on the node.`);
  else {
    const notIso = isoProblem(pool, volume, cx.vms);
    if (notIso) problems.push(`${notIso} Choose an ISO image.`);
    else if (volume.path === nowPath)
      problems.push(`${volume.name} is already in ${change.target} of ${vm.name}.`);
  }
  if (problems.length || !volume) return { steps: [], problems };
  return {
    steps: [
      {
        title: `Insert ${volume.name} into ${change.target} of ${vm.name}`,
        argv: mediaArgv(vm, change.target, volume.path),
        undoStep: back(),
      },
    ],
    problems: [],
    note: when(vm, 'the new medium'),
  };
}

function resizePlan(
  vm: Vm,
  change: Extract<VmChange, { op: 'resize' }>,
  cx: ChangeContext,
): ChangePlan {
  const disk = vm.disks.find((d) => d.target === change.target);
  const fail = (p: string): ChangePlan => ({ steps: [], problems: [p] });
  if (!disk || disk.device !== 'disk') return fail(`${vm.name} has no disk ${change.target}.`);
  if (disk.readonly) return fail(`${change.target} of ${vm.name} is read-only.`);
  const now = cx.capacity;
  if (now === undefined) return fail(`The size of ${change.target} of ${vm.name} is not known.`);
  // Shrinking would cut off the end of the guest's filesystem or partition.
  if (change.bytes < now)
    return fail(
      `A disk only grows: ${change.target} is ${formatBytes(now)}, more than ${formatBytes(change.bytes)}. Shrinking would cut off the data at its end.`,
    );
  if (change.bytes === now) return fail(`${change.target} is already ${formatBytes(now)}.`);
  const growth = `${change.target} grows from ${formatBytes(now)} to ${formatBytes(change.bytes)}`;
  if (!isOff(vm)) {
    return {
      steps: [
        {
          title: `Grow ${change.target} of ${vm.name} to ${formatBytes(change.bytes)}`,
          argv: virshArgv([
            'blockresize',
            '--domain',
            vm.uuid,
            '--path',
            change.target,
            '--size',
            `${change.bytes}B`,
          ]),
        },
      ],
      problems: [],
      note: `${vm.name} is running: ${growth} now; the guest then extends its partition and filesystem. A disk cannot be shrunk back.`,
    };
  }
  // Off, the image is resized by its pool, which knows its format.
  const pool = disk.pool
    ? cx.pools.find((p) => p.name === disk.pool)
    : cx.pools.find((p) => p.volumes.some((v) => v.path === disk.source));
  const volume = disk.pool ? disk.source : pool?.volumes.find((v) => v.path === disk.source)?.name;
  if (!pool || !volume)
    return fail(
      `${change.target} of ${vm.name} (${disk.source || 'no source'}) is not a volume of a storage pool on ${cx.node}; a shut-off VM's disk is resized through its pool.`,
    );
  if (pool.state !== 'running')
    return fail(`${pool.name} on ${cx.node} is not running; start it first.`);
  const [resize, refresh] = resizeVolumeSteps(pool, volume, change.bytes);
  return {
    steps: [
      { ...resize!, title: `Grow ${volume} in ${pool.name} to ${formatBytes(change.bytes)}` },
      refresh!,
    ],
    problems: [],
    note: `${vm.name} is shut off: ${growth} through ${pool.name}; the guest extends its partition and filesystem at its next start. A disk cannot be shrunk back.`,
  };
}

function linkArgv(vm: Vm, mac: string, state: 'up' | 'down', config: boolean): string[] {
  return virshArgv([
    'domif-setlink',
    '--domain',
    vm.uuid,
    '--interface',
    mac,
    '--state',
    state,
    ...(config ? ['--config'] : []),
  ]);
}

function linkPlan(vm: Vm, change: Extract<VmChange, { op: 'link' }>): ChangePlan {
  const nic = vm.nics.find((n) => n.mac === change.mac);
  if (!nic) return { steps: [], problems: [`${vm.name} has no network interface ${change.mac}.`] };
  const now = nic.link ?? 'up';
  if (now === change.state)
    return { steps: [], problems: [`The link of ${change.mac} is already ${now}.`] };
  // domif-setlink changes the running VM, or with --config its definition: one each.
  const scopes = isOff(vm) ? [true] : vm.persistent ? [false, true] : [false];
  const steps = scopes.map((config): DriverStep => ({
    title: `Set the link of ${change.mac} ${change.state}${config ? ' in the definition' : ''}`,
    argv: linkArgv(vm, change.mac, change.state, config),
    undoStep: {
      title: `Set the link of ${change.mac} ${now}${config ? ' in the definition' : ''}`,
      argv: linkArgv(vm, change.mac, now, config),
    },
  }));
  return { steps, problems: [], note: when(vm, `the link ${change.state}`) };
}

/**
 * `virsh desc` with the text as --new-desc's value read from standard input:
 * several lines pass (a command line cannot carry them), and a text such as
 * `--help` stays text, being an option's value.
 */
export function descriptionArgv(vm: Vm): string[] {
  const flags = scopeFlags(vm).join(' ');
  return [
    'sh',
    '-c',
    `exec virsh -c ${LIBVIRT_URI} desc --domain "$1" ${flags} --new-desc "$(cat)"`,
    'desc',
    vm.uuid,
  ];
}

function descriptionPlan(vm: Vm, text: string): ChangePlan {
  const before = vm.description ?? '';
  // The node keeps no trailing line breaks ($(cat) drops them): compare as it will.
  const next = text.replace(/\n+$/, '');
  if (next === before.replace(/\n+$/, ''))
    return { steps: [], problems: [`The notes of ${vm.name} are unchanged.`] };
  const step = (t: string, title: string): DriverStep => ({
    title,
    argv: descriptionArgv(vm),
    stdin: t,
    shownInput: t || '(no notes)',
  });
  return {
    steps: [
      {
        ...step(next, next ? `Write the notes of ${vm.name}` : `Clear the notes of ${vm.name}`),
        undoStep: step(before, `Put back the earlier notes of ${vm.name}`),
      },
    ],
    problems: [],
    note: when(vm, 'the notes'),
  };
}
