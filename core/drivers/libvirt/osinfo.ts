// OS variants from libosinfo's database on a node: the list as osinfo-query
// prints it (when libosinfo-bin is there) and, for each variant, the lines of
// osinfo-db's XML that say its devices, firmware and resources (inherited
// along `derives-from`, as libosinfo does), plus what the node has for UEFI
// and TPMs. One read per node; the caller caches it.
import type {
  FirmwareFacts,
  OsCatalog,
  OsResources,
  OsVariant,
  VmHardware,
} from '../../../shared/osinfo';

/** The lines of osinfo-db's files that matter here; the rest (media, scripts, translations) stay on the node. */
const DB_LINES =
  '<os id=|</os>|<short-id>|<name>|<version>|<family>|<vendor>|<derives-from|<firmware|' +
  '<resources|</resources>|<minimum>|<recommended>|<maximum>|<network-install>|' +
  '<ram>|<n-cpus>|<storage>|<device id=|<variant id="[^"]*">|</variant>';

/**
 * One fixed script: osinfo-query's table, the database's lines, then the
 * firmware descriptors libvirt chooses UEFI from and swtpm's presence.
 */
export const OSINFO_SCRIPT = [
  'if command -v osinfo-query >/dev/null 2>&1; then echo @@query; osinfo-query os -f short-id,name,version,family,vendor,id 2>/dev/null; fi',
  'echo @@db',
  `for d in /usr/share/osinfo /usr/local/share/osinfo /etc/osinfo; do [ -d "$d/os" ] && find "$d/os" -name '*.xml' -exec grep -h -E '${DB_LINES}' {} +; done | grep -v 'xml:lang'`,
  'echo @@fw',
  'command -v swtpm >/dev/null 2>&1 && command -v swtpm_setup >/dev/null 2>&1 && echo swtpm',
  `for f in /usr/share/qemu/firmware/*.json /etc/qemu/firmware/*.json; do [ -f "$f" ] || continue; grep -q '"uefi"' "$f" && echo efi; grep -q '"secure-boot"' "$f" && grep -q '"enrolled-keys"' "$f" && echo secure-boot; done`,
  'true',
  // One line: the node's commands are quoted as plain text, without newlines.
].join('; ');

export const OSINFO_ARGV = ['sh', '-c', OSINFO_SCRIPT] as const;

interface RawOs {
  id: string;
  shortId?: string;
  name?: string;
  version?: string;
  family?: string;
  vendor?: string;
  derivesFrom?: string;
  /** Device ids: true when supported, false when marked supported="false". */
  devices: Map<string, boolean>;
  /** Firmware types by support, x86_64 only; empty when the file says nothing. */
  firmware: Map<string, boolean>;
  minimum: OsResources;
  recommended: OsResources;
}

const decode = (t: string) =>
  t
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
const attr = (line: string, name: string) => line.match(new RegExp(`${name}="([^"]*)"`))?.[1];
const text = (line: string, tag: string) =>
  line.match(new RegExp(`<${tag}>([^<]*)</${tag}>`))?.[1]?.trim();

