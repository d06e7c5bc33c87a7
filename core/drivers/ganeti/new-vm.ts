// New VM on Ganeti (`gnt-instance add`): what the cluster offers, read from
// its master in one command (OS definitions, `gnt-cluster info`, nodes,
// allocators, and per node whether DRBD and LVM are there, through
// `gnt-cluster command`), the refusal of each disk template the cluster or
// its nodes cannot give (naming the nodes), and the add command itself, with
// every name from the user as an option value or after `--`.
import type { DiskTemplateChoice, InstanceOptions, InstanceSpec } from '../../../shared/instance';
import { checkedName } from './commands';

/**
 * Per node: whether the drbd module is loaded or installed, and whether LVM
 * has a volume group. Run on every node by `gnt-cluster command`.
 */
export const NODE_CHECK_SCRIPT = [
  'if test -d /sys/module/drbd || grep -qs "^drbd " /proc/modules || modinfo drbd >/dev/null 2>&1;',
  'then echo drbd=yes; else echo drbd=no; fi;',
  'if vgs --noheadings -o vg_name 2>/dev/null | grep -q .; then echo lvm=yes; else echo lvm=no; fi',
].join(' ');

const READS: [string, string][] = [
  ['os', 'gnt-os list --no-headers'],
  ['info', 'gnt-cluster info'],
  ['nodes', "gnt-node list --no-headers '--separator=|' -o name,vm_capable,offline,drained"],
  ['links', 'gnt-instance list --no-headers -o nic.links'],
  ['allocators', 'ls /usr/lib/ganeti/iallocators'],
  ['checks', `gnt-cluster command '${NODE_CHECK_SCRIPT.replace(/'/g, `'\\''`)}'`],
];

/**
 * The one read behind New VM's choices, sections marked `== name`. The reads
 * run at once (gnt-os list and gnt-cluster command each ask every node, a
 * few seconds), each into its own file, printed in order once all are done.
 */
export const INSTANCE_OPTIONS_ARGV = [
  'sh',
  '-c',
  [
    't=$(mktemp -d) || exit 1',
    ...READS.map(([name, cmd]) => `(${cmd}) >"$t/${name}" 2>/dev/null &`),
    'wait',
    ...READS.map(([name]) => `echo '== ${name}'; cat "$t/${name}"`),
    'rm -rf "$t"',
  ]
    .join('; ')
    .replace(/&;/g, '&'),
];

/** The sections of the read, by name. */
function sections(stdout: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let cur: string[] | undefined;
  for (const line of stdout.split('\n')) {
    const m = /^== (\w+)$/.exec(line);
    if (m) out.set(m[1]!, (cur = []));
    else cur?.push(line);
  }
  return out;
}

/**
 * `gnt-cluster info`'s indented `key: value` lines as paths
 * ("Cluster parameters/enabled disk templates"); list items ("- min/0:") are keys.
 */
export function parseClusterInfo(lines: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const stack: { indent: number; key: string }[] = [];
  for (const raw of lines) {
    const m = /^( *)(- )?([^:]+):(?: (.*))?$/.exec(raw.trimEnd());
    if (!m) continue;
    const indent = m[1]!.length + (m[2] ? 2 : 0);
    while (stack.length && stack[stack.length - 1]!.indent >= indent) stack.pop();
    stack.push({ indent, key: m[3]!.trim() });
    out.set(stack.map((s) => s.key).join('/'), (m[4] ?? '').trim());
  }
  return out;
}

const words = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((w) => w.trim())
    .filter(Boolean);

/** `gnt-cluster command`'s answer: each node's `key=value` lines. */
export function parseNodeChecks(lines: readonly string[]): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  let node: Map<string, string> | undefined;
  for (const line of lines) {
    const n = /^node: (\S+)$/.exec(line.trim());
    if (n) out.set(n[1]!, (node = new Map()));
    const kv = /^(\w+)=(\w+)$/.exec(line.trim());
    if (kv && node) node.set(kv[1]!, kv[2]!);
  }
  return out;
}

/** The templates Ganeti knows, the ones whose lack the wizard explains first. */
const KNOWN_TEMPLATES = ['diskless', 'file', 'sharedfile', 'plain', 'drbd'] as const;

const nodeList = (names: string[]) =>
  names.length === 1
    ? names[0]!
    : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]!}`;

/** Why each template cannot be used, from the cluster's settings and each node's checks. */
export function templateChoices(
  cluster: string,
  enabled: readonly string[],
  nodes: readonly string[],
  checks: Map<string, Map<string, string>>,
): DiskTemplateChoice[] {
  const lacking = (key: string) => nodes.filter((n) => checks.get(n)?.get(key) !== 'yes');
  const names = [...new Set([...enabled, ...KNOWN_TEMPLATES])];
  return names.map((name) => {
    const why: string[] = [];
    const noDrbd = lacking('drbd');
    const noLvm = lacking('lvm');
    if (name === 'drbd' && noDrbd.length)
      why.push(
        `DRBD needs the drbd kernel module, which ${nodeList(noDrbd)} lack${noDrbd.length === 1 ? 's' : ''}.`,
      );
    if ((name === 'drbd' || name === 'plain') && noLvm.length)
      why.push(
        `${name === 'drbd' ? 'DRBD' : 'plain'} needs an LVM volume group, which ${nodeList(noLvm)} ${noLvm.length === 1 ? 'has' : 'have'} none of.`,
      );
    if (!enabled.includes(name)) why.push(`${cluster} does not enable the ${name} template.`);
    return {
      name,
      available: why.length === 0,
      ...(why.length ? { reason: why.join(' ') } : {}),
      mirrored: name === 'drbd',
    };
  });
}

export function parseInstanceOptions(stdout: string, commands: string[]): InstanceOptions {
  const s = sections(stdout);
  const info = parseClusterInfo(s.get('info') ?? []);
  const cluster = info.get('Cluster name') ?? '';
  const nodes = (s.get('nodes') ?? [])
    .map((l) => l.split('|'))
    .filter((f) => f.length === 4 && f[1] === 'Y' && f[2] === 'N' && f[3] === 'N')
    .map((f) => f[0]!);
  const enabled = words(info.get('Cluster parameters/enabled disk templates'));
  const defaultLink = info.get('Default nic parameters/default/link') ?? '';
  const used = (s.get('links') ?? []).flatMap((l) => words(l)).filter((l) => l !== '-');
  const allocators = (s.get('allocators') ?? []).map((l) => l.trim()).filter(Boolean);
  const defaultAllocator = info.get('Cluster parameters/default instance allocator');
  const hypervisors = words(info.get('Enabled hypervisors'));
  const ipolicy = (b: 'min' | 'max', k: string, fallback: number) => {
    const v = Number(info.get(`Instance policy - limits for instances/bounds specs/${b}/0/${k}`));
    return Number.isFinite(v) && v > 0 ? v : fallback;
  };
  return {
    cluster,
    oses: (s.get('os') ?? []).map((l) => l.trim()).filter(Boolean),
    templates: templateChoices(cluster, enabled, nodes, parseNodeChecks(s.get('checks') ?? [])),
    nodes,
    allocators,
    ...(defaultAllocator && allocators.includes(defaultAllocator) ? { defaultAllocator } : {}),
    hypervisors,
    defaultHypervisor: info.get('Default hypervisor') ?? hypervisors[0] ?? '',
    links: [...new Set([defaultLink, ...used].filter(Boolean))],
    policy: {
      minDiskMiB: ipolicy('min', 'disk-size', 1),
      maxDiskMiB: ipolicy('max', 'disk-size', 2 ** 30),
      minMemoryMiB: ipolicy('min', 'memory-size', 16),
      maxMemoryMiB: ipolicy('max', 'memory-size', 4 * 1024 * 1024),
      minVcpus: ipolicy('min', 'cpu-count', 1),
      maxVcpus: ipolicy('max', 'cpu-count', 256),
    },
    commands,
  };
}

/** What stands in the way of the spec on this cluster, each a sentence. */
export function instanceProblems(spec: InstanceSpec, o: InstanceOptions): string[] {
  const p: string[] = [];
  const t = o.templates.find((x) => x.name === spec.diskTemplate);
  if (!t) p.push(`${o.cluster} has no disk template ${spec.diskTemplate}.`);
  else if (!t.available) p.push(`The ${t.name} template cannot be used: ${t.reason}`);
  if (!o.oses.includes(spec.os)) p.push(`${o.cluster} has no OS definition ${spec.os}.`);
  if (!o.hypervisors.includes(spec.hypervisor))
    p.push(`${o.cluster} does not enable the ${spec.hypervisor} hypervisor.`);
  if (spec.placement.kind === 'nodes') {
    const { primary, secondary } = spec.placement;
    for (const n of [primary, secondary])
      if (n && !o.nodes.includes(n))
        p.push(`${n} is not a VM-capable online node of ${o.cluster}.`);
    if (t?.mirrored && !secondary) p.push(`The ${t.name} template needs a secondary node.`);
    if (secondary && secondary === primary)
      p.push('The secondary node must differ from the primary.');
  } else if (!o.allocators.includes(spec.placement.allocator)) {
    p.push(`${o.cluster}'s master has no allocator ${spec.placement.allocator}.`);
  }
  const { policy } = o;
  if (spec.memoryMiB < policy.minMemoryMiB || spec.memoryMiB > policy.maxMemoryMiB)
    p.push(
      `${o.cluster}'s instance policy wants ${policy.minMemoryMiB}–${policy.maxMemoryMiB} MiB of memory.`,
    );
  if (spec.vcpus < policy.minVcpus || spec.vcpus > policy.maxVcpus)
    p.push(`${o.cluster}'s instance policy wants ${policy.minVcpus}–${policy.maxVcpus} vCPUs.`);
  if (spec.diskTemplate === 'diskless' && spec.disksMiB.length)
    p.push('A diskless VM has no disks.');
  if (spec.diskTemplate !== 'diskless' && !spec.disksMiB.length)
    p.push(`A ${spec.diskTemplate} VM needs a disk.`);
  for (const d of spec.disksMiB)
    if (d < policy.minDiskMiB || d > policy.maxDiskMiB)
      p.push(
        `${o.cluster}'s instance policy wants disks of ${policy.minDiskMiB}–${policy.maxDiskMiB} MiB.`,
      );
  if (!spec.nics.length) p.push('Give the VM a NIC (the instance policy wants one).');
  return p;
}

/** `gnt-instance add`, submitted as a job; the instance's name after `--`. */
export function instanceAddArgv(spec: InstanceSpec): string[] {
  const place =
    spec.placement.kind === 'nodes'
      ? [
          '-n',
          [checkedName(spec.placement.primary, 'node'), spec.placement.secondary]
            .filter(Boolean)
            .map((n) => checkedName(n!, 'node'))
            .join(':'),
        ]
      : ['-I', spec.placement.allocator];
  return [
    'gnt-instance',
    'add',
    '--submit',
    '-t',
    spec.diskTemplate,
    '-o',
    spec.os,
    ...place,
    '-H',
    spec.hypervisor,
    '-B',
    `maxmem=${spec.memoryMiB},minmem=${spec.memoryMiB},vcpus=${spec.vcpus}`,
    ...spec.disksMiB.flatMap((mib, i) => ['--disk', `${i}:size=${mib}M`]),
    ...spec.nics.flatMap((n, i) => ['--net', `${i}:link=${n.link}`]),
    ...(spec.nameCheck ? [] : ['--no-name-check', '--no-ip-check']),
    ...(spec.start ? [] : ['--no-start']),
    '--',
    checkedName(spec.name),
  ];
}
