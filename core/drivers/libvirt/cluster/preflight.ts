// New Cluster's preflight: what each node says about itself and about the
// others (one fixed script per node, the peers as its arguments), turned into
// a checklist with a reason and a fix for each finding. Nothing is changed.
import type { Host } from '../../../../shared/model';
import { describeCpu, type Finding } from '../../../../shared/cluster';
import { formatBytes } from '../../../../shared/units';
import type { PreflightNode } from '../../membership';
import type { NodeMemory } from '../../capabilities';
import { parseMeminfo } from '../parse-stats';
import { clusterCpu } from './cpu';

/** libvirt's default range for migration data (qemu.conf migration_port_min/max). */
export const MIGRATION_PORT = 49152;

/**
 * Facts from one node: its clock, free memory and disk, bridges, and for
 * each peer (name, address, port, user): whether the name resolves, whether
 * SSH answers (refused logins count: the network path is there) and whether
 * the migration port is reachable (refused is reachable, silence is a
 * firewall). One line of shell: remote arguments never carry line breaks.
 */
const FACTS_SCRIPT = [
  'echo "time $(date +%s%N)";',
  // The same lines of /proc/meminfo as every other memory figure (parseMeminfo).
  "grep -E '^(MemTotal|MemFree|MemAvailable|Buffers|Cached):' /proc/meminfo | sed 's/^/meminfo /';",
  'echo "diskfree $(df -Pk /var/lib/libvirt/images 2>/dev/null | awk \'NR == 2 {print $4 * 1024}\')";',
  'for b in /sys/class/net/*/bridge; do [ -d "$b" ] || continue; b=${b%/bridge}; echo "bridge ${b##*/}"; done;',
  'while [ $# -ge 4 ]; do name=$1 addr=$2 port=$3 user=$4; shift 4;',
  'if getent hosts "$name" >/dev/null 2>&1; then echo "resolves $addr yes"; else echo "resolves $addr no"; fi;',
  'out=$(ssh -o BatchMode=yes -o ConnectTimeout=5 -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -p "$port" -l "$user" "$addr" true 2>&1); rc=$?;',
  'echo "ssh $addr $rc $(printf %s "$out" | tr -s "\\n\\r" "  " | cut -c1-200)";',
  `if command -v bash >/dev/null 2>&1; then out=$(timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' probe "$addr" ${MIGRATION_PORT} 2>&1); rc=$?; echo "migport $addr $rc $(printf %s "$out" | tr -s "\\n\\r" "  " | cut -c1-120)"; fi;`,
  'done',
].join(' ');

export function factsArgv(peers: readonly Host[]): string[] {
  return [
    'sh',
    '-c',
    FACTS_SCRIPT,
    'clusterdeck-preflight',
    ...peers.flatMap((p) => [p.info?.hostname || p.name, p.address, String(p.port), p.user]),
  ];
}

interface NodeFacts {
  skewMs: number;
  memory: NodeMemory;
  diskFree: number;
  bridges: string[];
  resolves: Map<string, boolean>;
  ssh: Map<string, { code: number; text: string }>;
  migport: Map<string, { code: number; text: string }>;
}

export function parseFacts(out: string, localMidpointMs: number): NodeFacts {
  const f: NodeFacts = {
    skewMs: 0,
    memory: { totalBytes: 0, freeBytes: 0, availableBytes: 0 },
    diskFree: 0,
    bridges: [],
    resolves: new Map(),
    ssh: new Map(),
    migport: new Map(),
  };
  const meminfo: string[] = [];
  for (const line of out.split('\n')) {
    const [key, a = '', b = '', ...rest] = line.trim().split(' ');
    if (key === 'meminfo') meminfo.push(line.trim().slice('meminfo '.length));
    if (key === 'time') f.skewMs = Number(BigInt(a || '0') / 1_000_000n) - localMidpointMs;
    else if (key === 'diskfree') f.diskFree = Number(a) || 0;
    else if (key === 'bridge') f.bridges.push(a);
    else if (key === 'resolves') f.resolves.set(a, b === 'yes');
    else if (key === 'ssh') f.ssh.set(a, { code: Number(b), text: rest.join(' ') });
    else if (key === 'migport') f.migport.set(a, { code: Number(b), text: rest.join(' ') });
  }
  f.memory = parseMeminfo(meminfo.join('\n'));
  return f;
}

const names = (hs: readonly Host[]) => hs.map((h) => h.name).join(', ');