/** Reads the database's lines into one record per OS, by full id. */
export function parseOsinfoDb(lines: readonly string[]): Map<string, RawOs> {
  const out = new Map<string, RawOs>();
  let os: RawOs | undefined;
  let inVariant = false;
  let arch = '';
  let section: 'minimum' | 'recommended' | '' = '';
  for (const line of lines) {
    if (line.includes('<os id=')) {
      const id = attr(line, 'id') ?? '';
      // Drivers' files (win-10.d/*.xml) add to the OS of the same id.
      os = out.get(id) ?? {
        id,
        devices: new Map(),
        firmware: new Map(),
        minimum: {},
        recommended: {},
      };
      out.set(id, os);
      inVariant = false;
      arch = '';
      continue;
    }
    if (!os) continue;
    if (line.includes('</os>')) os = undefined;
    else if (/<variant id="[^"]*">/.test(line)) inVariant = true;
    else if (line.includes('</variant>')) inVariant = false;
    else if (inVariant) continue;
    else if (line.includes('<resources')) {
      arch = line.includes('/>') ? '' : (attr(line, 'arch') ?? 'all');
      section = '';
    } else if (line.includes('</resources>')) arch = '';
    else if (/<(minimum|recommended)>/.test(line))
      section = line.includes('<minimum>') ? 'minimum' : 'recommended';
    else if (/<(maximum|network-install)>/.test(line)) section = '';
    else if (/<(ram|n-cpus|storage)>/.test(line)) {
      // x86_64 figures win over "all"; other architectures are not ours.
      if (!section || (arch !== 'x86_64' && arch !== 'all')) continue;
      const r = os[section];
      const key = line.includes('<ram>')
        ? 'ramBytes'
        : line.includes('<n-cpus>')
          ? 'cpus'
          : 'storageBytes';
      const value = Number(
        text(line, key === 'ramBytes' ? 'ram' : key === 'cpus' ? 'n-cpus' : 'storage'),
      );
      if (Number.isFinite(value) && (arch === 'x86_64' || r[key] === undefined)) r[key] = value;
    } else if (line.includes('<device id=')) {
      os.devices.set(attr(line, 'id') ?? '', attr(line, 'supported') !== 'false');
    } else if (line.includes('<firmware')) {
      const a = attr(line, 'arch');
      if (!a || a === 'x86_64')
        os.firmware.set(attr(line, 'type') ?? '', attr(line, 'supported') !== 'false');
    } else if (line.includes('<derives-from')) os.derivesFrom ??= attr(line, 'id');
    else {
      for (const tag of ['short-id', 'name', 'version', 'family', 'vendor'] as const) {
        const t = text(line, tag);
        const key = tag === 'short-id' ? 'shortId' : tag;
        if (t !== undefined && os[key] === undefined) os[key] = decode(t);
      }
    }
  }
  return out;
}

/** An OS's chain: itself, then what it derives from (libosinfo inherits devices and resources). */
function chain(db: Map<string, RawOs>, os: RawOs): RawOs[] {
  const out = [os];
  for (let next = os.derivesFrom; next && out.length < 20;) {
    const parent = db.get(next);
    if (!parent || out.includes(parent)) break;
    out.push(parent);
    next = parent.derivesFrom;
  }
  return out;
}

const PCI = 'http://pcisig.com/pci/';
const has = (devs: Map<string, boolean>, ...ids: string[]) =>
  ids.some((id) => devs.get(id) === true);

/** The devices and firmware an OS is best served by, from what its chain lists. */
export function hardwareOf(
  os: RawOs,
  db: Map<string, RawOs>,
): Omit<OsVariant, 'name' | 'version' | 'family' | 'vendor'> {
  const links = chain(db, os);
  const devices = new Map<string, boolean>();
  // The nearest statement about a device wins (a child may mark one unsupported).
  for (const l of links)
    for (const [id, ok] of l.devices) if (!devices.has(id)) devices.set(id, ok);
  const firmware = links.find((l) => l.firmware.size)?.firmware ?? new Map<string, boolean>();
  const resources = (k: 'minimum' | 'recommended'): OsResources => {
    const r: OsResources = {};
    for (const key of ['ramBytes', 'cpus', 'storageBytes'] as const)
      for (const l of links)
        if (r[key] === undefined && l[k][key] !== undefined) r[key] = l[k][key];
    return r;
  };
  const shortId = os.shortId ?? '';
  // osinfo-db of Debian 12 does not record Windows 11's TPM and Secure Boot
  // requirement; Microsoft's installer refuses without them.
  const requiresSecureBoot = /^win(11|2k25)/.test(shortId);
  const requiresEfi =
    requiresSecureBoot || (firmware.get('efi') === true && firmware.get('bios') === false);
  const q35 = requiresSecureBoot || has(devices, 'http://qemu.org/chipset/x86/q35');
  const windows = os.family === 'winnt' || os.family === 'win9x';
  // Windows lists virtio devices, but its installer sees them only with the
  // virtio-win driver disk: SATA and e1000e install without one.
  const virtioDisk = !windows && has(devices, `${PCI}1af4/1001`, `${PCI}1af4/1042`);
  const virtioNic = !windows && has(devices, `${PCI}1af4/1000`, `${PCI}1af4/1041`);
  const hardware: VmHardware = {
    diskBus: virtioDisk ? 'virtio' : q35 || has(devices, `${PCI}8086/2922`) ? 'sata' : 'ide',
    nic: virtioNic
      ? 'virtio'
      : has(devices, `${PCI}8086/10d3`)
        ? 'e1000e'
        : windows && q35
          ? 'e1000e'
          : has(devices, `${PCI}8086/100e`) || windows
            ? 'e1000'
            : 'rtl8139',
    video: has(devices, `${PCI}1af4/1050`)
      ? 'virtio'
      : has(devices, `${PCI}1b36/0100`)
        ? 'qxl'
        : 'vga',
    firmware: requiresEfi ? 'efi' : 'bios',
    secureBoot: requiresSecureBoot,
    tpm: requiresSecureBoot,
    q35,
  };
  const minimum = resources('minimum');
  const recommended = resources('recommended');
  // An inherited recommendation can be below the variant's own minimum (Windows 11's 1 GiB).
  for (const key of ['ramBytes', 'cpus', 'storageBytes'] as const)
    if (minimum[key] !== undefined && (recommended[key] ?? 0) < minimum[key])
      recommended[key] = minimum[key];
  return {
    shortId,
    id: os.id,
    minimum,
    recommended,
    hardware,
    requiresSecureBoot,
    requiresEfi,
  };
}

