// Moving Ganeti instances, without I/O: the commands (`gnt-instance migrate`
// live or `--non-live`, `failover`, `move`, each also as a `--dry-run`, which
// runs Ganeti's own prerequisite checks and nothing else; `gnt-node migrate`
// and the drain flag for maintenance), the fresh lists the options are
// worked out from, and the options themselves: Ganeti 3.0's checks mirrored
// (cmdlib/instance_migration.py, LUInstanceMove) so the wizard can say at
// once why a way or a node is not offered. The dry run stays the judge.
import type { ClusterMoveKind, ClusterMoveOption } from '../../../shared/cluster-moves';
import { checkedJobId, checkedName } from './commands';

/** Disks on DRBD: the instance moves to its secondary node only (Ganeti's DTS_INT_MIRROR). */
export const INTERNALLY_MIRRORED = ['drbd'];
/** Disks every node reaches (DTS_EXT_MIRROR): migration and failover to any node. */
export const EXTERNALLY_MIRRORED = ['diskless', 'sharedfile', 'blockdev', 'rbd', 'ext', 'gluster'];
/** Disks `gnt-instance move` can copy to another node (DTS_COPYABLE). */
export const COPYABLE = ['plain', 'file'];

const LIST = ['--no-headers', '--separator=|', '-o'];

/** What the options need of each node: fresh, since free memory changes with every start. */
export const MOVE_NODE_FIELDS = ['name', 'offline', 'drained', 'vm_capable', 'mfree'] as const;
export const moveNodesArgv = () => ['gnt-node', 'list', ...LIST, MOVE_NODE_FIELDS.join(',')];

/** What the options need of the instance: its placement, state and memory. */
export const MOVE_INSTANCE_FIELDS = [
  'name',
  'status',
  'admin_state',
  'pnode',
  'snodes',
  'disk_template',
  'be/minmem',
  'be/maxmem',
] as const;
export const moveInstanceArgv = (name: string) => [
  'gnt-instance',
  'list',
  ...LIST,
  MOVE_INSTANCE_FIELDS.join(','),
  '--',
  checkedName(name),
];

export interface MoveNode {
  name: string;
  offline: boolean;
  drained: boolean;
  vmCapable: boolean;
  /** MiB; undefined when the node cannot say (offline). */
  freeMiB: number | undefined;
}

export interface MoveInstance {
  name: string;
  status: string;
  /** Ganeti's admin state: up, down or offline (what it is meant to be). */
  adminUp: boolean;
  primary: string;
  secondaries: string[];
  template: string;
  minMemMiB: number;
  maxMemMiB: number;
}

const yes = (s: string | undefined) => s === 'Y';
const num = (s: string | undefined) => (s && /^\d+$/.test(s) ? Number(s) : undefined);

function fields(stdout: string, width: number, what: string): string[][] {
  return stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const f = l.split('|');
      if (f.length !== width) throw new Error(`Unexpected ${what} line: ${l}`);
      return f;
    });
}

export function parseMoveNodes(stdout: string): MoveNode[] {
  return fields(stdout, MOVE_NODE_FIELDS.length, 'gnt-node list').map(([n, o, d, v, m]) => ({
    name: n!,
    offline: yes(o),
    drained: yes(d),
    vmCapable: yes(v),
    freeMiB: num(m),
  }));
}

export function parseMoveInstance(stdout: string): MoveInstance {
  const [f] = fields(stdout, MOVE_INSTANCE_FIELDS.length, 'gnt-instance list');
  if (!f) throw new Error('Ganeti lists no such instance.');
  const [name, status, admin, pnode, snodes, template, minmem, maxmem] = f;
  return {
    name: name!,
    status: status!,
    adminUp: admin === 'up',
    primary: pnode!,
    secondaries: snodes ? snodes.split(',').filter(Boolean) : [],
    template: template!,
    minMemMiB: num(minmem) ?? 0,
    maxMemMiB: num(maxmem) ?? 0,
  };
}

/** The ways Ganeti moves an instance (offline and restart migrations are Proxmox VE's). */
type GanetiMoveKind = Exclude<ClusterMoveKind, 'offline' | 'restart'>;

