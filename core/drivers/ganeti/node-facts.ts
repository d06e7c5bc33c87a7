// What New Cluster on Ganeti needs to know of a node, in one command per
// node: Ganeti's version and whether it is in a cluster already, its links,
// addresses and bridges, what its hardware offers for hypervisors and disk
// templates (qemu, /dev/kvm, the drbd module, LVM volume groups, the file
// storage paths Ganeti allows), and, for the preflight, how it resolves the
// other nodes' names, whether their SSH ports answer, and whether the cluster
// IP is in use. Ganeti needs Python 3 on every node, so the probe is a fixed
// Python script read from stdin (an argument may not hold newlines); what it
// is asked about goes as one JSON argument.
import { z } from 'zod';

export const NODE_FACTS_SCRIPT = String.raw`
import json, os, shutil, socket, stat, subprocess, sys
ask = json.loads(sys.argv[1])
def run(a):
    try:
        return subprocess.run(a, capture_output=True, text=True, timeout=20).stdout
    except Exception:
        return ''
def connect(ip, port, wait):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(wait)
    try:
        s.connect((ip, port))
        return 'open'
    except ConnectionRefusedError:
        return 'refused'
    except OSError:
        return 'none'
    finally:
        s.close()
def resolve(n):
    try:
        return socket.gethostbyname(n)
    except OSError:
        return None
f = {}
f['fqdn'] = run(['hostname', '-f']).strip() or socket.gethostname()
f['version'] = run(['gnt-cluster', '--version']).strip()
try:
    f['cluster'] = open('/var/lib/ganeti/ssconf_cluster_name').read().strip()
except OSError:
    f['cluster'] = ''
f['configured'] = os.path.exists('/var/lib/ganeti/config.data')
f['addrs'] = []
for l in run(['ip', '-o', '-4', 'addr', 'show']).splitlines():
    p = l.split()
    if len(p) > 3 and p[2] == 'inet':
        ip, _, pre = p[3].partition('/')
        f['addrs'].append({'dev': p[1], 'ip': ip, 'prefix': int(pre or 32)})
def links(extra):
    return [l.split(':')[1].strip().split('@')[0] for l in run(['ip', '-o', 'link', 'show'] + extra).splitlines() if l.count(':') >= 2]
f['links'] = links([])
f['bridges'] = links(['type', 'bridge'])
f['qemu'] = shutil.which('qemu-system-x86_64') or shutil.which('kvm') or ''
def kvm():
    try:
        return stat.S_ISCHR(os.stat('/dev/kvm').st_mode) and os.access('/dev/kvm', os.R_OK | os.W_OK)
    except OSError:
        return False
f['devKvm'] = kvm()
f['drbd'] = os.path.isdir('/sys/module/drbd')
f['vgs'] = [v.strip() for v in run(['vgs', '--noheadings', '-o', 'vg_name']).splitlines() if v.strip()] if shutil.which('vgs') else []
f['lvm'] = bool(shutil.which('vgs'))
try:
    paths = [l.strip() for l in open('/etc/ganeti/file-storage-paths') if l.strip() and not l.startswith('#')]
except OSError:
    paths = []
f['filePaths'] = [{'path': p, 'exists': os.path.isdir(p)} for p in paths]
f['resolve'] = {n: resolve(n) for n in ask.get('resolve', [])}
f['ssh'] = {ip: connect(ip, 22, 3) for ip in ask.get('ssh', [])}
own = {a['ip'] for a in f['addrs']}
def used(n):
    ip = resolve(n)
    return 'none' if not ip else 'own' if ip in own else connect(ip, 1811, 2)
f['free'] = {n: used(n) for n in ask.get('free', [])}
print(json.dumps(f))
`;

export interface FactsAsk {
  resolve?: string[];
  ssh?: string[];
  free?: string[];
}

/** The probe as one command (NODE_FACTS_SCRIPT on its stdin); the questions as a JSON argument. */
export function nodeFactsArgv(ask: FactsAsk = {}): string[] {
  return ['python3', '-', JSON.stringify(ask)];
}

const factsSchema = z.object({
  fqdn: z.string(),
  version: z.string(),
  cluster: z.string(),
  configured: z.boolean(),
  addrs: z.array(z.object({ dev: z.string(), ip: z.string(), prefix: z.number() })),
  links: z.array(z.string()),
  bridges: z.array(z.string()),
  qemu: z.string(),
  devKvm: z.boolean(),
  drbd: z.boolean(),
  vgs: z.array(z.string()),
  lvm: z.boolean(),
  filePaths: z.array(z.object({ path: z.string(), exists: z.boolean() })),
  resolve: z.record(z.string(), z.string().nullable()),
  ssh: z.record(z.string(), z.enum(['open', 'refused', 'none'])),
  /** By name: 'own': the node has its address itself; 'open'/'refused': something answers there. */
  free: z.record(z.string(), z.enum(['own', 'open', 'refused', 'none'])),
});
export type NodeFacts = z.infer<typeof factsSchema>;

export function parseNodeFacts(stdout: string): NodeFacts {
  return factsSchema.parse(JSON.parse(stdout));
}

/** Ganeti's version from `gnt-cluster --version` ("gnt-cluster (ganeti 3.0.2-3) 3.0.2"). */
export function ganetiVersion(f: NodeFacts): string {
  return /(\d+\.\d+(?:\.\d+)?)\s*$/.exec(f.version)?.[1] ?? '';
}

/** The node's own address: the one of the device with its default route, else the first not loopback. */
export function primaryAddress(f: NodeFacts): NodeFacts['addrs'][number] | undefined {
  return f.addrs.find((a) => a.dev !== 'lo' && !a.ip.startsWith('127.'));
}
