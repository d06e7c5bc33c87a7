// /etc/corosync/corosync.conf built from a typed spec: one file, the same on
// every node (corosync.conf(5), votequorum(5)). Every value is checked before
// it is written: the file's syntax has no quoting, so a name with a brace or
// a line break would change its structure.
import { isIP } from 'node:net';

export interface CorosyncNode {
  /** The node's host name (`uname -n`): corosync finds its own entry by it. */
  name: string;
  nodeid: number;
  /** The address knet binds to and peers send to (link 0). */
  ring0: string;
}

export interface CorosyncSpec {
  clusterName: string;
  nodes: readonly CorosyncNode[];
  /** totem token timeout in ms; corosync's default when unset. */
  tokenMs?: number;
}

/** What makes the spec unwritable, as sentences (none: it can be written). */
export function corosyncSpecProblems(spec: CorosyncSpec): string[] {
  const problems: string[] = [];
  // corosync limits cluster_name to 32 characters (DLM, and lvmlockd, use it).
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/.test(spec.clusterName))
    problems.push(
      `The cluster name ${JSON.stringify(spec.clusterName)} cannot be corosync's cluster_name: up to 32 letters, digits, ".", "_" or "-".`,
    );
  if (spec.nodes.length < 2) problems.push('A cluster has at least two nodes.');
  const seen = new Set<string>();
  for (const n of spec.nodes) {
    if (!/^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/.test(n.name))
      problems.push(`${JSON.stringify(n.name)} is not a host name corosync can use.`);
    if (!isIP(n.ring0)) problems.push(`${n.name}'s ring address ${n.ring0} is not an IP address.`);
    if (!Number.isInteger(n.nodeid) || n.nodeid < 1 || n.nodeid > 0x7fffffff)
      problems.push(`${n.name}'s nodeid ${n.nodeid} is out of range.`);
    for (const key of [`name ${n.name}`, `address ${n.ring0}`, `nodeid ${n.nodeid}`]) {
      if (seen.has(key)) problems.push(`Two nodes have the ${key}.`);
      seen.add(key);
    }
  }
  if (spec.tokenMs !== undefined && (!Number.isInteger(spec.tokenMs) || spec.tokenMs < 1000))
    problems.push('The token timeout is a whole number of milliseconds, at least 1000.');
  return problems;
}

/** The file's text; throws on a spec with problems (plans check them first). */
export function corosyncConf(spec: CorosyncSpec): string {
  const problems = corosyncSpecProblems(spec);
  if (problems.length) throw new Error(problems.join(' '));
  const lines = [
    '# Written by Clusterdeck (New Cluster, high availability); the same on every node.',
    'totem {',
    '  version: 2',
    `  cluster_name: ${spec.clusterName}`,
    '  transport: knet',
    ...(spec.tokenMs !== undefined ? [`  token: ${spec.tokenMs}`] : []),
    // Nodes authenticate each other with /etc/corosync/authkey.
    '  crypto_cipher: aes256',
    '  crypto_hash: sha256',
    '}',
    'nodelist {',
    ...spec.nodes.flatMap((n) => [
      '  node {',
      `    name: ${n.name}`,
      `    nodeid: ${n.nodeid}`,
      `    ring0_addr: ${n.ring0}`,
      '  }',
    ]),
    '}',
    'quorum {',
    '  provider: corosync_votequorum',
    // Two nodes: either one alone keeps quorum (wait_for_all is implied), so
    // fencing decides who survives a split; see the preflight's explanation.
    ...(spec.nodes.length === 2 ? ['  two_node: 1'] : []),
    '}',
    'logging {',
    '  to_logfile: yes',
    '  logfile: /var/log/corosync/corosync.log',
    '  to_syslog: yes',
    '  timestamp: on',
    '}',
  ];
  return `${lines.join('\n')}\n`;
}

/** The nodes of a corosync.conf's nodelist (name and ring0), as a reader of the file on a node sees them. */
export function corosyncConfNodes(text: string): { name: string; ring0: string }[] {
  const nodes: { name: string; ring0: string }[] = [];
  for (const block of text.matchAll(/node\s*\{([^}]*)\}/g)) {
    const body = block[1] ?? '';
    const name = /^\s*name:\s*(\S+)/m.exec(body)?.[1];
    const ring0 = /^\s*ring0_addr:\s*(\S+)/m.exec(body)?.[1];
    if (name || ring0) nodes.push({ name: name ?? '', ring0: ring0 ?? '' });
  }
  return nodes;
}

/** corosync.conf's cluster_name, if any. */
export function corosyncClusterName(text: string): string | undefined {
  return /^\s*cluster_name:\s*(\S+)/m.exec(text)?.[1];
}
