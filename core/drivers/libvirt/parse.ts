// Parsers for virsh's plain outputs and the node's own facts: lists, `Key:
// value` tables, version, nodeinfo, capabilities, networks. The VMs'
// (parse-domain.ts), storage's (parse-storage.ts) and the counters and jobs
// (parse-stats.ts) are beside it. XML goes through a real XML parser; the few
// table outputs are read by their header columns, so names with spaces work.
import { arr, attr, obj, text, xmlParser } from './xml';

const ARRAYS = new Set(['capabilities.guest', 'capabilities.guest.arch.domain']);

const xml = xmlParser((_name, jpath) => ARRAYS.has(jpath));

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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * UUIDs from `list --uuid` and its kin. Commands take them as bare words,
 * so only what has a UUID's shape is kept: nothing listed can pass for an
 * option.
 */
export function parseUuidList(stdout: string): string[] {
  return parseList(stdout).filter((l) => UUID.test(l));
}

export function yes(v: string | undefined): boolean {
  return v === 'yes' || v === 'enable';
}
