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
    vgs: (first?.vgs ?? []).filter((vg) => nodes.every((n) => n.f.vgs.includes(vg))),
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
  const vg = spec.vgName;
  if (vg && spec.diskTemplates.some((t) => t === 'plain' || t === 'drbd')) {
    const C10 = 'LVM volume group';
    check(
      C10,
      nodes
        .filter((n) => !n.f.vgs.includes(vg))
        .map((n) =>
          problem(
            C10,
            `${n.label} has no volume group ${vg}.`,
            `Create it there (vgcreate ${vg} <disk>), or choose a volume group every node has.`,
          ),
        ),
      `${vg} is a volume group on every node.`,
    );
  }

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
