// New Cluster on Ganeti's steps and Add node's: `gnt-cluster init` with the
// wizard's values, the other nodes trusting the root key init made on the
// master, `gnt-node add` for each, their daemons started. Each step says
// how it is taken back (gnt-node remove, the key line removed,
// gnt-cluster destroy), so a failure or Undo leaves no half cluster.
import type { GanetiClusterSpec } from '../../../shared/ganeti-cluster';
import type { PlannedStep } from '../../wizards/plan';
import type { FactsOf } from './cluster-init';
import { checkedName } from './commands';

// The cluster's root key, added once to a node's authorized_keys (read from stdin).
const TRUST =
  'read -r k; mkdir -p ~/.ssh; touch ~/.ssh/authorized_keys; grep -qxF -- "$k" ~/.ssh/authorized_keys || printf "%s\\n" "$k" >> ~/.ssh/authorized_keys';
const UNTRUST =
  'read -r k; f=~/.ssh/authorized_keys; [ -f "$f" ] || exit 0; grep -vxF -- "$k" "$f" > "$f.cd-tmp"; mv "$f.cd-tmp" "$f"';
export const DAEMON_UTIL = '/usr/lib/ganeti/daemon-util';

/** gnt-cluster init with the spec's values, the name last after `--`. */
export function initArgv(spec: GanetiClusterSpec): string[] {
  const dts = spec.diskTemplates.join(',');
  const kvm = [
    `kvm_flag=${spec.kvmAccel ? 'enabled' : 'disabled'}`,
    `kvm_path=${spec.kvmPath}`,
    'kernel_path=',
    'initrd_path=',
    'serial_console=false',
    // VNC only on the node's loopback: Clusterdeck relays it through SSH, nothing else reaches it.
    'vnc_bind_address=127.0.0.1',
  ].join(',');
  const lvm = spec.diskTemplates.some((t) => t === 'plain' || t === 'drbd');
  return [
    'gnt-cluster',
    'init',
    `--enabled-hypervisors=${spec.hypervisors.join(',')}`,
    `--enabled-disk-templates=${dts}`,
    `--ipolicy-disk-templates=${dts}`,
    ...(spec.diskTemplates.includes('file') ? [`--file-storage-dir=${spec.fileStorageDir}`] : []),
    ...(spec.diskTemplates.includes('sharedfile')
      ? [`--shared-file-storage-dir=${spec.sharedFileStorageDir}`]
      : []),
    ...(lvm && spec.vgName ? [`--vg-name=${spec.vgName}`] : []),
    ...(spec.hypervisors.includes('kvm') ? ['-H', `kvm:${kvm}`] : []),
    `--master-netdev=${spec.masterNetdev}`,
    `--master-netmask=${spec.masterNetmask}`,
    `--nic-parameters=link=${spec.nicLink}`,
    ...(spec.manageEtcHosts ? [] : ['--no-etc-hosts']),
    '--',
    checkedName(spec.name, 'cluster'),
  ];
}

export const nodeAddArgv = (fqdn: string) => [
  'gnt-node',
  'add',
  '--no-ssh-key-check',
  '--',
  checkedName(fqdn, 'node'),
];
export const nodeRemoveArgv = (fqdn: string) => [
  'gnt-node',
  'remove',
  '--',
  checkedName(fqdn, 'node'),
];
export const ROOT_KEY_ARGV = ['sh', '-c', 'cat ~/.ssh/id_rsa.pub'];

/** Where a step runs: a Clusterdeck host, and how its commands reach the master. */
export interface Place {
  hostId: string;
  node: string;
}

/**
 * The steps that let a master's cluster take in one node: trust the
 * master's root key (read by `readKey`), `gnt-node add` on the master, the
 * node's daemons started. `master` wraps a command for the master.
 */
export function joinSteps(
  master: Place,
  toMaster: (argv: string[]) => string[],
  joining: { place: Place | undefined; fqdn: string },
  key: { get: () => string },
): PlannedStep[] {
  const { place, fqdn } = joining;
  // gnt-node remove takes the cluster's keys off the node itself: once the
  // node was added, its undo is the remove alone (the trust step's undo
  // would then run on a node whose connection is starting over).
  let added = false;
  const trust: PlannedStep[] = place
    ? [
        {
          ...place,
          title: `Trust ${master.node}'s Ganeti root key`,
          argv: ['sh', '-c', TRUST],
          lateStdin: () => `${key.get()}\n`,
          shownInput: `(${master.node}'s root public key, read above)`,
          undo: (_o, ok) =>
            ok && !added
              ? {
                  ...place,
                  title: `Stop trusting ${master.node}'s Ganeti root key`,
                  argv: ['sh', '-c', UNTRUST],
                  lateStdin: () => `${key.get()}\n`,
                  shownInput: `(${master.node}'s root public key)`,
                }
              : undefined,
        },
      ]
    : [];
  return [
    ...trust,
    {
      ...master,
      title: `Add ${fqdn} to the cluster`,
      argv: toMaster(nodeAddArgv(fqdn)),
      undo: (_o, ok) => {
        added = ok;
        return ok
          ? {
              ...master,
              title: `Remove ${fqdn} from the cluster`,
              argv: toMaster(nodeRemoveArgv(fqdn)),
            }
          : undefined;
      },
    },
    ...(place
      ? [{ ...place, title: 'Start the Ganeti daemons', argv: [DAEMON_UTIL, 'start-all'] }]
      : []),
  ];
}

/** The step that reads the master's root key for the joining nodes. */
export function readKeyStep(
  master: Place,
  toMaster: (argv: string[]) => string[],
  key: { set: (k: string) => void },
): PlannedStep {
  return {
    ...master,
    title: "Read the cluster's root public key",
    argv: toMaster(ROOT_KEY_ARGV),
    onStdout: (out) => {
      const k = out.trim().split('\n')[0] ?? '';
      if (!/^ssh-[a-z0-9-]+ [A-Za-z0-9+/=]+( \S+)?$/.test(k))
        throw new Error(`${master.node} printed no SSH public key for root.`);
      key.set(k);
    },
  };
}

/** New Cluster's steps: init on the first node, then each other node joins. */
export function createSteps(spec: GanetiClusterSpec, nodes: readonly FactsOf[]): PlannedStep[] {
  const [first, ...rest] = nodes;
  if (!first) return [];
  const master = { hostId: first.hostId, node: first.label };
  let k = '';
  const key = { get: () => k, set: (v: string) => (k = v) };
  const same = (a: string[]) => a;
  return [
    {
      ...master,
      title: `Initialize the cluster ${spec.name}`,
      argv: initArgv(spec),
      undo: (_o, ok) =>
        ok
          ? {
              ...master,
              title: `Destroy the cluster ${spec.name}`,
              argv: ['gnt-cluster', 'destroy', '--yes-do-it'],
            }
          : undefined,
    },
    ...(rest.length ? [readKeyStep(master, same, key)] : []),
    ...rest.flatMap((n) =>
      joinSteps(master, same, { place: { hostId: n.hostId, node: n.label }, fqdn: n.f.fqdn }, key),
    ),
  ];
}

/** The undo of steps that all ran: their undo steps, last first. */
export function undoAll(steps: readonly PlannedStep[]): PlannedStep[] {
  return [...steps]
    .reverse()
    .map((s) => s.undo?.('', true))
    .filter((u): u is PlannedStep => !!u);
}
