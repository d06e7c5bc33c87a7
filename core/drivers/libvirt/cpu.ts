// CPU compatibility between nodes, asked of libvirt itself: each node's CPU as
// its hypervisor offers it (domcapabilities' host-model), the model every node
// can run (hypervisor-cpu-baseline over all of them) and whether a guest's CPU
// runs on a node (hypervisor-cpu-compare, through the node's open virsh with
// the definition in a private temporary file).
import type { CpuModel } from '../../../shared/cluster';
import { obj, text, xmlParser } from './xml';

export const DOMCAPABILITIES_ARGV: readonly string[] = ['virsh', 'domcapabilities'];

/**
 * The CPU every node described on stdin (their domcapabilities, one after the
 * other) can run; --migratable leaves out features that block migration.
 */
export const CPU_BASELINE_ARGV: readonly string[] = [
  'virsh',
  'hypervisor-cpu-baseline',
  '--migratable',
  '/dev/stdin',
];

/** Stores stdin in a new file only the login user reads and prints its path, for the open virsh. */
export const PRIVATE_FILE_ARGV: readonly string[] = [
  'sh',
  '-c',
  'umask 077; f=$(mktemp) && cat > "$f" && echo "$f"',
];

const xml = xmlParser((name) => name === 'feature');

/** A <cpu> element (hypervisor-cpu-baseline's answer) as the app keeps it. */
export function parseCpuModel(cpuXml: string): CpuModel {
  const cpu = obj(obj(xml.parse(cpuXml)).cpu);
  const model = text(cpu.model).trim();
  if (!model) throw new Error('libvirt answered with no CPU model.');
  const vendor = text(cpu.vendor).trim();
  const features = (Array.isArray(cpu.feature) ? cpu.feature : []).map((f) => ({
    name: String(obj(f)['@name'] ?? ''),
    policy: String(obj(f)['@policy'] ?? 'require'),
  }));
  return { model, ...(vendor ? { vendor } : {}), features: features.filter((f) => f.name) };
}

/** hypervisor-cpu-compare's verdict; "superset" and "identical" both mean it runs. */
export function cpuRuns(compareStdout: string): boolean {
  return /\b(superset|identical)\b/i.test(compareStdout) && !/incompatible/i.test(compareStdout);
}
