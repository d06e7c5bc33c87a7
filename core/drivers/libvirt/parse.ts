// Parsers for virsh output. XML goes through a real XML parser; the few
// table outputs are read by their header columns, so names with spaces work.
import type {
  CephSource,
  Snapshot,
  StoragePool,
  Vm,
  VmDisk,
  VmGraphics,
  VmNic,
  VmState,
  VmTextConsole,
  Volume,
} from '../../../shared/model';
import type { MigrationProgress } from '../capabilities';
import { arr, attr, obj, text, xmlParser, type XmlNode } from './xml';

const ARRAYS = new Set([
  'domain.devices.disk',
  'domain.devices.interface',
  'domain.devices.graphics',
  'domain.devices.serial',
  'domain.devices.console',
  'capabilities.guest',
  'capabilities.guest.arch.domain',
]);

const xml = xmlParser((_name, jpath) => ARRAYS.has(jpath));
/** For volumes and snapshots: their names are shown and sent back exactly as they are. */
const exactXml = xmlParser(undefined, { exact: true });

type Node = XmlNode;

const UNIT_BYTES: Record<string, number> = {
  b: 1,
  bytes: 1,
  k: 1024,
  kib: 1024,
  kb: 1000,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  mb: 1e6,
  g: 1024 ** 3,
  gib: 1024 ** 3,
  gb: 1e9,
  t: 1024 ** 4,
  tib: 1024 ** 4,
  tb: 1e12,
};

/** libvirt's scaled integers (`<memory unit='KiB'>`), in bytes. */
function scaled(v: unknown, defaultUnit: string): number {
  const n = Number(text(v));
  const unit = (attr(v, 'unit') || defaultUnit).toLowerCase();
  return Number.isFinite(n) ? n * (UNIT_BYTES[unit] ?? 1) : 0;
}

export function parseList(stdout: string): string[] {
  return stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** `Key:   value` lines (dominfo, pool-info, net-info, nodeinfo). */
export function parseKeyValues(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const m = /^([^:]+):\s*(.*)$/.exec(line);
    if (m?.[1]) out[m[1].trim()] = (m[2] ?? '').trim();
  }
  return out;
}

export function parseVersion(stdout: string): { libvirt: string; qemu: string } {
  const lib = /Using library: libvirt ([\d.]+)/.exec(stdout)?.[1] ?? '';
  const qemu = /Running hypervisor: QEMU ([\d.]+)/.exec(stdout)?.[1] ?? '';
  return { libvirt: lib, qemu };
}

export function parseNodeinfo(stdout: string): { cpus: number; memoryKiB: number; arch: string } {
  const kv = parseKeyValues(stdout);
  return {
    cpus: Number(kv['CPU(s)'] ?? 0),
    memoryKiB: Number((kv['Memory size'] ?? '0').replace(/\s*KiB$/, '')),
    arch: kv['CPU model'] ?? '',
  };
}

/** True when the node's capabilities offer the kvm domain type. */
export function capabilitiesHaveKvm(capsXml: string): boolean {
  const caps = obj(xml.parse(capsXml)['capabilities']);
  return arr(caps['guest']).some((g) =>
    arr(obj(g['arch'])['domain']).some((d) => attr(d, 'type') === 'kvm'),
  );
}

const STATE_WORDS: Record<string, VmState> = {
  running: 'running',
  idle: 'blocked',
  blocked: 'blocked',
  paused: 'paused',
  'in shutdown': 'shutdown',
  'shut off': 'shutoff',
  crashed: 'crashed',
  pmsuspended: 'pmsuspended',
};

export function parseDomstate(stdout: string): VmState {
  return STATE_WORDS[stdout.trim().split('\n')[0]?.trim() ?? ''] ?? 'unknown';
}

export type DomainXmlFacts = Pick<
  Vm,
  'uuid' | 'name' | 'vcpus' | 'memoryKiB' | 'disks' | 'nics' | 'graphics' | 'textConsoles'