const LABELS: Record<GanetiMoveKind, { label: string; note: string }> = {
  live: {
    label: 'Live migration (gnt-instance migrate)',
    note: 'The instance keeps running while its memory is copied to the other node.',
  },
  'non-live': {
    label: 'Non-live migration (gnt-instance migrate --non-live)',
    note: 'The instance is frozen while its memory is copied, then resumes on the other node.',
  },
  failover: {
    label: 'Failover (gnt-instance failover)',
    note: 'The instance is shut down and started on the other node; one that is off only changes node.',
  },
  move: {
    label: 'Move the disks (gnt-instance move)',
    note: 'The instance is shut down, its disks are copied to the chosen node, and it starts there if it was running.',
  },
};

/** Why a node cannot take the instance, as Ganeti's own checks would say; undefined when it can. */
function nodeRefusal(
  node: MoveNode | undefined,
  name: string,
  needMiB: number,
): string | undefined {
  if (!node) return `${name} is not a node of this cluster`;
  if (node.offline) return `${name} is offline`;
  if (node.drained) return `${name} is drained`;
  if (!node.vmCapable) return `${name} is not VM-capable`;
  if (needMiB > 0 && node.freeMiB !== undefined && node.freeMiB < needMiB)
    return `${name} has ${node.freeMiB} MiB free, the instance needs ${needMiB} MiB`;
  return undefined;
}

const isRunning = (i: MoveInstance) => i.status === 'running' || i.status === 'ERROR_up';

/**
 * The ways the instance can move and where to, mirroring Ganeti 3.0: migrate
 * needs mirrored disks and a running instance, and as much free memory on
 * the target as the instance's minimum; failover needs mirrored disks (and
 * the memory only if the instance is meant to run); move needs disks it can
 * copy (plain, file; diskless has none) and the maximum memory if it runs.
 */
export function moveOptions(inst: MoveInstance, nodes: readonly MoveNode[]): ClusterMoveOption[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const internal = INTERNALLY_MIRRORED.includes(inst.template);
  const mirrored = internal || EXTERNALLY_MIRRORED.includes(inst.template);
  const others = nodes.filter((n) => n.name !== inst.primary).map((n) => n.name);
  // A DRBD mirror moves to its secondary, nowhere else.
  const candidates = internal ? inst.secondaries : others;
  const targets = (needMiB: number) =>
    candidates.map((node) => {
      const refused = nodeRefusal(byName.get(node), node, needMiB);
      return refused ? { node, refused } : { node };
    });
  const option = (how: GanetiMoveKind, refused: string | undefined, needMiB: number) => {
    const t = refused ? [] : targets(needMiB);
    const none =
      !refused && !t.some((x) => !x.refused)
        ? t.length
          ? 'No node can take it now (see each node).'
          : 'The cluster has no other node.'
        : undefined;
    const why = refused ?? none;
    return {
      how,
      ...LABELS[how],
      ...(why ? { refused: why } : {}),
      targets: t,
      fixedTarget: internal && how !== 'move',
    };
  };
  const notMirrored = (what: string) =>
    `Its disk template ${inst.template} does not allow ${what}: its disks are on ${inst.primary} only.`;
  const migrateRefusal = !mirrored
    ? notMirrored('migrations')
    : !isRunning(inst)
      ? `${inst.name} is not running (${inst.status}): use failover.`
      : undefined;
  const copyable = inst.template === 'diskless' || COPYABLE.includes(inst.template);
  return [
    option('live', migrateRefusal, inst.minMemMiB),
    option('non-live', migrateRefusal, inst.minMemMiB),
    option(
      'failover',
      mirrored ? undefined : notMirrored('failovers'),
      inst.adminUp ? inst.minMemMiB : 0,
    ),
    option(
      'move',
      copyable
        ? undefined
        : `Its disk template ${inst.template} cannot be copied to another node (only plain and file disks can).`,
      inst.adminUp ? inst.maxMemMiB : 0,
    ),
  ];
}

