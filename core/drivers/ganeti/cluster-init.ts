// New Cluster on Ganeti, from the nodes' facts (node-facts.ts): the wizard's
// defaults, the preflight checklist (one line per node and problem), and
// the plan: `gnt-cluster init` on the first node, the other nodes trusting
// the root key init made there, `gnt-node add` for each, their daemons
// started; each step says how it is taken back (gnt-node remove, the key
// line removed, gnt-cluster destroy), so a failure or Undo leaves no half cluster.
import type { Finding } from '../../../shared/cluster';
import type {
  GanetiClusterDefaults,
  GanetiClusterSpec,
  GANETI_DISK_TEMPLATES,
  GANETI_HYPERVISORS,
} from '../../../shared/ganeti-cluster';
import type { PlannedStep } from '../../wizards/plan';
import { checkedName } from './commands';
import { ganetiVersion, primaryAddress, type NodeFacts } from './node-facts';

/** One chosen node: its Clusterdeck host and what it said. */
export interface FactsOf {
  hostId: string;
  /** The host's name in Clusterdeck (findings and steps name it). */
  label: string;
  f: NodeFacts;
}

type Hv = (typeof GANETI_HYPERVISORS)[number];
type Dt = (typeof GANETI_DISK_TEMPLATES)[number];

const list = (xs: readonly string[]) => xs.join(', ');

/** Why a hypervisor cannot run on these nodes ('' when it can), naming the nodes. */
function hypervisorMissing(hv: Hv, nodes: readonly FactsOf[]): string {
  if (hv === 'fake') return '';
  const lack = nodes.filter((n) => !n.f.qemu).map((n) => n.label);
  return lack.length
    ? `${list(lack)} ${lack.length > 1 ? 'have' : 'has'} no qemu-system-x86_64`
    : '';
}

/** Why a disk template cannot be used on these nodes ('' when it can), naming the nodes. */
function templateMissing(
  dt: Dt,
  nodes: readonly FactsOf[],
  dirs: { file: string; sharedfile: string },
): string {
  const why: string[] = [];
  for (const n of nodes) {
    const lvm = !n.f.lvm ? 'no LVM tools' : !n.f.vgs.length ? 'no LVM volume group' : '';
    if (dt === 'plain' && lvm) why.push(`${n.label} has ${lvm}`);
    if (dt === 'drbd') {
      const lacks = [...(n.f.drbd ? [] : ['the drbd kernel module']), ...(lvm ? [lvm] : [])];
      if (lacks.length) why.push(`${n.label} lacks ${lacks.join(' and ')}`);
    }
    if (dt === 'file' || dt === 'sharedfile') {
      const dir = dirs[dt];
      const p = n.f.filePaths.find((x) => x.path === dir);
      if (!p) why.push(`${n.label} does not allow ${dir} in /etc/ganeti/file-storage-paths`);
      else if (!p.exists) why.push(`${n.label} has no directory ${dir}`);
    }
  }
  return why.join('; ');
}

/** The wizard's starting values: what the first node has, and what every node supports. */
export function ganetiDefaults(nodes: readonly FactsOf[]): GanetiClusterDefaults {
  const first = nodes[0]?.f;
  const addr = first ? primaryAddress(first) : undefined;
  const paths = first?.filePaths.map((p) => p.path) ?? [];
  const file = paths.find((p) => !/shared/.test(p)) ?? '/srv/ganeti/file-storage';
  const shared = paths.find((p) => /shared/.test(p)) ?? '/srv/ganeti/shared-file-storage';
  const hvs: Hv[] = ['kvm', 'fake'];
  const dts: Dt[] = ['diskless', 'file', 'sharedfile', 'plain', 'drbd'];
  const dirs = { file, sharedfile: shared };
  return {
    masterNetdev: addr?.dev ?? 'eth0',
    masterNetmask: addr?.prefix ?? 24,
    nicLink: first?.bridges[0] ?? 'br0',
    fileStorageDir: file,
    sharedFileStorageDir: shared,
    kvmPath: first?.qemu || '/usr/bin/qemu-system-x86_64',
    kvmAccel: nodes.length > 0 && nodes.every((n) => n.f.devKvm),
    hypervisors: hvs.map((name) => ({ name, missing: hypervisorMissing(name, nodes) })),
    diskTemplates: dts.map((name) => ({ name, missing: templateMissing(name, nodes, dirs) })),
    devices: first?.links.filter((l) => l !== 'lo') ?? [],
    bridges: first?.bridges ?? [],
  };
}

