// The lab's pvecm: status and nodes (corosync's view, as pvecm prints it from
// the parts the API knows), create (`POST /cluster/config`), add (`POST
// /cluster/config/join` on this node: the join's password read from standard
// input, where the real one asks on the terminal; --fingerprint is required,
// where the real one would ask to accept the certificate) and delnode
// (`DELETE /cluster/config/nodes/{node}`). Create and add print the worker's
// log as it runs, as pvecm prints its own steps. Test infrastructure only.
import { readFileSync } from 'node:fs';
import { ArgError, parseArgs } from './tool-args';
import { apiData, die } from './tool-api';

interface StatusRow {
  type: string;
  name: string;
  nodes?: number;
  quorate?: number;
  version?: number;
  nodeid?: number;
  ip?: string;
  online?: number;
  local?: number;
}

const NOT_IN_CLUSTER =
  "Error: Corosync config '/etc/pve/corosync.conf' does not exist - is this node part of a cluster?\n";

/** C's ctime(3), as corosync-quorumtool prints its date: `Tue Dec  1 06:36:29 2026`. */
function ctime(d: Date): string {
  const [wd, mon, day, year, time] = d.toString().split(' ');
  return `${wd} ${mon} ${String(Number(day)).padStart(2)} ${time} ${year}`;
}

const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

async function clusterRows(): Promise<{ cluster: StatusRow; nodes: StatusRow[] }> {
  const rows = (await apiData('GET', '/cluster/status')) as StatusRow[];
  const cluster = rows.find((r) => r.type === 'cluster');
  if (!cluster) die(NOT_IN_CLUSTER);
  const nodes = rows.filter((r) => r.type === 'node').sort((a, b) => a.nodeid! - b.nodeid!);
  return { cluster, nodes };
}

async function status(): Promise<void> {
  const { cluster, nodes } = await clusterRows();
  const online = nodes.filter((n) => n.online);
  const local = nodes.find((n) => n.local);
  const quorum = Math.floor(nodes.length / 2) + 1;
  const out = [
    'Cluster information',
    '-------------------',
    `Name:             ${cluster.name}`,
    `Config Version:   ${cluster.version}`,
    'Transport:        knet',
    'Secure auth:      on',
    '',
    'Quorum information',
    '------------------',
    `Date:             ${ctime(new Date())}`,
    'Quorum provider:  corosync_votequorum',
    `Nodes:            ${online.length}`,
    `Node ID:          ${hex(local?.nodeid ?? 0)}`,
    'Ring ID:          1.2c',
    `Quorate:          ${cluster.quorate ? 'Yes' : 'No'}`,
    '',
    'Votequorum information',
    '----------------------',
    `Expected votes:   ${nodes.length}`,
    `Highest expected: ${nodes.length}`,
    `Total votes:      ${online.length}`,
    `Quorum:           ${quorum} ${cluster.quorate ? '' : ' Activity blocked'}`.trimEnd(),
    `Flags:            ${cluster.quorate ? 'Quorate' : ''}`.trimEnd(),
    '',
    'Membership information',
    '----------------------',
    '    Nodeid      Votes Name',
    ...online.map((n) => `${hex(n.nodeid!)}          1 ${n.ip}${n.local ? ' (local)' : ''}`),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

async function nodes(): Promise<void> {
  const { nodes } = await clusterRows();
  const out = [
    '',
    'Membership information',
    '----------------------',
    '    Nodeid      Votes Name',
    ...nodes
      .filter((n) => n.online)
      .map(
        (n) =>
          `${String(n.nodeid).padStart(10)} ${'1'.padStart(10)} ${n.name}${n.local ? ' (local)' : ''}`,
      ),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

/** Prints the worker's log while it runs; fails with its exit status. */
async function follow(upid: string): Promise<void> {
  const node = upid.split(':')[1]!;
  let printed = 0;
  for (;;) {
    const st = (await apiData('GET', `/nodes/${node}/tasks/${upid}/status`)) as {
      status: string;
      exitstatus?: string;
    };
    const log = (await apiData('GET', `/nodes/${node}/tasks/${upid}/log`, [
      ['start', String(printed)],
    ])) as { n: number; t: string }[];
    for (const l of log) {
      printed = Math.max(printed, l.n);
      if (!/^TASK (OK|ERROR)/.test(l.t)) process.stdout.write(`${l.t}\n`);
    }
    if (st.status === 'stopped') {
      if (st.exitstatus !== 'OK') die(st.exitstatus ?? 'task failed');
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function create(argv: string[]): Promise<void> {
  const p = parseArgs(argv, 1);
  const name = p.positional[0];
  if (!name) die('400 not enough arguments\npvecm create <clustername> [OPTIONS]\n');
  const upid = (await apiData('POST', '/cluster/config', [
    ['clustername', name],
    ...p.pairs,
  ])) as string;
  await follow(upid);
}

async function add(argv: string[]): Promise<void> {
  const p = parseArgs(argv, 1);
  const host = p.positional[0];
  if (!host) die('400 not enough arguments\npvecm add <hostname> [OPTIONS]\n');
  if (!p.pairs.some(([k]) => k === 'fingerprint'))
    die("pvecm add: the lab's pvecm needs --fingerprint (the real one asks to accept it)\n");
  if (process.stdin.isTTY)
    die("pvecm add: the lab's pvecm reads the password from standard input, not a terminal\n");
  const password = readFileSync(0, 'utf8').split('\n')[0] ?? '';
  const upid = (await apiData('POST', '/cluster/config/join', [
    ['hostname', host],
    ['password', password],
    ...p.pairs,
  ])) as string;
  await follow(upid);
}

async function delnode(argv: string[]): Promise<void> {
  const node = argv[0];
  if (!node) die('400 not enough arguments\npvecm delnode <node>\n');
  await apiData('DELETE', `/cluster/config/nodes/${node}`);
}

export async function pvecm(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  try {
    if (cmd === 'status') return await status();
    if (cmd === 'nodes') return await nodes();
    if (cmd === 'create') return await create(rest);
    if (cmd === 'add') return await add(rest);
    if (cmd === 'delnode') return await delnode(rest);
  } catch (err) {
    if (err instanceof ArgError) die(err.message);
    throw err;
  }
  die(`ERROR: unknown command 'pvecm ${cmd ?? ''}'\n`);
}