/** Runs the checks; a node that cannot answer is itself a finding. */
export async function preflight(nodes: readonly PreflightNode[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  const add = (f: Finding) => findings.push(f);
  const hosts = nodes.map((n) => n.host);

  const down = hosts.filter((h) => h.state !== 'connected');
  if (down.length) {
    add({
      check: 'Nodes connected',
      level: 'problem',
      detail: `${names(down)} ${down.length === 1 ? 'is' : 'are'} not connected.`,
      fix: 'Reconnect them (or remove them from the selection), then check again.',
    });
    return findings;
  }
  add({ check: 'Nodes connected', level: 'ok', detail: `${names(hosts)}: connected.` });
  const notLibvirt = hosts.filter((h) => h.stack !== 'libvirt');
  if (notLibvirt.length) {
    add({
      check: 'libvirt on every node',
      level: 'problem',
      detail: `${names(notLibvirt)} ${notLibvirt.length === 1 ? 'is not a libvirt node' : 'are not libvirt nodes'}.`,
      fix: 'A libvirt cluster is made of libvirt/KVM nodes only.',
    });
  }

  // Virtualization: a KVM guest cannot run on a node without KVM.
  const emulated = hosts.filter((h) => h.info?.virtualization !== 'kvm');
  add(
    emulated.length === 0
      ? { check: 'Virtualization', level: 'ok', detail: 'KVM on every node.' }
      : {
          check: 'Virtualization',
          level: 'warning',
          detail: `${names(emulated)} ${emulated.length === 1 ? 'has' : 'have'} no KVM: guests there run emulated (slow), and KVM guests cannot move there.`,
          fix: 'Enable VT-x/AMD-V in the firmware and load the kvm modules, or keep such guests emulated.',
        },
  );

  // Versions: migrating to an older QEMU or libvirt can fail.
  for (const what of ['libvirt', 'QEMU']) {
    const pick = (h: Host) => h.info?.software.find((s) => s.name === what)?.version ?? '?';
    const versions = new Set(hosts.map(pick));
    add(
      versions.size === 1
        ? { check: `${what} version`, level: 'ok', detail: `${[...versions][0]} on every node.` }
        : {
            check: `${what} version`,
            level: 'warning',
            detail: hosts.map((h) => `${h.name} ${pick(h)}`).join(', '),
            fix: `Guests may not migrate from a newer ${what} to an older one; bring the nodes to the same version.`,
          },
    );
  }

  // CPU: libvirt works out the model every node can run; guests with it migrate anywhere.
  const models = new Set(hosts.map((h) => h.info?.cpuModel ?? '?'));
  const differ =
    models.size > 1
      ? ` The nodes' CPUs differ: ${hosts.map((h) => `${h.name} ${h.info?.cpuModel ?? '?'}`).join('; ')}.`
      : '';
  try {
    const cpu = await clusterCpu(nodes.map((n) => n.conn));
    add({
      check: 'CPU compatibility',
      level: 'ok',
      detail: `Every node runs ${describeCpu(cpu)} (libvirt's baseline); New VM offers it as the cluster CPU for guests that should migrate.${differ}`,
    });
  } catch (err) {
    add({
      check: 'CPU compatibility',
      level: 'problem',
      detail: `No CPU model runs on every node: ${(err as Error).message}${differ}`,
      fix: 'Live migration needs CPUs of one vendor; make the cluster from nodes whose CPUs libvirt can bring to a common model.',
    });
  }

  // libvirt networks: a guest on a network the target lacks cannot start there.
  const netNames = new Set(nodes.flatMap((n) => n.networks.map((x) => x.name)));
  const missingNets = nodes.flatMap((n) =>
    [...netNames]
      .filter((name) => !n.networks.some((x) => x.name === name))
      .map((name) => `${name} on ${n.host.name}`),
  );
  add(
    missingNets.length === 0
      ? {
          check: 'libvirt networks',
          level: 'ok',
          detail: netNames.size ? `${[...netNames].join(', ')} on every node.` : 'None defined.',
        }
      : {
          check: 'libvirt networks',
          level: 'warning',
          detail: `Missing: ${missingNets.join('; ')}.`,
          fix: 'Define the same networks on every node, or guests on them cannot move to the nodes without them.',
        },
  );

  // Per-node facts, in parallel.
  const facts = await Promise.all(
    nodes.map(async (n) => {
      const peers = hosts.filter((h) => h.id !== n.host.id);
      const sent = Date.now();
      try {
        const r = await n.conn.exec(factsArgv(peers), { timeoutMs: 60_000 });
        const back = Date.now();
        if (r.code !== 0) throw new Error(r.stderr.trim() || `exit code ${r.code}`);
        return { node: n, facts: parseFacts(r.stdout, (sent + back) / 2) };
      } catch (err) {
        add({
          check: 'Node facts',
          level: 'problem',
          detail: `${n.host.name} could not run the checks: ${(err as Error).message}`,
        });
        return undefined;
      }
    }),
  );
  const ok = facts.filter((x): x is NonNullable<typeof x> => !!x);

  const skewed = ok.filter((x) => Math.abs(x.facts.skewMs) > 2000);
  add(
    skewed.length === 0
      ? { check: 'Clocks', level: 'ok', detail: 'Every node within 2 s of this computer.' }
      : {
          check: 'Clocks',
          level: 'warning',
          detail: skewed
            .map((x) => `${x.node.host.name} is ${(x.facts.skewMs / 1000).toFixed(1)} s off`)
            .join('; '),
          fix: 'Run time synchronisation (chrony or systemd-timesyncd) on every node.',
        },
  );

  const low = ok.filter(
    (x) => x.facts.memory.availableBytes < 2 ** 30 || x.facts.diskFree < 5 * 2 ** 30,
  );
  add({
    check: 'Free memory and disk',
    level: low.length ? 'warning' : 'ok',
    detail: ok
      .map(
        (x) =>
          `${x.node.host.name}: ${formatBytes(x.facts.memory.availableBytes)} of ${formatBytes(x.facts.memory.totalBytes)} memory available to new guests, ${formatBytes(x.facts.diskFree)} free in /var/lib/libvirt/images`,
      )
      .join('; '),
    ...(low.length
      ? { fix: `${names(low.map((x) => x.node.host))} may have no room for guests moved to them.` }
      : {}),
  });

  const bridgeNames = new Set(ok.flatMap((x) => x.facts.bridges));
  const missingBridges = ok.flatMap((x) =>
    [...bridgeNames]
      .filter((b) => !x.facts.bridges.includes(b))
      .map((b) => `${b} on ${x.node.host.name}`),
  );
  add(
    missingBridges.length === 0
      ? {
          check: 'Host bridges',
          level: 'ok',
          detail: bridgeNames.size ? `${[...bridgeNames].join(', ')} on every node.` : 'None.',
        }
      : {
          check: 'Host bridges',
          level: 'warning',
          detail: `Missing: ${missingBridges.join('; ')}.`,
          fix: 'Create the same bridges on every node, or bridged guests cannot move there.',
        },
  );

  const unresolved: string[] = [];
  const noSsh: string[] = [];
  const noMigPort: string[] = [];
  for (const x of ok) {
    for (const peer of hosts.filter((h) => h.id !== x.node.host.id)) {
      const label = `${x.node.host.name} → ${peer.name}`;
      if (x.facts.resolves.get(peer.address) === false)
        unresolved.push(`${label} (${peer.info?.hostname || peer.name})`);
      const s = x.facts.ssh.get(peer.address);
      // 0: logged in already; 255 with a refused login: the path is there.
      const reached = s && (s.code === 0 || /permission denied|publickey/i.test(s.text));
      if (!reached)
        noSsh.push(`${label} (${peer.address}:${peer.port}): ${s?.text || 'no answer'}`);
      const m = x.facts.migport.get(peer.address);
      if (m && m.code !== 0 && !/refused/i.test(m.text))
        noMigPort.push(`${label} (${peer.address}:${MIGRATION_PORT})`);
    }
  }
  add(
    unresolved.length === 0
      ? { check: 'Host names', level: 'ok', detail: 'Every node resolves the others’ names.' }
      : {
          check: 'Host names',
          level: 'warning',
          detail: `Not resolved: ${unresolved.join('; ')}.`,
          fix: 'Clusterdeck migrates by address, so this works; add the names to DNS or /etc/hosts for tools that use them.',
        },
  );
  add(
    noSsh.length === 0
      ? { check: 'SSH between nodes', level: 'ok', detail: 'Every node reaches the others’ sshd.' }
      : {
          check: 'SSH between nodes',
          level: 'problem',
          detail: noSsh.join('; '),
          fix: 'Open the SSH port between the nodes (firewall, routes), then check again.',
        },
  );
  add(
    noMigPort.length === 0
      ? {
          check: 'Migration ports',
          level: 'ok',
          detail: `Nothing filters port ${MIGRATION_PORT} between the nodes.`,
        }
      : {
          check: 'Migration ports',
          level: 'warning',
          detail: `No answer: ${noMigPort.join('; ')}.`,
          fix: `Open TCP ${MIGRATION_PORT}–49215 between the nodes for live migration.`,
        },
  );
  return findings;
}
