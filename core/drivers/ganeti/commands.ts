// Ganeti's commands, one function per operation. Every gnt-* tool runs on
// the cluster's master; when Clusterdeck is connected to another node, the
// command goes on to the master over SSH the way Ganeti itself reaches its
// nodes (root's cluster key, the cluster's known_hosts under the cluster's
// name), so any node of the cluster will do on Add Host. Names from the
// cluster are checked as host names and follow `--`, so none can be read
// as an option.
import { ClusterdeckError } from '../../../shared/errors';
import { quoteArgv } from '../../ssh/quote';
import { INSTANCE_FIELDS, NODE_FIELDS } from './parse';

/** Ganeti names instances and nodes with host names (RFC 1123 labels, dots between). */
const HOST_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*$/;

export function checkedName(name: string, what = 'instance'): string {
  if (name.length > 253 || !HOST_NAME.test(name))
    throw new ClusterdeckError('invalid-input', `"${name}" is not a valid Ganeti ${what} name.`);
  return name;
}

export function checkedJobId(id: string): string {
  if (!/^\d{1,12}$/.test(id))
    throw new ClusterdeckError('invalid-input', `"${id}" is not a Ganeti job id.`);
  return id;
}

const LIST = ['--no-headers', '--separator=|', '-o'];

export const NODE_LIST_ARGV = ['gnt-node', 'list', ...LIST, NODE_FIELDS.join(',')];
export const INSTANCE_LIST_ARGV = ['gnt-instance', 'list', ...LIST, INSTANCE_FIELDS.join(',')];

/**
 * What the connected node says of its cluster, from files every node has
 * (ssconf) plus, on the master, the job queue's serial and the config's
 * change time: one cheap read (no Ganeti daemon asked) for the change poll.
 */
export const CLUSTER_STATE_ARGV = [
  'sh',
  '-c',
  [
    'cd /var/lib/ganeti || exit 1',
    'echo "cluster:$(cat ssconf_cluster_name)"',
    'echo "master:$(cat ssconf_master_node)"',
    'echo "self:$(hostname -f 2>/dev/null || hostname)"',
    'test -r queue/serial && echo "queue:$(cat queue/serial)"',
    'test -r config.data && echo "config:$(stat -c %y config.data)"',
    'true',
  ].join('; '),
];

export interface ClusterState {
  cluster: string;
  master: string;
  self: string;
  /** Changes whenever a job is submitted or the configuration is written (on the master). */
  stamp: string;
}

export function parseClusterState(stdout: string): ClusterState {
  const v: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) v[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  if (!v['cluster'] || !v['master'])
    throw new Error(`This node names no Ganeti cluster or master: ${stdout.trim() || '(nothing)'}`);
  return {
    cluster: v['cluster'],
    master: v['master'],
    self: v['self'] ?? '',
    stamp: `${v['queue'] ?? ''}/${v['config'] ?? ''}`,
  };
}

/** `ssh` from one node of the cluster to another as Ganeti does it (options only; `--` and the node follow). */
export function clusterSshArgv(cluster: string): string[] {
  return [
    'ssh',
    '-oBatchMode=yes',
    '-oStrictHostKeyChecking=yes',
    '-oGlobalKnownHostsFile=/var/lib/ganeti/known_hosts',
    '-oUserKnownHostsFile=/dev/null',
    `-oHostKeyAlias=${checkedName(cluster, 'cluster')}`,
  ];
}

/** The command as run on the connected node: on the master itself, or through SSH to it. */
export function onMaster(argv: readonly string[], state: ClusterState): string[] {
  if (state.master === state.self) return [...argv];
  return [
    ...clusterSshArgv(state.cluster),
    '--',
    checkedName(state.master, 'node'),
    quoteArgv(argv),
  ];
}

/** The lifecycle operations Ganeti has, as the VM actions UI names them. */
export type InstanceOp = 'start' | 'shutdown' | 'reboot' | 'remove';

export interface InstanceOpOptions {
  /** Seconds a shutdown waits for the guest before Ganeti stops it hard (0: at once). */
  shutdownTimeout?: number | undefined;
}

/** The command that submits the operation as a job (its id printed, not waited for). */
export function instanceOpArgv(op: InstanceOp, name: string, o: InstanceOpOptions = {}): string[] {
  const timeout =
    o.shutdownTimeout === undefined
      ? []
      : [`--timeout=${Math.max(0, Math.floor(o.shutdownTimeout))}`];
  const removeTimeout =
    o.shutdownTimeout === undefined
      ? []
      : [`--shutdown-timeout=${Math.max(0, Math.floor(o.shutdownTimeout))}`];
  const tail = ['--', checkedName(name)];
  switch (op) {
    case 'start':
      return ['gnt-instance', 'startup', '--submit', ...tail];
    case 'shutdown':
      return ['gnt-instance', 'shutdown', '--submit', ...timeout, ...tail];
    case 'reboot':
      return ['gnt-instance', 'reboot', '--submit', ...removeTimeout, ...tail];
    case 'remove':
      return ['gnt-instance', 'remove', '--submit', '--force', ...removeTimeout, ...tail];
  }
}

export const jobWatchArgv = (id: string) => ['gnt-job', 'watch', '--', checkedJobId(id)];
export const jobCancelArgv = (id: string) => ['gnt-job', 'cancel', '--', checkedJobId(id)];