>;

/** The disks of a `<devices>` element (a domain's, or the one a snapshot keeps). */
function parseDisks(devices: Node): VmDisk[] {
  return arr(devices['disk']).map((disk) => {
    const src = obj(disk['source']);
    // The images under this one (an external snapshot's base…), as libvirt
    // reports them for a running VM: its QEMU has them open too.
    const backing: string[] = [];
    for (let b = obj(disk['backingStore']); Object.keys(b).length; b = obj(b['backingStore'])) {
      const s = obj(b['source']);
      const path = attr(s, 'file') || attr(s, 'dev') || attr(s, 'name');
      if (path) backing.push(path);
    }
    return {
      target: attr(disk['target'], 'dev'),
      bus: attr(disk['target'], 'bus'),
      device: attr(disk, 'device') || 'disk',
      source:
        attr(src, 'file') || attr(src, 'dev') || attr(src, 'name') || attr(src, 'volume') || '',
      ...(attr(disk, 'type') === 'volume' ? { pool: attr(src, 'pool') } : {}),
      ...(disk['readonly'] !== undefined ? { readonly: true } : {}),
      ...(backing.length ? { backing } : {}),
    };
  });
}

export function parseDomainXml(domXml: string): DomainXmlFacts {
  const d = obj(xml.parse(domXml)['domain']);
  const devices = obj(d['devices']);
  const disks = parseDisks(devices);
  const nics: VmNic[] = arr(devices['interface']).map((nic) => {
    const src = obj(nic['source']);
    return {
      type: attr(nic, 'type'),
      source: attr(src, 'network') || attr(src, 'bridge') || attr(src, 'dev') || '',
      mac: attr(nic['mac'], 'address'),
      model: attr(nic['model'], 'type'),
    };
  });
  const graphics: VmGraphics[] = arr(devices['graphics']).map((g) => ({
    type: attr(g, 'type'),
    listen: attr(g, 'listen') || attr(g['listen'], 'address') || '',
    port: Number(attr(g, 'port') || -1),
  }));
  // libvirt mirrors the first serial port as <console target='serial'>; one
  // entry per real device is what the user cares about.
  const serials = arr(devices['serial']).map((c) => ({
    device: 'serial',
    type: attr(c, 'type'),
    target: attr(c['target'], 'type') || 'isa-serial',
  }));
  const consoles = arr(devices['console'])
    .filter((c) => serials.length === 0 || attr(c['target'], 'type') !== 'serial')
    .map((c) => ({
      device: 'console',
      type: attr(c, 'type'),
      target: attr(c['target'], 'type') || 'serial',
    }));
  const textConsoles: VmTextConsole[] = [...serials, ...consoles];
  return {
    uuid: text(d['uuid']),
    name: text(d['name']),
    vcpus: Number(text(d['vcpu']) || 0),
    memoryKiB: scaled(d['currentMemory'] ?? d['memory'], 'KiB') / 1024,
    disks,
    nics,
    graphics,
    textConsoles,
  };
}

export type PoolXmlFacts = Pick<
  StoragePool,
  'uuid' | 'name' | 'type' | 'capacity' | 'allocation' | 'available' | 'targetPath' | 'ceph'
>;

function parseCephSource(src: Node): CephSource {
  const auth = obj(src['auth']);
  const user = attr(auth, 'username');
  const secretUuid = attr(auth['secret'], 'uuid');
  return {
    pool: text(src['name']),
    monitors: arr(src['host']).map((h) => ({
      host: attr(h, 'name'),
      port: Number(attr(h, 'port')) || 6789,
    })),
    ...(user && secretUuid ? { auth: { user, secretUuid } } : {}),
  };
}

