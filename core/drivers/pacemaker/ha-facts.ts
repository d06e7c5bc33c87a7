// What one node says about itself before it joins a Corosync + Pacemaker
// cluster: its distribution, the HA tools it has, its init, its clock and
// host name, whether corosync already runs or is configured there, whether
// Pacemaker keeps a configuration, whether its ring address is its own and
// which names it resolves. One fixed line of shell; the node's own address
// and the names to resolve are its arguments. Nothing is changed.

/** Tools by the package that brings them (Debian names; the RHEL ones are alike). */
export const HA_TOOLS = {
  corosync: ['corosync', 'corosync-cfgtool', 'corosync-quorumtool'],
  pacemaker: ['pacemakerd'],
  'pacemaker-cli-utils': ['crm_mon', 'crm_attribute', 'cibadmin', 'stonith_admin'],
} as const;
export const VIRTUAL_DOMAIN = '/usr/lib/ocf/resource.d/heartbeat/VirtualDomain';
export const COROSYNC_CONF = '/etc/corosync/corosync.conf';
export const AUTHKEY = '/etc/corosync/authkey';
export const CIB_FILE = '/var/lib/pacemaker/cib/cib.xml';

const TOOL_NAMES = Object.values(HA_TOOLS).flat().join(' ');

const FACTS_SCRIPT = [
  'addr=$1; shift;',
  'if [ -r /etc/os-release ]; then . /etc/os-release; fi; echo "os ${ID:-unknown} ${ID_LIKE:-}";',
  'echo "hostname $(uname -n)";',
  'echo "time $(date +%s%N)";',
  `for t in ${TOOL_NAMES}; do if command -v "$t" >/dev/null 2>&1; then echo "tool $t yes"; else echo "tool $t no"; fi; done;`,
  `if [ -e ${VIRTUAL_DOMAIN} ]; then echo "ra VirtualDomain yes"; else echo "ra VirtualDomain no"; fi;`,
  'for f in /usr/sbin/fence_* /sbin/fence_*; do [ -x "$f" ] && echo "fence ${f##*/}"; done;',
  // sd_booted(): systemd runs the node when this folder exists.
  'if [ -d /run/systemd/system ]; then echo "init systemd"; elif command -v rc-service >/dev/null 2>&1; then echo "init openrc"; elif command -v service >/dev/null 2>&1; then echo "init sysv"; else echo "init unknown"; fi;',
  'if corosync-cfgtool -s >/dev/null 2>&1; then echo "running yes $(corosync-cmapctl -g totem.cluster_name 2>/dev/null | sed -n "s/.*= //p")"; else echo "running no"; fi;',
  `if [ -f ${COROSYNC_CONF} ]; then echo "conf yes"; grep -E '^[[:space:]]*(cluster_name|name|ring0_addr):' ${COROSYNC_CONF} | sed 's/^[[:space:]]*/confline /'; else echo "conf no"; fi;`,
  `if [ -f ${AUTHKEY} ]; then echo "authkey yes"; else echo "authkey no"; fi;`,
  `if [ -f ${CIB_FILE} ]; then echo "cib yes"; else echo "cib no"; fi;`,
  'r=$(ip -o route get "$addr" 2>/dev/null); case "$r" in local*) echo "ring $addr local";; "") echo "ring $addr unknown";; *) echo "ring $addr remote";; esac;',
  'for n in "$@"; do a=$(getent hosts "$n" | awk "NR==1 {print \\$1}"); echo "resolves $n ${a:--}"; done',
].join(' ');

/** The facts command for a node: its own ring address, then the names to resolve (every node's). */
export function haFactsArgv(ringAddress: string, names: readonly string[]): string[] {
  return ['sh', '-c', FACTS_SCRIPT, 'clusterdeck-ha-preflight', ringAddress, ...names];
}

