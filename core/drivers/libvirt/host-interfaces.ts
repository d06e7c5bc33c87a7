// The node's own network interfaces (NICs, bridges, their ports), read with
// iproute2's JSON output: no agent, no NetworkManager, on any plain node.
import type { HostInterface } from '../../../shared/network';

/** `-d` adds each link's kind (bridge, veth, tun) and its bridge port role. */
export const HOST_INTERFACES_ARGV = ['ip', '-d', '-j', 'addr', 'show'];

interface IpLink {
  ifname?: unknown;
  address?: unknown;
  operstate?: unknown;
  mtu?: unknown;
  link_type?: unknown;
  master?: unknown;
  linkinfo?: { info_kind?: unknown };
  addr_info?: { family?: unknown; local?: unknown; prefixlen?: unknown }[];
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export function parseHostInterfaces(stdout: string): HostInterface[] {
  let links: unknown;
  try {
    links = JSON.parse(stdout || '[]');
  } catch {
    return [];
  }
  if (!Array.isArray(links)) return [];
  return (links as IpLink[])
    .filter((l) => str(l.ifname))
    .map((l) => {
      const addrs = (l.addr_info ?? []).filter((a) => str(a.local));
      const cidr = (a: { local?: unknown; prefixlen?: unknown }) =>
        `${str(a.local)}/${typeof a.prefixlen === 'number' ? a.prefixlen : ''}`;
      return {
        name: str(l.ifname),
        kind: str(l.linkinfo?.info_kind) || str(l.link_type) || 'unknown',
        mac: str(l.address),
        state: str(l.operstate) || 'UNKNOWN',
        mtu: typeof l.mtu === 'number' ? l.mtu : 0,
        addresses: [
          ...addrs.filter((a) => a.family === 'inet').map(cidr),
          ...addrs.filter((a) => a.family === 'inet6').map(cidr),
        ],
        master: str(l.master),
      };
    });
}
