// The QEMU guest agent, asked through libvirt: `virsh guestinfo` (OS and
// host name), `virsh domifaddr --source agent` (addresses) and, for the
// guest's uptime, `virsh qemu-agent-command` reading /proc/uptime (libvirt
// has no call for it). Read only when a VM's General tab is open, in one
// exec whose every virsh is bounded by `timeout`: an agent that hangs
// must not hold the node's open virsh, which the inventory uses.
import type { GuestInfo } from '../../../shared/guest';
import type { Vm } from '../../../shared/model';
import { LIBVIRT_URI } from './commands';

const T = 4; // seconds per agent question

/**
 * The fixed script, one line (quoteArg refuses line breaks); the domain's
 * UUID is its only argument. Each section starts with `@@name` and ends with
 * `@@rc N`, the exit code of the command before it.
 */
const SCRIPT = [
  'u=$1',
  `q() { timeout ${T} virsh -q -c ${LIBVIRT_URI} "$@" 2>&1; echo "@@rc $?"; }`,
  'echo @@guestinfo',
  'q guestinfo --domain "$u" --os --hostname',
  'echo @@ifaddr',
  'q domifaddr --domain "$u" --source agent --full',
  // The file's handle, then its first bytes, then the handle closed.
  `h=$(timeout ${T} virsh -q -c ${LIBVIRT_URI} qemu-agent-command --domain "$u" --timeout ${T} '{"execute":"guest-file-open","arguments":{"path":"/proc/uptime"}}' 2>/dev/null | sed -n 's/^{"return":\\([0-9][0-9]*\\)}$/\\1/p')`,
  'echo @@uptime',
  `if [ -n "$h" ]; then q qemu-agent-command --domain "$u" --timeout ${T} "{\\"execute\\":\\"guest-file-read\\",\\"arguments\\":{\\"handle\\":$h,\\"count\\":64}}"; timeout ${T} virsh -q -c ${LIBVIRT_URI} qemu-agent-command --domain "$u" --timeout ${T} "{\\"execute\\":\\"guest-file-close\\",\\"arguments\\":{\\"handle\\":$h}}" >/dev/null 2>&1; else echo "@@rc 1"; fi`,
].join('; ');

export function guestInfoArgv(vm: Vm): string[] {
  return ['sh', '-c', SCRIPT, 'clusterdeck-guest-info', vm.uuid];
}

/** The script's output cut into its sections: text and exit code. */
function sections(stdout: string): Map<string, { text: string; rc: number }> {
  const out = new Map<string, { text: string; rc: number }>();
  let name = '';
  let lines: string[] = [];
  for (const line of stdout.split('\n')) {
    const start = /^@@(guestinfo|ifaddr|uptime)$/.exec(line);
    const end = /^@@rc (\d+)$/.exec(line);
    if (start) {
      name = start[1]!;
      lines = [];
    } else if (end && name) {
      out.set(name, { text: lines.join('\n').trim(), rc: Number(end[1]) });
      name = '';
    } else if (name) lines.push(line);
  }
  return out;
}

const clean = (t: string) => t.replace(/^error: /gm, '').trim();

export function parseGuestInfo(stdout: string): GuestInfo {
  const s = sections(stdout);
  const info = s.get('guestinfo');
  if (!info || info.rc !== 0) {
    const reason =
      info?.rc === 124
        ? `The guest agent did not answer within ${T} s.`
        : clean(info?.text ?? '') || 'The guest agent did not answer.';
    const agent = /not configured/.test(reason)
      ? 'not-configured'
      : /domain is not running/.test(reason)
        ? 'vm-not-running'
        : 'not-running';
    return { agent, reason, interfaces: [] };
  }
  const kv = new Map<string, string>();
  for (const line of info.text.split('\n')) {
    const m = /^([a-z0-9.-]+)\s*:\s?(.*)$/.exec(line.trim());
    if (m) kv.set(m[1]!, m[2]!);
  }
  const ifaddr = s.get('ifaddr');
  const up = s.get('uptime');
  let uptimeSeconds: number | undefined;
  if (up?.rc === 0) {
    try {
      const r = JSON.parse(up.text) as { return?: { 'buf-b64'?: string } };
      const seconds = Number.parseFloat(
        Buffer.from(r.return?.['buf-b64'] ?? '', 'base64').toString('utf8'),
      );
      if (Number.isFinite(seconds)) uptimeSeconds = Math.floor(seconds);
    } catch {
      // A guest whose agent forbids file reads: no uptime, the rest stands.
    }
  }
  const kernel = kv.get('os.kernel-release');
  return {
    agent: 'running',
    reason: '',
    ...optional('os', kv.get('os.pretty-name') ?? kv.get('os.name')),
    ...optional('kernel', kernel),
    ...optional('hostname', kv.get('hostname')),
    interfaces: ifaddr?.rc === 0 ? parseAgentAddresses(ifaddr.text) : [],
    ...(uptimeSeconds !== undefined ? { uptimeSeconds } : {}),
  };
}

function optional<K extends string>(key: K, v: string | undefined): Partial<Record<K, string>> {
  return v ? ({ [key]: v } as Record<K, string>) : {};
}

/**
 * `domifaddr --full` rows (name, MAC, protocol, address with prefix), the
 * header and rule dropped by -q; "N/A" stands for an interface without an
 * address.
 */
export function parseAgentAddresses(text: string): GuestInfo['interfaces'] {
  const byName = new Map<string, GuestInfo['interfaces'][number]>();
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 4 || /^-+$/.test(cols[0]!) || cols[0] === 'Name') continue;
    const [name, mac, , address] = cols as [string, string, string, string];
    const entry = byName.get(name) ?? { name, mac, addresses: [] };
    if (address !== 'N/A') entry.addresses.push(address);
    byName.set(name, entry);
  }
  return [...byName.values()];
}
