// New VM's form: what the wizard holds, the spec it makes of it for the
// contract, and the contract's errors mapped back onto its fields.
import { vmSpecSchema } from '../../../shared/vm';
import { vmSpecDraft, type VmForm as Form } from '../../api/specs';
import { parseSize } from '../../../shared/units';
import type { Host } from '../../../shared/model';

export type { VmForm as Form } from '../../api/specs';

/** The form's free-text fields, and those chosen from a list (typed as the field). */
export type TextKey = { [K in keyof Form]: string extends Form[K] ? K : never }[keyof Form];
export type ChoiceKey = { [K in keyof Form]: Form[K] extends string ? K : never }[keyof Form];

export const STEPS = [
  'Name and OS',
  'CPU and memory',
  'Disk',
  'Install media',
  'Network and console',
  'Summary',
];

/** A new form, on the node chosen first. */
export function initialForm(firstHost: Host | undefined): Form {
  return {
    name: '',
    hostId: firstHost?.id ?? '',
    os: 'linux',
    kvm: firstHost?.info?.virtualization === 'kvm',
    cpu: 'host-passthrough',
    vcpus: '1',
    memoryMiB: '1024',
    disk: 'new',
    diskPool: '',
    diskSize: '10G',
    diskFormat: 'qcow2',
    diskVolume: '',
    boot: 'iso',
    isoPool: '',
    isoVolume: '',
    kernel: '',
    initrd: '',
    cmdline: '',
    net: 'network',
    netName: '',
    bridge: '',
    graphics: 'vnc',
    serial: true,
    start: true,
    openConsole: true,
  };
}

/** The spec as the contract expects it; an unreadable size is 0 bytes, which it refuses. */
export const toSpec = (f: Form) => vmSpecDraft(f, parseSize(f.diskSize) ?? 0);

/** Field errors by the form's own keys, from the contract's schema. */
export function errorsOf(f: Form): Record<string, string> {
  const out: Record<string, string> = {};
  const r = vmSpecSchema.safeParse(toSpec(f));
  if (r.success) return out;
  for (const issue of r.error.issues) {
    const [a, b] = issue.path.map(String);
    const key =
      a === 'disk'
        ? b === 'bytes'
          ? 'diskSize'
          : b === 'volume'
            ? 'diskVolume'
            : 'diskPool'
        : a === 'boot'
          ? b === 'volume'
            ? 'isoVolume'
            : b === 'poolId'
              ? 'isoPool'
              : (b ?? 'kernel')
          : a === 'network'
            ? f.net === 'bridge'
              ? 'bridge'
              : 'netName'
            : (a ?? 'name');
    out[key] ??= issue.message;
  }
  if (f.disk === 'new' && !parseSize(f.diskSize))
    out['diskSize'] = 'A size such as 512M, 20G or 1.5T.';
  return out;
}

/** Which fields each step asks for, to check before moving on. */
export const STEP_FIELDS: string[][] = [
  ['name', 'hostId'],
  ['vcpus', 'memoryMiB'],
  ['diskPool', 'diskSize', 'diskVolume'],
  ['isoPool', 'isoVolume', 'kernel', 'initrd', 'cmdline'],
  ['netName', 'bridge'],
  [],
];
