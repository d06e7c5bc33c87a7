// The console of a Ganeti KVM instance: its VNC display, reached through
// Clusterdeck's SSH session to the node it is connected to. Ganeti gives
// each KVM instance a network port (the VNC display is port - 5900) and
// QEMU listens where the instance's `vnc_bind_address` says, on its primary
// node. `gnt-instance console` would say where, but Ganeti 3.0.2 answers
// "Console information … is unavailable" for every instance (docs/lab.md),
// so the address is worked out from the instance's own fields the way the
// KVM hypervisor does (hv_kvm GetInstanceConsole and _GenerateKVMRuntime):
//  - an IP address: QEMU listens there (0.0.0.0 / :: = every address);
//  - an absolute path: a unix socket `<path>/<instance>.vnc`;
//  - an interface name: its first IPv4 address (not followed here).
// A display on the primary's loopback (or a socket) is reached from the
// connected node itself when it is the primary (direct-tcpip or
// direct-streamlocal), else through the cluster's own SSH between nodes
// (root's cluster key, as `gnt-*` reaches the master): `ssh -W` for a port,
// `socat` (a dependency of Ganeti) for a socket. Nothing is opened to the
// network; the page gets the bytes through the usual one-time tunnel.
import type { Duplex } from 'node:stream';
import { ClusterdeckError } from '../../../shared/errors';
import type { Vm } from '../../../shared/model';
import { quoteArgv } from '../../ssh/quote';
import type { SshSession } from '../../ssh/session';
import type { ConsoleSource } from '../capabilities';
import { openRoute, type DisplayRoute } from '../../consoles/route';
import { checkedName, clusterSshArgv, type ClusterState } from './commands';

export const CONSOLE_FIELDS = [
  'name',
  'status',
  'pnode',
  'hypervisor',
  'network_port',
  'hv/vnc_bind_address',
  'hv/vnc_password_file',
] as const;

/** The instance's console fields, read on the master. */
export const consoleFieldsArgv = (name: string): string[] => [
  'gnt-instance',
  'list',
  '--no-headers',
  '--separator=|',
  '-o',
  CONSOLE_FIELDS.join(','),
  '--',
  checkedName(name),
];

export interface ConsoleFields {
  name: string;
  status: string;
  primary: string;
  hypervisor: string;
  /** 0 when Ganeti gave the instance none ('-'). */
  port: number;
  bind: string;
  passwordFile: string;
}

/** Ganeti prints '-' for a parameter the instance's hypervisor does not have. */
const field = (s: string | undefined) => (s === undefined || s === '-' ? '' : s.trim());

export function parseConsoleFields(stdout: string, name: string): ConsoleFields {
  const line = stdout.split('\n').find((l) => l.split('|')[0] === name);
  const f = line?.split('|');
  if (!f || f.length !== CONSOLE_FIELDS.length)
    throw new Error(`gnt-instance list said nothing usable of ${name}: ${stdout.trim()}`);
  return {
    name,
    status: field(f[1]),
    primary: field(f[2]),
    hypervisor: field(f[3]),
    port: Number(field(f[4])) || 0,
    bind: field(f[5]),
    passwordFile: field(f[6]),
  };
}

/** Where the display is, as the primary node sees it. */
export type DisplayPlace =
  | { kind: 'tcp'; host: string; port: number; loopbackOnly: boolean }
  | { kind: 'socket'; path: string };

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const isIp = (s: string) => IPV4.test(s) || (s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s));
const isLoopback = (s: string) => /^127\./.test(s) || s === '::1';
const VNC_BASE_PORT = 5900;

