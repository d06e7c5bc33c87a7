// Edit settings on Ganeti: memory (backend parameters maxmem/minmem), vCPUs,
// a NIC's link, new NICs (`gnt-instance modify`, one job) and disks grown
// (`gnt-instance grow-disk --absolute`, one job per disk). The review lists
// each change before → after from what the master says now, and which take
// effect only at the VM's next start: Ganeti applies backend parameters and
// NIC changes (without hotplug) when the instance next starts.
import type { InstanceChange, InstanceNow, InstanceSettings } from '../../../shared/instance';
import { checkedName } from './commands';

export const INSTANCE_NOW_FIELDS = [
  'status',
  'be/maxmem',
  'be/minmem',
  'be/vcpus',
  'nic.links',
  'disk.sizes',
  'disk_template',
] as const;

/** The command that reads one instance's settings as they are now. */
export const instanceNowArgv = (name: string): string[] => [
  'gnt-instance',
  'list',
  '--no-headers',
  '--separator=|',
  '-o',
  INSTANCE_NOW_FIELDS.join(','),
  '--',
  checkedName(name),
];

const list = (s: string | undefined) => (s && s !== '-' ? s.split(',').filter(Boolean) : []);

export function parseInstanceNow(stdout: string, name: string): InstanceNow {
  const line = stdout.split('\n').find((l) => l.trim());
  const f = line?.split('|') ?? [];
  if (f.length !== INSTANCE_NOW_FIELDS.length)
    throw new Error(`The master lists no instance ${name}: ${stdout.trim() || '(nothing)'}`);
  const [status, maxmem, minmem, vcpus, links, sizes, template] = f;
  return {
    running: status === 'running' || status === 'ERROR_up' || status === 'ERROR_wrongnode',
    maxMemoryMiB: Number(maxmem),
    minMemoryMiB: Number(minmem),
    vcpus: Number(vcpus),
    nicLinks: list(links),
    diskSizesMiB: list(sizes).map(Number),
    diskTemplate: template!,
  };
}

const mib = (n: number) => `${n} MiB`;

export interface InstanceModifyPlan {
  changes: InstanceChange[];
  argvs: string[][];
  problems: string[];
}

/** The review and the commands of a settings change against the instance as it is now. */
export function instanceModifyPlan(
  name: string,
  now: InstanceNow,
  s: InstanceSettings,
): InstanceModifyPlan {
  const changes: InstanceChange[] = [];
  const problems: string[] = [];
  const be: string[] = [];
  const nets: string[] = [];
  const later = now.running;
  const param = (
    what: string,
    key: string,
    before: number,
    after: number | undefined,
    show = mib,
  ) => {
    if (after === undefined || after === before) return;
    changes.push({ what, before: show(before), after: show(after), atNextStart: later });
    be.push(`${key}=${after}`);
  };
  param('Memory (maxmem)', 'maxmem', now.maxMemoryMiB, s.maxMemoryMiB);
  param('Minimum memory (minmem)', 'minmem', now.minMemoryMiB, s.minMemoryMiB);
  param('vCPUs', 'vcpus', now.vcpus, s.vcpus, String);
  const max = s.maxMemoryMiB ?? now.maxMemoryMiB;
  const min = s.minMemoryMiB ?? now.minMemoryMiB;
  if (min > max)
    problems.push(`The minimum memory (${min} MiB) is more than the memory (${max} MiB).`);
  for (const { index, link } of s.nicLinks) {
    const before = now.nicLinks[index];
    if (before === undefined) problems.push(`${name} has no NIC ${index}.`);
    else if (before !== link) {
      changes.push({ what: `NIC ${index} link`, before, after: link, atNextStart: later });
      nets.push('--net', `${index}:modify,link=${link}`);
    }
  }
  s.addNics.forEach(({ link }, i) => {
    changes.push({
      what: `NIC ${now.nicLinks.length + i} (new)`,
      before: 'none',
      after: `on ${link}`,
      atNextStart: later,
    });
    nets.push('--net', `add:link=${link}`);
  });
  const argvs: string[][] = [];
  if (be.length || nets.length)
    argvs.push([
      'gnt-instance',
      'modify',
      '--submit',
      ...(be.length ? ['-B', be.join(',')] : []),
      ...nets,
      '--',
      checkedName(name),
    ]);
  for (const { index, toMiB } of s.growDisks) {
    const before = now.diskSizesMiB[index];
    if (before === undefined) {
      problems.push(`${name} has no disk ${index}.`);
      continue;
    }
    if (toMiB === before) continue;
    if (toMiB < before) {
      problems.push(`Disk ${index} of ${name} cannot shrink (${mib(before)} → ${mib(toMiB)}).`);
      continue;
    }
    // The disk grows at once; the guest sees the new size after a rescan or restart.
    changes.push({
      what: `Disk ${index} size`,
      before: mib(before),
      after: mib(toMiB),
      atNextStart: false,
    });
    argvs.push([
      'gnt-instance',
      'grow-disk',
      '--submit',
      '--absolute',
      '--',
      checkedName(name),
      String(index),
      `${toMiB}M`,
    ]);
  }
  return { changes, argvs, problems };
}