/** The command of a move; `dryRun` runs Ganeti's checks only (and waits), otherwise it is submitted. */
export function moveArgv(
  name: string,
  how: ClusterMoveKind,
  targetNode: string | undefined,
  dryRun = false,
): string[] {
  const mode = dryRun ? ['--dry-run'] : ['--submit'];
  const target = targetNode ? [`--target-node=${checkedName(targetNode, 'node')}`] : [];
  const tail = ['--', checkedName(name)];
  switch (how) {
    case 'live':
      return [
        'gnt-instance',
        'migrate',
        ...mode,
        '-f',
        '--migration-mode=live',
        ...target,
        ...tail,
      ];
    case 'non-live':
      return ['gnt-instance', 'migrate', ...mode, '-f', '--non-live', ...target, ...tail];
    case 'failover':
      return ['gnt-instance', 'failover', ...mode, '-f', ...target, ...tail];
    case 'move':
      if (!targetNode) throw new Error('gnt-instance move needs a target node.');
      return [
        'gnt-instance',
        'move',
        ...mode,
        '-f',
        `--node=${checkedName(targetNode, 'node')}`,
        ...tail,
      ];
    case 'offline':
    case 'restart':
      throw new Error(`Ganeti has no ${how} migration.`);
  }
}

/**
 * Ganeti's refusal in its own words, from a failed dry run's output:
 * "Failure: prerequisites not met for this operation:\nerror type:
 * wrong_state, error details:\nCan't use drained node node3" gives the
 * details line; anything else is kept whole.
 */
export function ganetiRefusal(output: string): string {
  const text = output.trim();
  const m = /error details:\s*\n([\s\S]+)$/.exec(text);
  const lines = (m ? m[1]! : text)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.join(' ') || 'Ganeti refused it without a message.';
}

// Maintenance: drain the node (no new instance is placed on it), then
// `gnt-node migrate`, which submits one migration job per primary instance.
export const drainArgv = (node: string, drained: boolean, dryRun = false) => [
  'gnt-node',
  'modify',
  dryRun ? '--dry-run' : '--submit',
  `--drained=${drained ? 'yes' : 'no'}`,
  ...(drained ? [] : ['--auto-promote']),
  '--',
  checkedName(node, 'node'),
];
export const nodeMigrateArgv = (node: string) => [
  'gnt-node',
  'migrate',
  '--submit',
  '-f',
  '--',
  checkedName(node, 'node'),
];

/** The primary instances of a node, with their state and template, for maintenance's plan. */
export const NODE_INSTANCE_FIELDS = ['name', 'status', 'pnode', 'disk_template'] as const;
export const nodeInstancesArgv = () => [
  'gnt-instance',
  'list',
  ...LIST,
  NODE_INSTANCE_FIELDS.join(','),
];
export function parseNodeInstances(
  stdout: string,
  node: string,
): { name: string; status: string; template: string }[] {
  return fields(stdout, NODE_INSTANCE_FIELDS.length, 'gnt-instance list')
    .filter((f) => f[2] === node)
    .map(([name, status, , template]) => ({ name: name!, status: status!, template: template! }));
}

/** The job ids a job's result names: `gnt-node migrate` answers with the jobs it submitted. */
export const jobResultArgv = (id: string) => [
  'gnt-job',
  'list',
  '--no-headers',
  '-o',
  'opresult',
  '--',
  checkedJobId(id),
];
export function parseChildJobs(stdout: string): string[] {
  // [{'jobs': [[True, 47], [True, 48]]}]: only the submitted ones (True) exist.
  return [...stdout.matchAll(/\[\s*True\s*,\s*(\d+)\s*\]/g)].map((m) => m[1]!);
}

/** A job's one-line summary, e.g. INSTANCE_MIGRATE(web1.example.org): which instance it moves. */
export const jobSummaryArgv = (ids: readonly string[]) => [
  'gnt-job',
  'list',
  '--no-headers',
  '--separator=|',
  '-o',
  'id,summary',
  '--',
  ...ids.map(checkedJobId),
];
export function parseJobSummaries(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of stdout.split('\n')) {
    const m = /^\s*(\d+)\|\w+\(([^)]*)\)/.exec(l);
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}