/** Where QEMU listens for this instance, or why it has no display Clusterdeck can open. */
export function displayPlace(c: ConsoleFields, cluster: string): DisplayPlace {
  const why = (text: string) => new ClusterdeckError('unsupported', `${c.name}: ${text}`);
  if (c.hypervisor !== 'kvm')
    throw why(`it runs on Ganeti's ${c.hypervisor || 'unknown'} hypervisor, which has no console.`);
  if (c.status !== 'running' && c.status !== 'ERROR_up')
    throw new ClusterdeckError(
      'invalid-state',
      `${c.name} is not running in ${cluster} (Ganeti says ${c.status || 'nothing'}).`,
    );
  if (!c.bind)
    throw why(
      `its vnc_bind_address is empty, so QEMU has no VNC display (gnt-instance modify -H vnc_bind_address=127.0.0.1, then a restart).`,
    );
  if (c.bind.startsWith('/')) return { kind: 'socket', path: `${c.bind}/${c.name}.vnc` };
  if (!isIp(c.bind))
    throw why(
      `its vnc_bind_address is the interface ${c.bind}; Clusterdeck opens displays bound to an address or a socket folder.`,
    );
  if (c.port <= VNC_BASE_PORT)
    throw why(`its network port ${c.port || '(none)'} is not a VNC display (above 5900).`);
  const any = c.bind === '0.0.0.0' || c.bind === '::';
  return {
    kind: 'tcp',
    host: any ? '127.0.0.1' : c.bind,
    port: c.port,
    loopbackOnly: isLoopback(c.bind),
  };
}

/**
 * The command run on the connected node that carries the display's bytes
 * from another node (its primary), over the cluster's SSH between nodes.
 */
export function relayArgv(place: DisplayPlace, primary: string, cluster: string): string[] {
  const ssh = clusterSshArgv(cluster);
  const node = checkedName(primary, 'node');
  if (place.kind === 'tcp') {
    const host = place.host.includes(':') ? `[${place.host}]` : place.host;
    return [...ssh, `-W${host}:${place.port}`, '--', node];
  }
  // socat reads ',' and ':' in an address as its own syntax: plain paths only.
  return [...ssh, '--', node, quoteArgv(['socat', '-', `UNIX-CONNECT:${plainPath(place.path)}`])];
}

const plainPath = (path: string): string => {
  if (!/^\/[A-Za-z0-9_./-]+$/.test(path))
    throw new ClusterdeckError('unsupported', `"${path}" is not a plain absolute path.`);
  return path;
};

export interface ConsoleAccess {
  session: SshSession;
  label: string;
  state(): Promise<ClusterState>;
  /** A gnt-* read on the master; its stdout. */
  read(argv: readonly string[]): Promise<string>;
  /** Runs a command on the connected node: its stdout, rejecting on failure. */
  runQuick(argv: readonly string[]): Promise<string>;
}

/** The instance's VNC display as a byte stream through the connected node's SSH session. */
export async function instanceConsole(a: ConsoleAccess, vm: Vm): Promise<ConsoleSource> {
  const state = await a.state();
  const fields = parseConsoleFields(await a.read(consoleFieldsArgv(vm.name)), vm.name);
  const place = displayPlace(fields, state.cluster);
  const local = fields.primary === state.self;
  // A display any node may reach (bound to a non-loopback address) is opened
  // from the connected node directly, the primary named by its own address.
  const direct = local || (place.kind === 'tcp' && !place.loopbackOnly);
  const route = ((): DisplayRoute => {
    if (place.kind === 'socket' && local) return { kind: 'socket', path: place.path };
    if (place.kind === 'tcp' && direct) {
      const host = !local && place.host === '127.0.0.1' ? fields.primary : place.host;
      return { kind: 'tcp', host, port: place.port };
    }
    return { kind: 'command', argv: relayArgv(place, fields.primary, state.cluster) };
  })();
  const connect = (): Promise<Duplex> => openRoute(a.session, route);
  const password = fields.passwordFile ? await readPassword(a, fields, state, local) : undefined;
  return { protocol: 'vnc', connect, route, ...(password ? { password } : {}) };
}

/** The first line of the instance's vnc_password_file on its primary, as QEMU was given it. */
async function readPassword(
  a: ConsoleAccess,
  c: ConsoleFields,
  state: ClusterState,
  local: boolean,
): Promise<string> {
  const cat = ['head', '-n', '1', '--', c.passwordFile];
  const argv = local
    ? cat
    : [...clusterSshArgv(state.cluster), '--', checkedName(c.primary, 'node'), quoteArgv(cat)];
  const out = await a.runQuick(argv).catch((e: Error) => {
    throw new ClusterdeckError(
      'command-failed',
      `${c.name}: its VNC password could not be read from ${c.passwordFile} on ${c.primary} (through ${a.label}): ${e.message}`,
    );
  });
  return out.split('\n')[0]!.trim();
}
