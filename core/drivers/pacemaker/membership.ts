// Remove node and Remove cluster on a high-availability cluster: the
// membership lives on the nodes (corosync.conf's nodelist and Pacemaker's
// CIB), so it changes there. Remove node stops the cluster stack on the
// leaving node, writes corosync.conf without it on every node that stays and
// has corosync reload it (`corosync-cfgtool -R`), then takes the node and
// its fence device out of the CIB. Remove cluster stops the stack on every
// node and takes away the files New Cluster wrote.
import type { PlannedStep } from '../../wizards/plan';
import { fenceIds } from './fencing';
import { startArgv, stopScript, type HaMember } from './form';
import { quoteArgv } from '../../ssh/quote';
import { AUTHKEY, COROSYNC_CONF } from './ha-facts';

/** Kept aside by Remove node, put back by its Undo. */
const REMOVED = '.clusterdeck-removed';
/** What New Cluster kept aside (form.ts). */
const BEFORE = '.clusterdeck-before';

/**
 * corosync.conf without the node named `name`: its `node { }` block goes;
 * with two nodes left, votequorum's two_node is set (as New Cluster does).
 */
export function confWithoutNode(text: string, name: string): string {
  let out = text.replace(/\n([ \t]*)node[ \t]*\{[^{}]*\}[ \t]*(?=\n)/g, (block) =>
    new RegExp(`^\\s*name:\\s*${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`, 'm').test(block)
      ? ''
      : block,
  );
  const left = [...out.matchAll(/\n[ \t]*node[ \t]*\{/g)].length;
  if (left === 2 && !/^\s*two_node:/m.test(out))
    out = out.replace(/(quorum[ \t]*\{[^}]*?provider:[^\n]*\n)/, '$1  two_node: 1\n');
  return out;
}

const on = (m: HaMember) => ({ hostId: m.hostId, node: m.node });

/** Stops the stack on `m` and keeps its cluster files aside; Undo puts them back and starts it. */
function leaveNodeStep(m: HaMember): PlannedStep {
  return {
    ...on(m),
    title: 'Stop pacemaker and corosync, keep its cluster files aside',
    argv: [
      'sh',
      '-c',
      // What New Cluster kept aside (the package's example) comes back; the cluster's files wait for Undo.
      `${stopScript(m.init)} && for f in ${COROSYNC_CONF} ${AUTHKEY}; do [ -e "$f" ] && mv -f "$f" "$f${REMOVED}"; [ -e "$f${BEFORE}" ] && cp -p "$f${BEFORE}" "$f"; done; rm -f /var/lib/pacemaker/cib/cib*; true`,
    ],
    undo: () => ({
      ...on(m),
      title: 'Put back its cluster files and start corosync and pacemaker',
      argv: [
        'sh',
        '-c',
        `for f in ${COROSYNC_CONF} ${AUTHKEY}; do [ -e "$f${REMOVED}" ] && mv -f "$f${REMOVED}" "$f"; done; ${quoteArgv(startArgv(m.init))}`,
      ],
    }),
  };
}

/** Remove node: the steps on the leaving node, on every node that stays, and in the CIB. */
export function haLeaveSteps(
  leaving: HaMember,
  reachable: boolean,
  staying: readonly HaMember[],
  currentConf: string,
): PlannedStep[] {
  const next = confWithoutNode(currentConf, leaving.hostname);
  const first = staying[0];
  const steps: PlannedStep[] = reachable ? [leaveNodeStep(leaving)] : [];
  for (const m of staying)
    steps.push({
      ...on(m),
      title: `Write ${COROSYNC_CONF} without ${leaving.node}`,
      argv: [
        'sh',
        '-c',
        `set -e; f="$1"; cp -p "$f" "$f${REMOVED}"; cat > "$f.clusterdeck-new"; chmod 0644 "$f.clusterdeck-new"; mv "$f.clusterdeck-new" "$f"`,
        'clusterdeck-write',
        COROSYNC_CONF,
      ],
      stdin: next,
      undo: () => ({
        ...on(m),
        title: `Put back ${COROSYNC_CONF} with ${leaving.node}`,
        argv: ['sh', '-c', `mv -f "$1${REMOVED}" "$1" && corosync-cfgtool -R`, 'x', COROSYNC_CONF],
      }),
    });
  if (!first) return steps;
  const { primitive, avoid } = fenceIds(leaving.hostname);
  steps.push(
    {
      ...on(first),
      title: 'Have corosync on every node reload its configuration',
      argv: ['corosync-cfgtool', '-R'],
    },
    {
      ...on(first),
      title: `Remove ${leaving.node} from Pacemaker's node list`,
      argv: ['crm_node', '--force', '--remove', leaving.hostname],
    },
    {
      ...on(first),
      title: `Remove ${leaving.node}'s fence device, if any`,
      argv: [
        'sh',
        '-c',
        'cibadmin --delete --xml-text "<rsc_location id=\\"$2\\"/>" 2>/dev/null; cibadmin --delete --xml-text "<primitive id=\\"$1\\"/>" 2>/dev/null; true',
        'clusterdeck-drop-fence',
        primitive,
        avoid,
      ],
    },
    // The kept copies are Undo's only; gone once it all worked.
    ...staying.map((m) => ({
      ...on(m),
      title: `Drop the copy of the old ${COROSYNC_CONF}`,
      argv: ['rm', '-f', `${COROSYNC_CONF}${REMOVED}`],
    })),
  );
  if (reachable)
    steps.push({
      ...on(leaving),
      title: 'Drop the copies of its cluster files',
      argv: [
        'rm',
        '-f',
        ...[COROSYNC_CONF, AUTHKEY].flatMap((f) => [`${f}${REMOVED}`, `${f}${BEFORE}`]),
      ],
    });
  return steps;
}

/** Remove cluster: the stack stopped on every node, the CIB and the files New Cluster wrote gone. */
export function haDissolveSteps(members: readonly HaMember[]): PlannedStep[] {
  return members.map((m) => ({
    ...on(m),
    title: 'Stop pacemaker and corosync, remove the cluster’s configuration and key',
    argv: [
      'sh',
      '-c',
      `${stopScript(m.init)} && rm -f /var/lib/pacemaker/cib/cib* && for f in ${COROSYNC_CONF} ${AUTHKEY}; do if [ -e "$f.clusterdeck-before" ]; then mv -f "$f.clusterdeck-before" "$f"; else rm -f "$f"; fi; done`,
    ],
  }));
}
