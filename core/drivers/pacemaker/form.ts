// New Cluster's "High availability" steps: corosync.conf and one authkey on
// every node over SSH (no pcsd), corosync and pacemaker started the way the
// node's init does, a wait until every node has joined with quorum, then the
// fencing devices and the cluster properties in the CIB. Each step says how
// to take itself back: Undo stops the daemons, removes the configuration
// Pacemaker kept for this cluster, and puts back (or removes) exactly the
// files it wrote.
import { randomBytes } from 'node:crypto';
import type { HaSpec } from '../../../shared/ha-form';
import type { PlannedStep } from '../../wizards/plan';
import { corosyncConf, type CorosyncNode } from './corosync-conf';
import { AUTHKEY, COROSYNC_CONF, type HaFacts } from './ha-facts';
import { avoidSelfXml, cibCreateArgv, secretParam, stonithPrimitiveXml } from './fencing';

/** A node as the HA steps need it: where to run, its corosync name and its init. */
export interface HaMember {
  hostId: string;
  /** Clusterdeck's name for it (the task's step lines). */
  node: string;
  /** Its host name: corosync's and Pacemaker's name for it. */
  hostname: string;
  ring0: string;
  init: HaFacts['init'];
}

/** The fence device per node (by hostId) with its parameters; none: no fencing, by choice. */
export type HaDevices = Map<string, { agent: string; params: Record<string, string> }> | 'none';

const BACKUP = '.clusterdeck-before';
/** Seconds the join may take: corosync's join, then Pacemaker electing a DC on every node. */
export const JOIN_TIMEOUT_S = 300;

/** Writes a file from stdin, keeping aside what was there for Undo (the package's example). */
export function writeFileArgv(path: string, mode: '0644' | '0400', decode: boolean): string[] {
  return [
    'sh',
    '-c',
    `set -e; f="$1"; mkdir -p "\${f%/*}"; if [ -e "$f" ] && [ ! -e "$f${BACKUP}" ]; then mv "$f" "$f${BACKUP}"; fi; umask 077; ${decode ? 'base64 -d' : 'cat'} > "$f.clusterdeck-new"; chmod ${mode} "$f.clusterdeck-new"; mv "$f.clusterdeck-new" "$f"`,
    'clusterdeck-write',
    path,
  ];
}

/** Undo of writeFileArgv: what was kept aside comes back, else the file goes. */
export function restoreFileArgv(path: string): string[] {
  return [
    'sh',
    '-c',
    `f="$1"; if [ -e "$f${BACKUP}" ]; then mv -f "$f${BACKUP}" "$f"; else rm -f "$f"; fi`,
    'clusterdeck-restore',
    path,
  ];
}

/** Starts (and enables at boot) corosync then pacemaker, the way the node's init does. */
export function startArgv(init: HaMember['init']): string[] {
  switch (init) {
    case 'systemd':
      return ['systemctl', 'enable', '--now', 'corosync', 'pacemaker'];
    case 'openrc':
      return [
        'sh',
        '-c',
        'rc-update add corosync default && rc-update add pacemaker default && rc-service corosync start && rc-service pacemaker start',
      ];
    default:
      return ['sh', '-c', 'service corosync start && service pacemaker start'];
  }
}

/** Stops pacemaker then corosync and leaves them disabled, the way the node's init does. */
export function stopScript(init: HaMember['init']): string {
  return init === 'systemd'
    ? 'systemctl disable --now pacemaker corosync'
    : init === 'openrc'
      ? 'rc-service pacemaker stop; rc-service corosync stop; rc-update del pacemaker default; rc-update del corosync default; true'
      : 'service pacemaker stop; service corosync stop; true';
}

/**
 * Stops the stack, then removes the configuration Pacemaker kept for this
 * cluster (the preflight refuses a node that had one before).
 */
export function stopArgv(init: HaMember['init']): string[] {
  return ['sh', '-c', `${stopScript(init)} && rm -f /var/lib/pacemaker/cib/cib*`];
}

/** Waits until corosync says quorate with every node and Pacemaker shows every node online. */
export function waitJoinedArgv(count: number): string[] {
  return [
    'sh',
    '-c',
    'n=$1; end=$(( $(date +%s) + $2 )); while :; do ' +
      'q=$(corosync-quorumtool -s 2>/dev/null); ' +
      'on=$(crm_mon -1 --output-as=xml 2>/dev/null | grep -c "<node .*online=\\"true\\""); ' +
      'dc=$(crm_mon -1 --output-as=xml 2>/dev/null | grep -c "<current_dc .*present=\\"true\\""); ' +
      'if printf %s "$q" | grep -q "Quorate: *Yes" && [ "$on" -eq "$n" ] && [ "$dc" -ge 1 ]; then crm_mon -1; exit 0; fi; ' +
      'if [ $(date +%s) -ge $end ]; then echo "after $2 s: $on of $n nodes online" >&2; printf "%s\\n" "$q" >&2; exit 1; fi; ' +
      'sleep 2; done',
    'clusterdeck-wait-joined',
    String(count),
    String(JOIN_TIMEOUT_S),
  ];
}

const propertyArgv = (type: 'crm_config' | 'rsc_defaults', name: string, value: string) => [
  'crm_attribute',
  '--type',
  type,
  '--name',
  name,
  '--update',
  value,
];

const on = (m: HaMember) => ({ hostId: m.hostId, node: m.node });