export function parsePoolXml(poolXml: string): PoolXmlFacts {
  const p = obj(xml.parse(poolXml)['pool']);
  const type = attr(p, 'type');
  return {
    ...(type === 'rbd' ? { ceph: parseCephSource(obj(p['source'])) } : {}),
    uuid: text(p['uuid']),
    name: text(p['name']),
    type,
    capacity: scaled(p['capacity'], 'bytes'),
    allocation: scaled(p['allocation'], 'bytes'),
    available: scaled(p['available'], 'bytes'),
    targetPath: text(obj(p['target'])['path']),
  };
}

export function parseNetXml(netXml: string): {
  uuid: string;
  name: string;
  bridge: string;
  forward: string;
} {
  const n = obj(xml.parse(netXml)['network']);
  return {
    uuid: text(n['uuid']),
    name: text(n['name']),
    bridge: attr(n['bridge'], 'name'),
    forward: attr(n['forward'], 'mode') || (n['forward'] !== undefined ? 'nat' : 'isolated'),
  };
}

/**
 * What each row of `vol-list` (two columns, no header in the quiet virsh)
 * may hold: virsh pads the name to the column's width and sets the path
 * three spaces after it, so every run of three spaces before a non-space
 * may be where the name ends. The name guessed loses any spaces at its end
 * (they cannot be told from the padding); the path guessed is exact. virsh
 * shows a control character in either as \xNN, so such a row reads back
 * under none of its guesses.
 */
