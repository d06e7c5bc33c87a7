// The commands that read a node's Pacemaker cluster, each one shell line
// through the session's open shell (node-shell.ts), and the one change this
// module makes: a resource's cleanup. Every value from a node is an argument
// ("$1", argv), never text inside the script; each script is one line
// (quoteArgv refuses a newline).
import type { DriverStep } from '../capabilities';

/**
 * Prints "pacemaker" and the cluster's name in corosync.conf when the node
 * has Pacemaker's tools and a corosync.conf (whether or not they run now):
 * two file tests, no daemon asked.
 */
export const DETECT_ARGV = [
  'sh',
  '-c',
  [
    'command -v crm_mon >/dev/null 2>&1 && command -v cibadmin >/dev/null 2>&1 && [ -s /etc/corosync/corosync.conf ] || exit 0',
    'echo pacemaker',
    "sed -n 's/^[[:space:]]*cluster_name:[[:space:]]*//p' /etc/corosync/corosync.conf | head -n 1",
  ].join('; '),
];

/** Marks the parts of the read script's output. */
export const PART = {
  crmMon: '@@clusterdeck:crm_mon',
  resources: '@@clusterdeck:resources',
  cmap: '@@clusterdeck:cmap',
};

// The CIB's root element without children is the stamp: its epoch moves with
// every configuration change and num_updates with every status change (a
// node joining or lost, an operation's result, a fencing), have-quorum and
// dc-uuid with the partition. Only when it moved (the last one is "$1") is
// the cluster read: crm_mon for the state, the resources section for the
// parameters crm_mon leaves out (a VirtualDomain's config), corosync's
// name and nodelist. Exit 3: the CIB did not answer (Pacemaker is not
// running here, or this partition is lost).
const READ_SCRIPT = [
  'stamp=$(cibadmin --query --xpath /cib --no-children 2>&1) || { printf "%s\\n" "$stamp" >&2; exit 3; }',
  'printf "%s\\n" "$stamp"',
  '[ "$stamp" = "$1" ] && exit 0',
  `echo ${PART.crmMon}; crm_mon -1 --output-as=xml || exit 4`,
  `echo ${PART.resources}; cibadmin --query --scope resources`,
  `echo ${PART.cmap}; corosync-cmapctl totem.cluster_name; corosync-cmapctl nodelist.node`,
  'exit 0',
].join('; ');

export function readArgv(lastStamp: string): string[] {
  return ['sh', '-c', READ_SCRIPT, 'sh', lastStamp];
}

export interface ReadParts {
  stamp: string;
  /** Absent when the stamp had not moved. */
  crmMon?: string;
  resources?: string;
  cmap?: string;
}

export function splitRead(stdout: string): ReadParts {
  const lines = stdout.split('\n');
  const stamp = lines[0] ?? '';
  const at = (mark: string) => lines.indexOf(mark);
  const marks = [at(PART.crmMon), at(PART.resources), at(PART.cmap)];
  if (marks[0]! < 0) return { stamp };
  const part = (i: number) =>
    marks[i]! < 0
      ? ''
      : lines
          .slice(marks[i]! + 1, marks.slice(i + 1).find((m) => m > marks[i]!) ?? lines.length)
          .join('\n');
  return { stamp, crmMon: part(0), resources: part(1), cmap: part(2) };
}

/** Absolute paths of plain characters only: what a VirtualDomain `config` may be read as. */
export const isConfigPath = (p: string): boolean =>
  /^\/[A-Za-z0-9._\-/+@:=,]{1,1000}$/.test(p) && !p.includes('/../');

/** The first `<name>` and `<uuid>` of each definition file (its head, not the whole file). */
export function domainHeadsArgv(paths: readonly string[]): string[] {
  const script =
    'for f; do echo "== $f"; head -c 8192 -- "$f" 2>/dev/null | grep -o "<name>[^<]*</name>\\|<uuid>[^<]*</uuid>" | head -n 2; done; exit 0';
  return ['sh', '-c', script, 'sh', ...paths.filter(isConfigPath)];
}

/** Pacemaker's resource ids: XML ids (letters, digits, `_`, `-`, `.`; not starting with a digit or `-`). */
export const isResourceId = (id: string): boolean => /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/.test(id);

/** Clean up: forget a resource's failed actions and fail counts, so Pacemaker places it again. */
export function cleanupStep(resourceId: string, node?: string): DriverStep {
  return {
    title: node
      ? `Clean up ${resourceId}'s failures on ${node}`
      : `Clean up ${resourceId}'s failures`,
    argv: [
      'crm_resource',
      '--cleanup',
      `--resource=${resourceId}`,
      ...(node ? [`--node=${node}`] : []),
    ],
  };
}
