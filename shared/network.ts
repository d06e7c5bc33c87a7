// Libvirt-style virtual networks as the New network dialog and the network
// actions send them, and the node's own interfaces as its Networking tab
// shows them. Every message is a sentence for the user: the dialog shows
// them as they are.
import { z } from 'zod';

export const NETWORK_MODES = ['nat', 'isolated', 'route'] as const;
export type NetworkMode = (typeof NETWORK_MODES)[number];

export const NETWORK_MODE_LABELS: Record<NetworkMode, string> = {
  nat: 'NAT (guests reach outside through the node’s address)',
  isolated: 'Isolated (guests and the node only)',
  route: 'Routed (guests’ subnet routed, no address translation)',
};

export const NETWORK_ACTIONS = ['start', 'stop', 'autostart', 'no-autostart', 'delete'] as const;
export type NetworkAction = (typeof NETWORK_ACTIONS)[number];

export const NETWORK_ACTION_TITLES: Record<NetworkAction, string> = {
  start: 'Start network',
  stop: 'Stop network',
  autostart: 'Autostart network',
  'no-autostart': 'No autostart for network',
  delete: 'Delete network',
};

/** 10.1.2.3 as a number, or undefined when it is not a dotted IPv4 address. */
export function ipv4ToNumber(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + p, 0);
}

export function numberToIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** The first and last address of the subnet `address/prefix`. */
export function subnetBounds(address: number, prefix: number): { first: number; last: number } {
  const size = 2 ** (32 - prefix);
  const first = Math.floor(address / size) * size;
  return { first, last: first + size - 1 };
}

const ipv4 = (what: string) =>
  z
    .string()
    .trim()
    .min(1, `Enter the ${what}.`)
    .refine(
      (s) => ipv4ToNumber(s) !== undefined,
      `The ${what} is an IPv4 address such as 10.1.2.1.`,
    );

/** A network device's name as the kernel allows it (at most 15 characters). */
const ifaceName = (what: string) =>
  z
    .string()
    .trim()
    .max(15, `The ${what}’s name has at most 15 characters.`)
    .regex(
      /^([A-Za-z0-9][A-Za-z0-9._-]*)?$/,
      `The ${what}’s name: letters, digits and . _ - only, starting with a letter or digit.`,
    );