export function volListGuesses(stdout: string): { name: string; path: string }[][] {
  return stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((line) => {
      const row = line.startsWith(' ') ? line.slice(1) : line;
      return [...row.matchAll(/ {3}(?=[^ ])/g)].map((m) => ({
        name: row.slice(0, m.index).replace(/ +$/, ''),
        path: row.slice(m.index + 3),
      }));
    })
    .filter((guesses) => guesses.length > 0);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * UUIDs from `list --uuid` and its kin. Commands take them as bare words,
 * so only what has a UUID's shape is kept: nothing listed can pass for an
 * option.
 */
export function parseUuidList(stdout: string): string[] {
  return parseList(stdout).filter((l) => UUID.test(l));
}

/** One volume from `vol-dumpxml`: exact bytes, not virsh's rounded sizes. */
export function parseVolumeXml(volXml: string): Volume {
  const v = obj(exactXml.parse(volXml)['volume']);
  return {
    name: text(v['name']),
    path: text(obj(v['target'])['path']) || text(v['key']),
    type: attr(v, 'type'),
    format: attr(obj(v['target'])['format'], 'type'),
    capacity: scaled(v['capacity'], 'bytes'),
    allocation: scaled(v['allocation'], 'bytes'),
  };
}

/** One snapshot from `snapshot-dumpxml` (its `current` flag comes from elsewhere). */
export function parseSnapshotXml(snapXml: string): Omit<Snapshot, 'current'> {
  const d = obj(exactXml.parse(snapXml)['domainsnapshot']);
  // The definition kept with it names the disks as they were: an external
  // snapshot's base images, or a disk detached since, which a revert needs.
  const kept = obj(obj(obj(xml.parse(snapXml)['domainsnapshot'])['domain'])['devices']);
  return {
    name: text(d['name']),
    parent: text(obj(d['parent'])['name']),
    description: text(d['description']),
    createdAt: Number(text(d['creationTime']) || 0),
    state: text(d['state']),
    disks: parseDisks(kept).filter((disk) => disk.source !== ''),
  };
}

export function yes(v: string | undefined): boolean {
  return v === 'yes' || v === 'enable';
}

/** A running job as `virsh domjobinfo` reports it: a move's progress, and how long it has run. */
export type JobInfo = MigrationProgress & { elapsedMs: number };

/** Reads `virsh domjobinfo` ("Data processed:   12.345 MiB"), by its labels. */
export function parseDomjobinfo(stdout: string): JobInfo {
  const field = (label: string) =>
    stdout.match(new RegExp(`^${label}:\\s+([\\d.]+)\\s*(\\S*)`, 'm')) ?? undefined;
  const bytes = (label: string) => {
    const m = field(label);
    if (!m) return 0;
    const unit = (m[2] ?? 'b').replace(/\/s$/, '').toLowerCase();
    return Number(m[1]) * (UNIT_BYTES[unit] ?? 1);
  };
  const type = stdout.match(/^Job type:\s+(\S+)/m)?.[1] ?? 'None';
  return {
    active: type !== 'None' && type !== 'Completed' && type !== 'Failed' && type !== 'Cancelled',
    elapsedMs: Number(field('Time elapsed')?.[1] ?? 0),
    processed: bytes('Data processed'),
    remaining: bytes('Data remaining'),
    total: bytes('Data total'),
    bandwidth: bytes('Memory bandwidth'),
    downtimeMs: Number(field('Expected downtime')?.[1] ?? 0),
    iteration: Number(field('Iteration')?.[1] ?? 0),
  };
}

/** `virsh nodecpustats` (cumulative nanoseconds per kind): busy and total time. */
export function parseNodeCpuStats(stdout: string): { busyNs: number; totalNs: number } {
  let busy = 0;
  let total = 0;
  for (const line of stdout.split('\n')) {
    const m = line.match(/^\s*(\w+):\s+(\d+)/);
    if (!m) continue;
    const ns = Number(m[2]);
    total += ns;
    if (m[1] !== 'idle' && m[1] !== 'iowait') busy += ns;
  }
  return { busyNs: busy, totalNs: total };
}

/** `virsh nodememstats` (KiB): total and what is in use (not free, buffers or cache). */
export function parseNodeMemStats(stdout: string): { totalBytes: number; usedBytes: number } {
  const kib = (key: string) =>
    Number(stdout.match(new RegExp(`^\\s*${key}\\s*:\\s*(\\d+)`, 'm'))?.[1] ?? 0) * 1024;
  const total = kib('total');
  return {
    totalBytes: total,
    usedBytes: Math.max(0, total - kib('free') - kib('buffers') - kib('cached')),
  };
}

/** One VM's cumulative counters from `virsh domstats`. */
export interface DomCounters {
  cpuNs: number;
  vcpus: number;
  memBytes: number;
  diskReadBytes: number;
  diskWriteBytes: number;
  netRxBytes: number;
  netTxBytes: number;
}

/** `virsh domstats --cpu-total --balloon --vcpu --block --interface`, by VM name. */
export function parseDomstats(stdout: string): Map<string, DomCounters> {
  const out = new Map<string, DomCounters>();
  let cur: DomCounters | undefined;
  for (const raw of stdout.split('\n')) {
    const head = raw.match(/^Domain: '(.*)'$/);
    if (head) {
      cur = {
        cpuNs: 0,
        vcpus: 0,
        memBytes: 0,
        diskReadBytes: 0,
        diskWriteBytes: 0,
        netRxBytes: 0,
        netTxBytes: 0,
      };
      out.set(head[1]!, cur);
      continue;
    }
    const kv = raw.trim().match(/^([\w.]+)=(.*)$/);
    if (!cur || !kv) continue;
    const [, key, value] = kv as unknown as [string, string, string];
    const n = Number(value) || 0;
    if (key === 'cpu.time') cur.cpuNs = n;
    else if (key === 'vcpu.current') cur.vcpus = n;
    else if (key === 'balloon.rss') cur.memBytes = n * 1024;
    else if (key === 'balloon.current' && !cur.memBytes) cur.memBytes = n * 1024;
    else if (/^block\.\d+\.rd\.bytes$/.test(key)) cur.diskReadBytes += n;
    else if (/^block\.\d+\.wr\.bytes$/.test(key)) cur.diskWriteBytes += n;
    else if (/^net\.\d+\.rx\.bytes$/.test(key)) cur.netRxBytes += n;
    else if (/^net\.\d+\.tx\.bytes$/.test(key)) cur.netTxBytes += n;
  }
  return out;
}
