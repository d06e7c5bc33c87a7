// New VM's form: what the wizard holds, the spec it makes of it for the
// contract, and the contract's errors mapped back onto its fields.
import { vmSpecSchema } from '../../../shared/vm';
import { vmSpecDraft, type VmForm as Form } from '../../api/specs';
import { parseSize } from '../../../shared/units';
import type { Host } from '../../../shared/model';
import type { OsVariant } from '../../../shared/osinfo';
import { formatKiB } from '../../ui/format';

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
    osVariant: '',
    firmware: 'bios',
    secureBoot: false,
    tpm: false,
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
export const toSpec = (f: Form, variant?: OsVariant) =>
  vmSpecDraft(f, parseSize(f.diskSize) ?? 0, variant);

/** The app's own sentences per field: too short/small, too long/big, and anything else. */
type Sentences = { small: string; big?: string; other?: string };
const SENTENCES: Record<string, Sentences> = {
  name: {
    small: 'Enter a name.',
    big: 'Name: at most 64 characters.',
    other: 'Name: letters, digits and . _ + - only, starting with a letter or digit.',
  },
  hostId: { small: 'Choose a node.' },
  os: { small: 'Choose an operating system.' },
  vcpus: {
    small: 'At least one vCPU.',
    big: 'vCPUs: at most 256.',
    other: 'vCPUs: a whole number, such as 2.',
  },
  memoryMiB: {
    small: 'Memory: at least 32 MiB.',
    big: 'Memory: at most 4 TiB (4,194,304 MiB).',
    other: 'Memory: a whole number of MiB, such as 1024.',
  },
  diskPool: { small: 'Choose a storage pool.' },
  diskSize: {
    small: 'Disk size: at least 1 MiB.',
    big: 'Disk size: at most 1 PiB.',
    other: 'A size such as 512M, 20G or 1.5T.',
  },
  diskFormat: { small: 'Choose a disk format.' },
  diskVolume: { small: 'Choose a volume.', big: 'Volume: at most 255 characters.' },
  isoPool: { small: 'Choose the pool with the ISO image.' },
  isoVolume: { small: 'Choose an ISO image.', big: 'ISO image: at most 255 characters.' },
  kernel: {
    small: 'Enter the kernel’s path on the node.',
    big: 'Kernel: at most 4,096 characters.',
    other: 'Kernel: an absolute path (starting with /) without quotes or $.',
  },
  initrd: {
    small: 'Enter the initrd’s path on the node, or leave it empty.',
    big: 'Initrd: at most 4,096 characters.',
    other: 'Initrd: an absolute path (starting with /) without quotes or $.',
  },
  cmdline: {
    small: 'Enter a kernel command line.',
    big: 'Kernel command line: at most 1,024 characters.',
    other: 'Kernel command line: one line of text.',
  },
  netName: { small: 'Choose a libvirt network.', other: 'Choose a libvirt network.' },
  bridge: {
    small: 'Enter the bridge’s name, such as br0.',
    big: 'Bridge: at most 64 characters.',
    other: 'Bridge: letters, digits and . _ + - only, starting with a letter or digit.',
  },
  graphics: { small: 'Choose a graphical console.' },
};

/** Zod's own wording ("Too small: expected string…"), never shown as is. */
const rawMessage = (m: string) => /expected|too small|too big|^invalid/i.test(m);

/** The app's sentence for one issue on one field. */
function sentence(key: string, issue: { code: string; message: string }): string {
  const s = SENTENCES[key] ?? { small: 'Choose one of the offered options.' };
  if (issue.code === 'too_small') return s.small;
  if (issue.code === 'too_big') return s.big ?? s.small;
  // The shared schemas' own sentences (a name's characters, a path's form) are kept.
  if (!rawMessage(issue.message)) return issue.message;
  return s.other ?? s.small;
}

/**
 * Field errors by the form's own keys, from the contract's schema, in the
 * app's words; with the node's memory (KiB) known, memory beyond it too.
 */
export function errorsOf(
  f: Form,
  node?: { name: string; memoryKiB: number },
  variant?: OsVariant,
): Record<string, string> {
  const out: Record<string, string> = {};
  const r = vmSpecSchema.safeParse(toSpec(f, variant));
  for (const issue of r.success ? [] : r.error.issues) {
    const [a, b] = issue.path.map(String);
    const key =
      a === 'disk'
        ? b === 'bytes'
          ? 'diskSize'
          : b === 'volume'
            ? 'diskVolume'
            : b === 'format'
              ? 'diskFormat'
              : 'diskPool'
        : a === 'boot'
          ? b === 'volume'
            ? 'isoVolume'
            : b === 'poolId'
              ? 'isoPool'
              : (b ?? 'kernel')
          : a === 'hardware' || a === 'osVariant'
            ? 'os'
            : a === 'network'
              ? f.net === 'bridge'
                ? 'bridge'
                : 'netName'
              : (a ?? 'name');
    out[key] ??= sentence(key, issue);
  }
  if (f.disk === 'new' && !parseSize(f.diskSize))
    out['diskSize'] = 'A size such as 512M, 20G or 1.5T.';
  // More than the node has would be refused only when the VM starts: say so here.
  const mib = Number(f.memoryMiB);
  if (!out['memoryMiB'] && node && node.memoryKiB > 0 && mib * 1024 > node.memoryKiB)
    out['memoryMiB'] =
      `Memory: ${node.name} has ${formatKiB(node.memoryKiB)} in all; give this VM at most ${Math.floor(node.memoryKiB / 1024)} MiB.`;
  return out;
}

/** Which fields each step asks for, to check before moving on. */
export const STEP_FIELDS: string[][] = [
  ['name', 'hostId', 'os', 'firmware', 'tpm'],
  ['vcpus', 'memoryMiB'],
  ['diskPool', 'diskSize', 'diskFormat', 'diskVolume'],
  ['isoPool', 'isoVolume', 'kernel', 'initrd', 'cmdline'],
  ['netName', 'bridge', 'graphics'],
  [],
];