/** osinfo-query's table: a row per OS, cells split at " | ". */
function parseQuery(lines: readonly string[]) {
  const rows: {
    shortId: string;
    name: string;
    version: string;
    family: string;
    vendor: string;
    id: string;
  }[] = [];
  for (const line of lines) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 6 || cells[0] === 'Short ID' || /^-+$/.test(cells[0] ?? '')) continue;
    const [shortId = '', name = '', version = '', family = '', vendor = '', id = ''] = cells;
    if (shortId && id) rows.push({ shortId, name, version, family, vendor, id });
  }
  return rows;
}

function parseFirmware(lines: readonly string[]): FirmwareFacts {
  return {
    efi: lines.includes('efi'),
    secureBoot: lines.includes('secure-boot'),
    swtpm: lines.includes('swtpm'),
  };
}

/** The script's output read into the wizard's catalog, sorted by family, name and version. */
export function parseOsinfo(stdout: string): OsCatalog {
  const parts: Record<string, string[]> = {};
  let current = '';
  for (const line of stdout.split('\n')) {
    const m = line.match(/^@@(query|db|fw)$/);
    if (m) current = m[1]!;
    else if (current) (parts[current] ??= []).push(line);
  }
  const db = parseOsinfoDb(parts['db'] ?? []);
  const firmware = parseFirmware((parts['fw'] ?? []).map((l) => l.trim()));
  const query = parseQuery(parts['query'] ?? []);
  const variants: OsVariant[] = [];
  if (query.length) {
    for (const row of query) {
      const raw = db.get(row.id) ?? {
        id: row.id,
        shortId: row.shortId,
        family: row.family,
        devices: new Map(),
        firmware: new Map(),
        minimum: {},
        recommended: {},
      };
      variants.push({
        ...hardwareOf({ ...raw, shortId: row.shortId, family: row.family }, db),
        name: row.name,
        version: row.version,
        family: row.family,
        vendor: row.vendor,
      });
    }
  } else {
    for (const raw of db.values()) {
      if (!raw.shortId || !raw.name) continue;
      variants.push({
        ...hardwareOf(raw, db),
        name: raw.name,
        version: raw.version ?? '',
        family: raw.family ?? '',
        vendor: raw.vendor ?? '',
      });
    }
  }
  variants.sort(
    (a, b) =>
      a.family.localeCompare(b.family) ||
      a.name.localeCompare(b.name, undefined, { numeric: true }),
  );
  const source = query.length ? 'osinfo-query' : variants.length ? 'osinfo-db' : 'none';
  return { source, variants, firmware };
}