/** What the preflight asks each node: every name, the first node's peers' SSH ports, the cluster IP. */
export function preflightAsk(spec: GanetiClusterSpec, nodes: readonly FactsOf[], i: number) {
  const names = [spec.name, ...nodes.map((n) => n.f.fqdn)];
  const peers = i === 0 ? nodes.slice(1).flatMap((n) => primaryAddress(n.f)?.ip ?? []) : [];
  return { resolve: names, ssh: peers };
}

/** The checklist: one line per node and problem, or one ok line per check. */
export function ganetiPreflight(
  spec: GanetiClusterSpec,
  nodes: readonly FactsOf[],
  clusterIpState: string | undefined,
): Finding[] {
  const out: Finding[] = [];
  const check = (name: string, problems: Finding[], ok: string) =>
    out.push(...(problems.length ? problems : [{ check: name, level: 'ok' as const, detail: ok }]));
  const problem = (name: string, detail: string, fix?: string): Finding => ({
    check: name,
    level: 'problem',
    detail,
    ...(fix ? { fix } : {}),
  });

  const C1 = 'Ganeti installed, no cluster yet';
  check(
    C1,
    nodes.flatMap((n) =>
      !n.f.version
        ? [problem(C1, `${n.label} has no gnt-cluster.`, 'apt install ganeti')]
        : n.f.cluster || n.f.configured
          ? [
              problem(
                C1,
                `${n.label} is already in the cluster ${n.f.cluster || '(unnamed)'}.`,
                'Choose nodes in no cluster, or use Add node on that cluster.',
              ),
            ]
          : [],
    ),
    `Ganeti is installed on ${list(nodes.map((n) => n.label))}, none in a cluster.`,
  );

  const C2 = 'Ganeti versions equal';
  const versions = new Set(nodes.map((n) => ganetiVersion(n.f)));
  check(
    C2,
    versions.size > 1
      ? nodes.map((n) =>
          problem(
            C2,
            `${n.label} runs Ganeti ${ganetiVersion(n.f) || '?'}.`,
            'Install the same Ganeti version on every node.',
          ),
        )
      : [],
    `Every node runs Ganeti ${[...versions][0] ?? '?'}.`,
  );

  const C3 = 'Host names resolve';
  const clusterIps = new Set<string>();
  const names: Finding[] = [];
  for (const n of nodes) {
    for (const m of nodes) {
      const want = primaryAddress(m.f)?.ip;
      const got = n.f.resolve[m.f.fqdn];
      if (!got)
        names.push(
          problem(
            C3,
            `${n.label} cannot resolve ${m.f.fqdn} (${m.label}'s name).`,
            'Add it to DNS or /etc/hosts on that node.',
          ),
        );
      else if (want && got !== want)
        names.push(
          problem(
            C3,
            `${n.label} resolves ${m.f.fqdn} to ${got}, but ${m.label}'s address is ${want}.`,
            'Fix DNS or /etc/hosts on that node.',
          ),
        );
    }
    const c = n.f.resolve[spec.name];
    if (!c)
      names.push(
        problem(
          C3,
          `${n.label} cannot resolve the cluster name ${spec.name}.`,
          'Give the cluster name an address in DNS or /etc/hosts on every node.',
        ),
      );
    else clusterIps.add(c);
  }
  if (clusterIps.size > 1)
    names.push(
      problem(
        C3,
        `The nodes resolve ${spec.name} to different addresses: ${list([...clusterIps])}.`,
      ),
    );
  check(C3, names, `Every node resolves every node's name and ${spec.name}.`);

  const C4 = 'Master network device';
  const first = nodes[0];
  check(
    C4,
    nodes.flatMap((n, i) =>
      n.f.links.includes(spec.masterNetdev)
        ? []
        : [
            {
              ...problem(
                C4,
                `${n.label} has no network device ${spec.masterNetdev}.`,
                'Choose the device that carries the cluster network.',
              ),
              ...(i > 0
                ? {
                    level: 'warning' as const,
                    detail: `${n.label} has no network device ${spec.masterNetdev}: it could not take over as master.`,
                  }
                : {}),
            },
          ],
    ),
    `${spec.masterNetdev} exists on every node.`,
  );

  const C5 = 'Cluster IP free';
  const ip = [...clusterIps][0];
  check(
    C5,
    ip && clusterIpState && clusterIpState !== 'none'
      ? [
          problem(
            C5,
            `${spec.name} (${ip}) is in use: ${clusterIpState === 'own' ? `${first?.label} has that address` : `something answers at ${ip}`}.`,
            'Choose a cluster name whose address no host uses.',
          ),
        ]
      : [],
    `Nothing answers at ${ip} (${spec.name}).`,
  );
  // No address for the cluster name: nothing to check (the names' line says why).
  if (!ip)
    out[out.length - 1] = {
      check: C5,
      level: 'warning',
      detail: `Not checked: ${spec.name} has no address.`,
    };

  const C6 = 'SSH between nodes';
  check(
    C6,
    nodes.slice(1).flatMap((n) => {
      const a = primaryAddress(n.f)?.ip ?? '?';
      const s = first?.f.ssh[a];
      return s === 'open'
        ? []
        : [
            problem(
              C6,
              `${first?.label} cannot reach the SSH port of ${n.label} (${a}:22).`,
              'Start sshd there and let the first node reach it.',
            ),
          ];
    }),
    nodes.length > 1
      ? `${first?.label} reaches every other node's SSH port.`
      : 'One node: no peers to reach.',
  );

  const defaults = ganetiDefaults(nodes);
  const C7 = 'Hypervisors';
  check(
    C7,
    defaults.hypervisors
      .filter((h) => spec.hypervisors.includes(h.name) && h.missing)
      .map((h) => problem(C7, `${h.name}: ${h.missing}.`, `Do not enable ${h.name}.`)),
    `${list(spec.hypervisors)} can run on every node.`,
  );
  const C8 = 'Disk templates';
  const dirs = { file: spec.fileStorageDir, sharedfile: spec.sharedFileStorageDir };
  const dts = defaults.diskTemplates.map((d) => ({
    ...d,
    missing: templateMissing(d.name, nodes, dirs),
  }));
  check(
    C8,
    dts
      .filter((d) => spec.diskTemplates.includes(d.name) && d.missing)
      .map((d) => problem(C8, `${d.name}: ${d.missing}.`, `Do not enable ${d.name}.`)),
    `${list(spec.diskTemplates)} can be used on every node.`,
  );
  for (const d of dts.filter((x) => x.missing && !spec.diskTemplates.includes(x.name)))
    out.push({ check: C8, level: 'warning', detail: `${d.name} not offered: ${d.missing}.` });

  const C9 = 'Instance bridge';
  check(
    C9,
    nodes.flatMap((n) =>
      n.f.bridges.includes(spec.nicLink)
        ? []
        : [
            problem(
              C9,
              `${n.label} has no bridge ${spec.nicLink}.`,
              'Create the bridge on that node, or choose another.',
            ),
          ],
    ),
    `${spec.nicLink} is a bridge on every node.`,
  );
  return out;
}