export const networkSpecSchema = z
  .object({
    name: z
      .string()
      .trim()
      .min(1, 'Enter a name for the network.')
      .max(64, 'The name has at most 64 characters.')
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9._+-]*$/,
        'The name: letters, digits and . _ + - only, starting with a letter or digit.',
      ),
    mode: z.enum(NETWORK_MODES, 'Choose how the network reaches outside.'),
    /**
     * The node's own address on the network's bridge (the guests' gateway);
     * an isolated network may have none: a plain switch between its guests.
     */
    address: ipv4('node’s address on the network').optional(),
    prefix: z
      .number('The prefix length is a number from 8 to 30.')
      .int('The prefix length is a whole number from 8 to 30.')
      .min(8, 'The prefix length is at least 8 (a /8 network).')
      .max(30, 'The prefix length is at most 30 (room for two addresses).'),
    /** Both or neither: the range DHCP hands out. */
    dhcpStart: ipv4('first address DHCP hands out').optional(),
    dhcpEnd: ipv4('last address DHCP hands out').optional(),
    /** The bridge libvirt creates; libvirt picks virbrN when empty. */
    bridge: ifaceName('bridge').optional(),
    /** NAT and routed: the node's interface the traffic leaves by; any when empty. */
    forwardDev: ifaceName('forward device').optional(),
    /** Start it now, and whenever the node starts. */
    start: z.boolean(),
    autostart: z.boolean(),
  })
  .superRefine((s, ctx) => {
    if (s.mode === 'isolated' && s.forwardDev)
      ctx.addIssue({
        code: 'custom',
        path: ['forwardDev'],
        message: 'An isolated network forwards nowhere: leave the forward device empty.',
      });
    if (!s.address) {
      if (s.mode !== 'isolated')
        ctx.addIssue({
          code: 'custom',
          path: ['address'],
          message: `A ${s.mode === 'nat' ? 'NAT' : 'routed'} network needs the node’s address on it.`,
        });
      if (s.dhcpStart || s.dhcpEnd)
        ctx.addIssue({
          code: 'custom',
          path: ['dhcpStart'],
          message: 'DHCP needs the node’s address on the network: enter one, or leave DHCP empty.',
        });
      return;
    }
    const addr = ipv4ToNumber(s.address);
    if (addr === undefined || !Number.isInteger(s.prefix) || s.prefix < 8 || s.prefix > 30) return;
    const { first, last } = subnetBounds(addr, s.prefix);
    const subnet = `${numberToIpv4(first)}/${s.prefix}`;
    if (addr === first || addr === last)
      ctx.addIssue({
        code: 'custom',
        path: ['address'],
        message: `${s.address} is the ${addr === first ? 'network' : 'broadcast'} address of ${subnet}: choose a host address such as ${numberToIpv4(first + 1)}.`,
      });
    if (!!s.dhcpStart !== !!s.dhcpEnd) {
      ctx.addIssue({
        code: 'custom',
        path: [s.dhcpStart ? 'dhcpEnd' : 'dhcpStart'],
        message: 'Give both ends of the DHCP range, or neither for no DHCP.',
      });
      return;
    }
    const start = s.dhcpStart ? ipv4ToNumber(s.dhcpStart) : undefined;
    const end = s.dhcpEnd ? ipv4ToNumber(s.dhcpEnd) : undefined;
    if (start === undefined || end === undefined) return;
    for (const [key, n, text] of [
      ['dhcpStart', start, s.dhcpStart],
      ['dhcpEnd', end, s.dhcpEnd],
    ] as const) {
      if (n <= first || n >= last)
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `${text} is not a host address of ${subnet}.`,
        });
    }
    if (start > end)
      ctx.addIssue({
        code: 'custom',
        path: ['dhcpEnd'],
        message: 'The DHCP range ends before it starts.',
      });
    else if (addr >= start && addr <= end)
      ctx.addIssue({
        code: 'custom',
        path: ['dhcpStart'],
        message: `The DHCP range includes the node’s own address ${s.address}.`,
      });
  });
export type NetworkSpec = z.infer<typeof networkSpecSchema>;

/** One of the node's network interfaces (NIC, bridge, tap, …). */
export const hostInterfaceSchema = z.object({
  name: z.string(),
  /** ether, bridge, veth, tun, bond, vlan, loopback, … */
  kind: z.string(),
  mac: z.string(),
  /** The kernel's operational state: UP, DOWN, UNKNOWN, … */
  state: z.string(),
  mtu: z.number(),
  /** CIDR addresses, IPv4 then IPv6. */
  addresses: z.array(z.string()),
  /** The bridge (or bond) this interface is a port of; '' when none. */
  master: z.string(),
});
export type HostInterface = z.infer<typeof hostInterfaceSchema>;

/** The VMs defined on the network's node with a NIC on it, by name. */
export function networkUsers(
  net: { hostId: string; name: string },
  vms: readonly {
    hostId: string;
    name: string;
    state: string;
    nics: { type: string; source: string }[];
  }[],
): { name: string; running: boolean }[] {
  return vms
    .filter(
      (v) =>
        v.hostId === net.hostId &&
        v.nics.some((n) => n.type === 'network' && n.source === net.name),
    )
    .map((v) => ({ name: v.name, running: v.state === 'running' || v.state === 'paused' }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** "a", "a and b", "a, b and c". */
export function listNames(names: readonly string[]): string {
  return names.length < 2
    ? (names[0] ?? '')
    : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}
