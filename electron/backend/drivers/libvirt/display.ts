// Where a VM's graphical console listens, as `virsh domdisplay` reports it.
import { ClusterdeckError } from '../../../../shared/errors';

export interface DisplayAddress {
  type: 'vnc' | 'spice';
  host: string;
  port: number;
}

/** Parses `vnc://127.0.0.1:0` (display number) or `spice://127.0.0.1:5900` (port). */
export function parseDomdisplay(stdout: string, vmName: string): DisplayAddress {
  const uri = stdout.trim().split('\n')[0]?.trim() ?? '';
  const m = /^(vnc|spice):\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/]+):(\d+)/.exec(uri);
  if (!m?.[1] || !m[2] || !m[3]) {
    throw new ClusterdeckError(
      'unsupported',
      `${vmName} has no VNC or SPICE display that Clusterdeck can reach (virsh domdisplay said "${uri}").`,
    );
  }
  const type = m[1] as 'vnc' | 'spice';
  const n = Number(m[3]);
  // VNC URIs carry a display number; SPICE URIs a TCP port.
  const port = type === 'vnc' ? 5900 + n : n;
  let host = m[2].replace(/^\[|\]$/g, '');
  // A display listening on every address is reachable on the node's loopback.
  if (host === '0.0.0.0' || host === '::') host = '127.0.0.1';
  return { type, host, port };
}