// The cluster's root key, added once to a node's authorized_keys (read from stdin).
const TRUST =
  'read -r k; mkdir -p ~/.ssh; touch ~/.ssh/authorized_keys; grep -qxF -- "$k" ~/.ssh/authorized_keys || printf "%s\\n" "$k" >> ~/.ssh/authorized_keys';
const UNTRUST =
  'read -r k; f=~/.ssh/authorized_keys; [ -f "$f" ] || exit 0; grep -vxF -- "$k" "$f" > "$f.cd-tmp"; mv "$f.cd-tmp" "$f"';
export const DAEMON_UTIL = '/usr/lib/ganeti/daemon-util';

/** gnt-cluster init with the spec's values, the name last after `--`. */
export function initArgv(spec: GanetiClusterSpec): string[] {
  const dts = spec.diskTemplates.join(',');
  const kvm = [
    `kvm_flag=${spec.kvmAccel ? 'enabled' : 'disabled'}`,
    `kvm_path=${spec.kvmPath}`,
    'kernel_path=',
    'initrd_path=',
    'serial_console=false',
    'vnc_bind_address=',
  ].join(',');
  return [
    'gnt-cluster',
    'init',
    `--enabled-hypervisors=${spec.hypervisors.join(',')}`,
    `--enabled-disk-templates=${dts}`,
    `--ipolicy-disk-templates=${dts}`,
    ...(spec.diskTemplates.includes('file') ? [`--file-storage-dir=${spec.fileStorageDir}`] : []),
    ...(spec.diskTemplates.includes('sharedfile')
      ? [`--shared-file-storage-dir=${spec.sharedFileStorageDir}`]
      : []),
    ...(spec.hypervisors.includes('kvm') ? ['-H', `kvm:${kvm}`] : []),
    `--master-netdev=${spec.masterNetdev}`,
    `--master-netmask=${spec.masterNetmask}`,
    `--nic-parameters=link=${spec.nicLink}`,
    ...(spec.manageEtcHosts ? [] : ['--no-etc-hosts']),
    '--',
    checkedName(spec.name, 'cluster'),
  ];
}