/** corosync.conf and the authkey written on a node, each with its undo. */
export function memberFileSteps(
  m: HaMember,
  conf: string,
  authkey: () => string,
  keyFrom: 'made' | 'read',
): PlannedStep[] {
  return [
    {
      ...on(m),
      title: `Write ${COROSYNC_CONF}`,
      argv: writeFileArgv(COROSYNC_CONF, '0644', false),
      stdin: conf,
      undo: () => ({
        ...on(m),
        title: `Put back ${COROSYNC_CONF} as it was`,
        argv: restoreFileArgv(COROSYNC_CONF),
      }),
    },
    {
      ...on(m),
      title: `Write ${AUTHKEY} (mode 0400)`,
      argv: writeFileArgv(AUTHKEY, '0400', true),
      shownInput:
        keyFrom === 'made'
          ? '(the cluster’s authkey: 256 random bytes Clusterdeck made for this cluster, base64; the same on every node, never shown or logged)'
          : '(the cluster’s authkey, as read from a member in the step before, base64; never shown or logged)',
      lateStdin: authkey,
      undo: () => ({
        ...on(m),
        title: `Put back ${AUTHKEY} as it was`,
        argv: restoreFileArgv(AUTHKEY),
      }),
    },
  ];
}

/** Starts the stack on a node; its undo stops it and removes what Pacemaker kept. */
export function startStep(m: HaMember): PlannedStep {
  return {
    ...on(m),
    title: 'Start corosync and pacemaker (and at boot)',
    argv: startArgv(m.init),
    undo: () => ({
      ...on(m),
      title: 'Stop pacemaker and corosync, remove the cluster configuration Pacemaker kept',
      argv: stopArgv(m.init),
    }),
  };
}

/** Each node's fence device and its constraint, added to the CIB from `first`. */
export function fenceDeviceSteps(
  first: HaMember,
  members: readonly HaMember[],
  devices: Exclude<HaDevices, 'none'>,
): PlannedStep[] {
  return members.flatMap((m) => {
    const d = devices.get(m.hostId);
    if (!d) return [];
    const xml = (hide: boolean) =>
      stonithPrimitiveXml(m.hostname, d.agent, d.params, secretParam, hide);
    return [
      {
        ...on(first),
        title: `Add the fence device of ${m.node} (${d.agent}) to the cluster configuration`,
        argv: cibCreateArgv('resources'),
        shownInput: xml(true),
        lateStdin: () => xml(false),
      },
      {
        ...on(first),
        title: `Keep ${m.node}'s fence device off ${m.node} itself`,
        argv: cibCreateArgv('constraints'),
        stdin: avoidSelfXml(m.hostname),
      },
    ];
  });
}

/** The steps, in order; each member's steps run on it, the cluster-wide ones on the first. */
export function haFormSteps(
  clusterName: string,
  members: readonly HaMember[],
  spec: Pick<HaSpec, 'tokenMs'>,
  devices: HaDevices,
): PlannedStep[] {
  const nodes: CorosyncNode[] = members.map((m, i) => ({
    name: m.hostname,
    nodeid: i + 1,
    ring0: m.ring0,
  }));
  const conf = corosyncConf({
    clusterName,
    nodes,
    ...(spec.tokenMs !== undefined ? { tokenMs: spec.tokenMs } : {}),
  });
  // One key for the whole cluster, made when the first node's step runs: it
  // lives in this process only, goes to each node on stdin, and is never shown.
  let key: string | undefined;
  const authkey = () => (key ??= randomBytes(256).toString('base64'));
  const steps = members.flatMap((m) => memberFileSteps(m, conf, authkey, 'made'));
  steps.push(...members.map(startStep));
  const first = members[0];
  if (!first) return steps;
  steps.push({
    ...on(first),
    title: `Wait until all ${members.length} nodes have joined, with quorum`,
    argv: waitJoinedArgv(members.length),
  });
  if (devices !== 'none') steps.push(...fenceDeviceSteps(first, members, devices));
  const fenced = devices !== 'none';
  steps.push(
    {
      ...on(first),
      title: fenced
        ? 'Turn fencing on (stonith-enabled=true)'
        : 'Turn fencing off, as chosen (stonith-enabled=false)',
      argv: propertyArgv('crm_config', 'stonith-enabled', String(fenced)),
    },
    {
      ...on(first),
      title: 'Stop resources in a partition without quorum (no-quorum-policy=stop)',
      argv: propertyArgv('crm_config', 'no-quorum-policy', 'stop'),
    },
    {
      ...on(first),
      title:
        'A fenced node stops its cluster stack, never reboots the machine (fence-reaction=stop)',
      argv: propertyArgv('crm_config', 'fence-reaction', 'stop'),
    },
    {
      // Without stickiness Pacemaker moves VMs back (live) whenever a node comes or goes.
      ...on(first),
      title: 'Keep VMs where they run (resource-stickiness=100)',
      argv: propertyArgv('rsc_defaults', 'resource-stickiness', '100'),
    },
  );
  return steps;
}

/**
 * Records what each step printed, so that after a success the whole plan's
 * Undo can be offered (runPlan offers it itself only after a failure).
 */
export function recordingUndo(steps: readonly PlannedStep[]): {
  steps: PlannedStep[];
  undo: () => PlannedStep[];
} {
  const outs = new Map<PlannedStep, string>();
  const wrapped = steps.map((s) => {
    const w: PlannedStep = {
      ...s,
      onStdout: (out) => {
        outs.set(w, out);
        s.onStdout?.(out);
      },
    };
    return w;
  });
  return {
    steps: wrapped,
    undo: () =>
      wrapped
        .filter((s) => outs.has(s))
        .reverse()
        .map((s) => s.undo?.(outs.get(s) ?? '', true))
        .filter((u): u is PlannedStep => !!u),
  };
}
