// New Cluster run again with the same name and more nodes on a
// high-availability cluster (the way a libvirt cluster grows): the new nodes
// join the corosync cluster that runs. The members' corosync.conf gains the
// new nodes (next nodeids; two_node dropped once the count is odd) and is
// reloaded (`corosync-cfgtool -R`); the new nodes get that file and the
// cluster's authkey, read from a member over SSH and passed on stdin (never
// shown or logged), start the stack, and the join is awaited. Fence devices
// are added for the new nodes only.
import type { PlannedStep } from '../../wizards/plan';
import {
  fenceDeviceSteps,
  memberFileSteps,
  startStep,
  waitJoinedArgv,
  type HaDevices,
  type HaMember,
} from './form';
import { AUTHKEY, COROSYNC_CONF } from './ha-facts';

const PREV = '.clusterdeck-prev';

/** corosync.conf with the joining nodes' blocks added; two_node dropped once the count is odd. */
export function confWithNodes(
  text: string,
  joining: readonly { name: string; ring0: string }[],
): string {
  const ids = [...text.matchAll(/^\s*nodeid:\s*(\d+)/gm)].map((m) => Number(m[1]));
  let next = Math.max(0, ...ids);
  const blocks = joining
    .map(
      (n) =>
        `  node {\n    name: ${n.name}\n    nodeid: ${++next}\n    ring0_addr: ${n.ring0}\n  }\n`,
    )
    .join('');
  // The nodelist's closing brace: the first "}" at the start of a line after "nodelist {".
  let out = text.replace(/(nodelist[ \t]*\{[\s\S]*?\n)(\}[ \t]*(\n|$))/, `$1${blocks}$2`);
  const count = [...out.matchAll(/\n[ \t]*node[ \t]*\{/g)].length;
  if (count % 2 === 1) out = out.replace(/^[ \t]*two_node:[^\n]*\n/m, '');
  return out;
}

export function haJoinSteps(
  members: readonly HaMember[],
  joining: readonly HaMember[],
  currentConf: string,
  devices: HaDevices,
): PlannedStep[] {
  const first = members[0];
  if (!first || !joining.length) return [];
  const on = (m: HaMember) => ({ hostId: m.hostId, node: m.node });
  const conf = confWithNodes(
    currentConf,
    joining.map((m) => ({ name: m.hostname, ring0: m.ring0 })),
  );
  let key = '';
  const steps: PlannedStep[] = [
    {
      ...on(first),
      title: 'Read the cluster’s authkey (for the new nodes; never shown or logged)',
      argv: ['base64', '-w0', AUTHKEY],
      onStdout: (out) => {
        key = out.trim();
        if (!key) throw new Error(`${first.node}: ${AUTHKEY} is empty.`);
      },
    },
    ...joining.flatMap((m) => memberFileSteps(m, conf, () => key, 'read')),
    ...members.map((m) => ({
      ...on(m),
      title: `Add ${joining.map((j) => j.node).join(', ')} to ${COROSYNC_CONF}`,
      argv: [
        'sh',
        '-c',
        `set -e; f="$1"; cp -p "$f" "$f${PREV}"; cat > "$f.clusterdeck-new"; chmod 0644 "$f.clusterdeck-new"; mv "$f.clusterdeck-new" "$f"`,
        'clusterdeck-write',
        COROSYNC_CONF,
      ],
      stdin: conf,
      undo: () => ({
        ...on(m),
        title: `Put back ${COROSYNC_CONF} as it was, and reload it`,
        argv: ['sh', '-c', `mv -f "$1${PREV}" "$1" && corosync-cfgtool -R`, 'x', COROSYNC_CONF],
      }),
    })),
    {
      ...on(first),
      title: 'Have corosync on every node reload its configuration',
      argv: ['corosync-cfgtool', '-R'],
    },
    ...joining.map(startStep),
    {
      ...on(first),
      title: `Wait until all ${members.length + joining.length} nodes have joined, with quorum`,
      argv: waitJoinedArgv(members.length + joining.length),
    },
    ...(devices === 'none' ? [] : fenceDeviceSteps(first, joining, devices)),
    ...members.map((m) => ({
      ...on(m),
      title: `Drop the copy of the old ${COROSYNC_CONF}`,
      argv: ['rm', '-f', `${COROSYNC_CONF}${PREV}`],
    })),
  ];
  return steps;
}