export const nodeAddArgv = (fqdn: string) => [
  'gnt-node',
  'add',
  '--no-ssh-key-check',
  '--',
  checkedName(fqdn, 'node'),
];
export const nodeRemoveArgv = (fqdn: string) => [
  'gnt-node',
  'remove',
  '--',
  checkedName(fqdn, 'node'),
];
export const ROOT_KEY_ARGV = ['sh', '-c', 'cat ~/.ssh/id_rsa.pub'];

/** Where a step runs: a Clusterdeck host, and how its commands reach the master. */
export interface Place {
  hostId: string;
  node: string;
}

/**
 * The steps that let a master's cluster take in one node: trust the
 * master's root key (read by `readKey`), `gnt-node add` on the master, the
 * node's daemons started. `master` wraps a command for the master.
 */
export function joinSteps(
  master: Place,
  toMaster: (argv: string[]) => string[],
  joining: { place: Place | undefined; fqdn: string },
  key: { get: () => string },
): PlannedStep[] {
  const { place, fqdn } = joining;
  // gnt-node remove takes the cluster's keys off the node itself: once the
  // node was added, its undo is the remove alone (the trust step's undo
  // would then run on a node whose connection is starting over).
  let added = false;
  const trust: PlannedStep[] = place
    ? [
        {
          ...place,
          title: `Trust ${master.node}'s Ganeti root key`,
          argv: ['sh', '-c', TRUST],
          lateStdin: () => `${key.get()}\n`,
          shownInput: `(${master.node}'s root public key, read above)`,
          undo: (_o, ok) =>
            ok && !added
              ? {
                  ...place,
                  title: `Stop trusting ${master.node}'s Ganeti root key`,
                  argv: ['sh', '-c', UNTRUST],
                  lateStdin: () => `${key.get()}\n`,
                  shownInput: `(${master.node}'s root public key)`,
                }
              : undefined,
        },
      ]
    : [];
  return [
    ...trust,
    {
      ...master,
      title: `Add ${fqdn} to the cluster`,
      argv: toMaster(nodeAddArgv(fqdn)),
      undo: (_o, ok) => {
        added = ok;
        return ok
          ? {
              ...master,
              title: `Remove ${fqdn} from the cluster`,
              argv: toMaster(nodeRemoveArgv(fqdn)),
            }
          : undefined;
      },
    },
    ...(place
      ? [{ ...place, title: 'Start the Ganeti daemons', argv: [DAEMON_UTIL, 'start-all'] }]
      : []),
  ];
}

/** The step that reads the master's root key for the joining nodes. */
export function readKeyStep(
  master: Place,
  toMaster: (argv: string[]) => string[],
  key: { set: (k: string) => void },
): PlannedStep {
  return {
    ...master,
    title: "Read the cluster's root public key",
    argv: toMaster(ROOT_KEY_ARGV),
    onStdout: (out) => {
      const k = out.trim().split('\n')[0] ?? '';
      if (!/^ssh-[a-z0-9-]+ [A-Za-z0-9+/=]+( \S+)?$/.test(k))
        throw new Error(`${master.node} printed no SSH public key for root.`);
      key.set(k);
    },
  };
}

/** New Cluster's steps: init on the first node, then each other node joins. */
export function createSteps(spec: GanetiClusterSpec, nodes: readonly FactsOf[]): PlannedStep[] {
  const [first, ...rest] = nodes;
  if (!first) return [];
  const master = { hostId: first.hostId, node: first.label };
  let k = '';
  const key = { get: () => k, set: (v: string) => (k = v) };
  const same = (a: string[]) => a;
  return [
    {
      ...master,
      title: `Initialize the cluster ${spec.name}`,
      argv: initArgv(spec),
      undo: (_o, ok) =>
        ok
          ? {
              ...master,
              title: `Destroy the cluster ${spec.name}`,
              argv: ['gnt-cluster', 'destroy', '--yes-do-it'],
            }
          : undefined,
    },
    ...(rest.length ? [readKeyStep(master, same, key)] : []),
    ...rest.flatMap((n) =>
      joinSteps(master, same, { place: { hostId: n.hostId, node: n.label }, fqdn: n.f.fqdn }, key),
    ),
  ];
}

/** The undo of steps that all ran: their undo steps, last first. */
export function undoAll(steps: readonly PlannedStep[]): PlannedStep[] {
  return [...steps]
    .reverse()
    .map((s) => s.undo?.('', true))
    .filter((u): u is PlannedStep => !!u);
}
