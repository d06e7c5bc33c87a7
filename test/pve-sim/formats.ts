// PVE's named string formats (the code-based ones registered in
// pve-common's JSONSchema.pm and friends), reproduced from their documented
// behaviour: each returns the `die` message PVE gives, or undefined when the
// value is fine. Formats not listed here are accepted (logged as loose) — the
// hash-based formats (drive strings, net0, cpu...) come expanded inside
// apidata.js and are checked as property strings by validate.ts instead.

type Check = (value: string) => string | undefined;

const re =
  (pattern: RegExp, message: string): Check =>
  (v) =>
    pattern.test(v) ? undefined : message;

function parseId(type: string): Check {
  return (id) => {
    if (id.length < 2) return `${type} ID '${id}' cannot be shorter than 2 characters\n`;
    if (!/^[a-z][a-z0-9\-_.]*[a-z0-9]$/i.test(id))
      return `${type} ID '${id}' contains illegal characters\n`;
    return undefined;
  };
}

const ipv4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
// Loose IPv6: hex groups and colons, at most one "::" (PVE uses Net::IP).
const ipv6 = (v: string): boolean =>
  /^[0-9a-f:]+(:\d+\.\d+\.\d+\.\d+)?$/i.test(v) &&
  v.includes(':') &&
  (v.match(/::/g) ?? []).length <= 1;

function cidr(v: string): boolean {
  const m = /^(.+)\/(\d+)$/.exec(v);
  if (!m) return false;
  const bits = Number(m[2]);
  return ipv4.test(m[1]!) ? bits <= 32 : ipv6(m[1]!) && bits <= 128;
}

export const formats: Record<string, Check> = {
  'pve-node': re(
    /^([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)$/,
    'value does not look like a valid node name\n',
  ),
  'pve-vmid': re(/^[1-9][0-9]{2,8}$/, 'value does not look like a valid VM ID\n'),
  'pve-storage-id': parseId('storage'),
  'pve-configid': (id) =>
    /^[a-z][a-z0-9_-]+$/i.test(id) ? undefined : `invalid configuration ID '${id}'\n`,
  'pve-bridge-id': (id) => (/^[-_.\w]+$/.test(id) ? undefined : `invalid bridge ID '${id}'\n`),
  ipv4: re(ipv4, 'value does not look like a valid IPv4 address\n'),
  ipv6: (v) => (ipv6(v) ? undefined : 'value does not look like a valid IPv6 address\n'),
  ip: (v) =>
    ipv4.test(v) || ipv6(v) ? undefined : 'value does not look like a valid IP address\n',
  CIDR: (v) => (cidr(v) ? undefined : 'value does not look like a valid CIDR network\n'),
  'mac-addr': re(
    /^[a-f0-9][02468ace](?::[a-f0-9]{2}){5}$/i,
    'value does not look like a valid unicast MAC address\n',
  ),
  'dns-name': re(
    /^([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)(\.([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?))*$/,
    'value does not look like a valid DNS name\n',
  ),
  email: re(
    /^[\w+\-~.]+@[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)*$/,
    'value does not look like a valid email address\n',
  ),
  // PVE::HA::Config's formats: `vm:100`/`ct:200` (or a bare vmid), `node[:priority]`.
  'pve-ha-resource-or-vm-id': re(
    /^(?:[a-z]+:\S+|\d+)$/,
    'value does not look like a valid ha resource id\n',
  ),
  'pve-ha-resource-id': re(/^[a-z]+:\S+$/, 'value does not look like a valid ha resource id\n'),
  'pve-ha-group-node': re(
    /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(:\d+)?$/,
    'value does not look like a valid ha group node\n',
  ),
  'pve-ha-node': re(
    /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(:\d+)?$/,
    'value does not look like a valid ha node\n',
  ),
  'disk-size': re(/^(\d+(\.\d+)?)([KMGT])?$/, 'value does not look like a valid disk size\n'),
  // pve-storage's formats (PVE::Storage::Plugin): content types, servers, portals, VG names, paths.
  'pve-storage-content': re(
    /^(images|rootdir|vztmpl|iso|backup|snippets|import|none)$/,
    'invalid content type\n',
  ),
  'pve-storage-server': re(
    /^(?:[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[?[0-9a-fA-F:.]+\]?)$/,
    'value does not look like a valid server name or IP address\n',
  ),
  'pve-storage-portal-dns': re(
    /^(?:[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\]|[0-9.]+)(:\d+)?$/,
    'value does not look like a valid portal address\n',
  ),
  'pve-storage-vgname': re(
    /^[a-zA-Z0-9.+_][a-zA-Z0-9.+_-]+$/,
    'value does not look like a valid volume group name\n',
  ),
  'pve-storage-path': re(/^\/[^\0]*$/, 'value does not look like a valid absolute path\n'),
};

/** Formats met and not checked, so a test run can say what it let through. */
export const uncheckedFormats = new Set<string>();

/** PVE's split_list: separators are NUL, semicolon, comma and whitespace. */
export function splitList(value: string): string[] {
  return value.split(/[\0;,\s]+/).filter((v) => v !== '');
}

/** The error message of a named format ('x', 'x-list', 'x-opt'), or undefined. */
export function checkNamedFormat(format: string, value: string): string | undefined {
  if (format === 'regex') return undefined;
  const m = /^(.*?)(?:-(list|opt))?$/.exec(format)!;
  const name = m[1]!;
  const kind = m[2] ?? 'none';
  const check = formats[name] ?? formats[format];
  if (!check) {
    uncheckedFormats.add(format);
    return undefined;
  }
  if (formats[format]) return check(value);
  if (kind === 'list') {
    for (const v of splitList(value)) {
      const err = check(v);
      if (err) return err;
    }
    return undefined;
  }
  if (kind === 'opt') return value ? check(value) : undefined;
  return check(value);
}