export interface HaFacts {
  os: { id: string; like: string[] };
  hostname: string;
  /** This node's clock minus this computer's (ms), from the command's midpoint. */
  skewMs: number;
  tools: Map<string, boolean>;
  virtualDomain: boolean;
  fenceAgents: string[];
  init: 'systemd' | 'openrc' | 'sysv' | 'unknown';
  /** corosync answers; the name of the cluster it runs, when it says. */
  running: { yes: boolean; cluster: string };
  conf: { exists: boolean; clusterName?: string; names: string[]; rings: string[] };
  authkey: boolean;
  cib: boolean;
  ring: 'local' | 'remote' | 'unknown';
  /** Each name asked about: the address it resolves to, or undefined. */
  resolves: Map<string, string | undefined>;
}

export function parseHaFacts(out: string, localMidpointMs: number): HaFacts {
  const f: HaFacts = {
    os: { id: 'unknown', like: [] },
    hostname: '',
    skewMs: 0,
    tools: new Map(),
    virtualDomain: false,
    fenceAgents: [],
    init: 'unknown',
    running: { yes: false, cluster: '' },
    conf: { exists: false, names: [], rings: [] },
    authkey: false,
    cib: false,
    ring: 'unknown',
    resolves: new Map(),
  };
  for (const raw of out.split('\n')) {
    const [key = '', a = '', b = '', ...rest] = raw.trim().split(/\s+/);
    if (key === 'os') f.os = { id: a, like: [b, ...rest].filter(Boolean) };
    else if (key === 'hostname') f.hostname = a;
    else if (key === 'time') f.skewMs = Number(BigInt(a || '0') / 1_000_000n) - localMidpointMs;
    else if (key === 'tool') f.tools.set(a, b === 'yes');
    else if (key === 'ra') f.virtualDomain = b === 'yes';
    else if (key === 'fence') f.fenceAgents.push(a);
    else if (key === 'init' && ['systemd', 'openrc', 'sysv'].includes(a))
      f.init = a as HaFacts['init'];
    else if (key === 'running') f.running = { yes: a === 'yes', cluster: b };
    else if (key === 'conf') f.conf.exists = a === 'yes';
    else if (key === 'confline') {
      if (a === 'cluster_name:') f.conf.clusterName = b;
      else if (a === 'name:') f.conf.names.push(b);
      else if (a === 'ring0_addr:') f.conf.rings.push(b);
    } else if (key === 'authkey') f.authkey = a === 'yes';
    else if (key === 'cib') f.cib = a === 'yes';
    else if (key === 'ring' && (b === 'local' || b === 'remote')) f.ring = b;
    else if (key === 'resolves') f.resolves.set(a, b && b !== '-' ? b : undefined);
  }
  return f;
}

/**
 * The file a distribution's corosync package installs as an example (Debian:
 * cluster_name debian, one node at 127.0.0.1; RHEL ships none): no cluster.
 */
export function isPackageExample(conf: HaFacts['conf']): boolean {
  return (
    conf.exists &&
    (conf.clusterName === undefined || conf.clusterName === 'debian') &&
    conf.rings.every((r) => r === '127.0.0.1')
  );
}

/** The distribution family, from os-release's ID and ID_LIKE. */
export function distroFamily(os: HaFacts['os']): 'debian' | 'rhel' | undefined {
  const ids = [os.id, ...os.like];
  if (ids.some((i) => ['debian', 'ubuntu'].includes(i))) return 'debian';
  if (ids.some((i) => ['rhel', 'fedora', 'centos', 'rocky', 'almalinux'].includes(i)))
    return 'rhel';
  return undefined;
}

/** The exact command that installs the HA packages on the node's distribution. */
export function haInstallArgv(os: HaFacts['os']): string[] | undefined {
  switch (distroFamily(os)) {
    case 'debian':
      return [
        'env',
        'DEBIAN_FRONTEND=noninteractive',
        'apt-get',
        'install',
        '-y',
        '--no-install-recommends',
        'corosync',
        'pacemaker',
        'pacemaker-cli-utils',
        'resource-agents',
        'fence-agents',
      ];
    case 'rhel':
      return [
        'dnf',
        'install',
        '-y',
        'pacemaker',
        'corosync',
        'resource-agents',
        'fence-agents-all',
      ];
    default:
      return undefined;
  }
}

/** The fence agents pacemaker brings itself, which fence no hardware. */
export const PACEMAKER_OWN_AGENTS = ['fence_legacy', 'fence_watchdog'];
