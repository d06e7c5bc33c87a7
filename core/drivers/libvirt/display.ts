// Where a VM's graphical console listens, as `virsh domdisplay
// --include-password` reports it: a TCP address or a unix socket on the
// node, and the VNC password from the VM's XML when it has one.
import { ClusterdeckError } from '../../../shared/errors';
import type { SshSession } from '../../ssh/session';
import type { ConsoleSource } from '../capabilities';
import { openRoute, type DisplayRoute } from '../../consoles/route';

export interface DisplayAddress {
  type: 'vnc' | 'spice';
  /** As the node sees it: host and port, or the path of a unix socket. */
  endpoint: { host: string; port: number } | { socket: string };
  /** Held by the main process only; it logs in for the page. */
  password?: string;
}

/**
 * Parses `vnc://127.0.0.1:0` (display number), `spice://127.0.0.1:5900`
 * (port), `vnc+unix:///path/vnc.sock`, each possibly with `:password@`.
 * libvirt does not escape the password, so it runs to the last '@'.
 */
export function parseDomdisplay(stdout: string, vmName: string): DisplayAddress {
  const uri = stdout.trim().split('\n')[0]?.trim() ?? '';
  const unix = /^vnc\+unix:\/\/(?::(.*)@)?(\/.+)$/.exec(uri);
  if (unix?.[2]) {
    return { type: 'vnc', endpoint: { socket: unix[2] }, ...password(unix[1]) };
  }
  const m = /^(vnc|spice):\/\/(?::(.*)@)?(\[[^\]]+\]|[^:/@[]+):(\d+)/.exec(uri);
  if (!m?.[1] || !m[3] || !m[4]) {
    // The URI may hold the password: never repeat it in a message.
    const shown = uri.replace(/^([a-z+]+:\/\/):.*@/, '$1');
    throw new ClusterdeckError(
      'unsupported',
      `${vmName} has no VNC or SPICE display that Clusterdeck can reach (virsh domdisplay said "${shown}").`,
    );
  }
  const type = m[1] as 'vnc' | 'spice';
  const n = Number(m[4]);
  // VNC URIs carry a display number; SPICE URIs a TCP port.
  const port = type === 'vnc' ? 5900 + n : n;
  let host = m[3].replace(/^\[|\]$/g, '');
  // A display listening on every address is reachable on the node's loopback.
  if (host === '0.0.0.0' || host === '::') host = '127.0.0.1';
  return { type, endpoint: { host, port }, ...password(m[2]) };
}

function password(p: string | undefined): { password?: string } {
  return p ? { password: p } : {};
}

/** The display as a byte stream through the node's SSH session (the VNC port is never exposed). */
export function consoleSource(
  display: DisplayAddress,
  session: SshSession,
  vmName: string,
): ConsoleSource {
  if (display.type !== 'vnc') {
    throw new ClusterdeckError(
      'unsupported',
      `${vmName} has a SPICE display only; Clusterdeck's console speaks VNC. Add a VNC graphics device to the VM.`,
    );
  }
  const { endpoint, password } = display;
  const route: DisplayRoute =
    'socket' in endpoint
      ? { kind: 'socket', path: endpoint.socket }
      : { kind: 'tcp', host: endpoint.host, port: endpoint.port };
  return {
    protocol: 'vnc',
    connect: () => openRoute(session, route),
    route,
    ...(password ? { password } : {}),
  };
}
