// One function per libvirt operation, each naming the exact virsh command.
// Domains, pools and networks are addressed by UUID, never by name, so a
// hostile name cannot change what a command means. Any other value goes
// after its option's name (`--vol NAME`): virsh takes a bare word that starts
// with `--` as an option even when quoted, but the word after an option's
// name as its value whatever it holds.
import type { VmAction } from '../../../shared/api';
import type {
  NodeInfo,
  StoragePool,
  Network,
  VmDisk,
  VmState,
  Volume,
} from '../../../shared/model';
import { ClusterdeckError } from '../../../shared/errors';
import { canQuote } from '../../ssh/quote';
import type { VirshShell } from './virsh-shell';
import {
  capabilitiesHaveKvm,
  parseKeyValues,
  parseNetXml,
  parseNodeinfo,
  parseVersion,
  parseUuidList,
  yes,
} from './parse';
import { parseDomainXml, parseDomstate, type DomainXmlFacts } from './parse-domain';
import { parsePoolXml, parseVolumeXml, volListGuesses } from './parse-storage';

export const LIBVIRT_URI = 'qemu:///system';

/** The argv of a one-shot virsh command run through an exec channel. */
export function virshArgv(args: readonly string[]): string[] {
  return ['virsh', '-c', LIBVIRT_URI, ...args];
}

/**
 * Attaches to the VM's first text console, as `virsh console` does in a
 * shell. --force takes the console over from a session left behind (a
 * crashed app, another admin's shell): only one can hold it at a time.
 */
export function serialConsoleArgv(uuid: string): string[] {
  return virshArgv(['console', '--force', uuid]);
}

/** virsh subcommand per VM action. */
export const VM_ACTION_ARGS: Record<VmAction, (uuid: string) => string[]> = {
  start: (uuid) => ['start', uuid],
  shutdown: (uuid) => ['shutdown', uuid],
  destroy: (uuid) => ['destroy', uuid],
  reboot: (uuid) => ['reboot', uuid],
  suspend: (uuid) => ['suspend', uuid],
  resume: (uuid) => ['resume', uuid],
};

/** A read's output, or a `command-failed` error with virsh's own words. */
export async function read(shell: VirshShell, argv: string[]): Promise<string> {
  const r = await shell.run(argv);
  if (!r.ok) {
    throw new ClusterdeckError(
      'command-failed',
      `virsh ${argv.join(' ')} failed: ${r.stderr.trim()}`,
    );
  }
  return r.stdout;
}

export async function readNodeFacts(
  shell: VirshShell,
): Promise<Pick<NodeInfo, 'cpus' | 'memoryKiB' | 'software' | 'virtualization'>> {
  const [nodeinfo, version, caps] = await Promise.all([
    read(shell, ['nodeinfo']),
    read(shell, ['version']),
    read(shell, ['capabilities']),
  ]);
  const ni = parseNodeinfo(nodeinfo);
  const v = parseVersion(version);
  return {
    cpus: ni.cpus,
    memoryKiB: ni.memoryKiB,
    software: [
      { name: 'libvirt', version: v.libvirt },
      { name: 'QEMU', version: v.qemu },
    ],
    virtualization: capabilitiesHaveKvm(caps) ? 'kvm' : 'emulated',
  };
}

/** Every VM's UUID, or only those a filter of `virsh list` keeps (`--with-snapshot`). */
export async function listDomainUuids(
  shell: VirshShell,
  filter: readonly string[] = [],
): Promise<string[]> {
  return parseUuidList(await read(shell, ['list', '--all', ...filter, '--uuid']));
}

export interface DomainFacts extends DomainXmlFacts {
  definedDisks?: VmDisk[];
  state: VmState;
  persistent: boolean;
  autostart: boolean;
}

/** The VM's XML: as it runs, or (`inactive`) as defined for its next start. */
export function dumpDomainXml(
  shell: VirshShell,
  uuid: string,
  { inactive = false }: { inactive?: boolean } = {},
): Promise<string> {
  return read(shell, ['dumpxml', ...(inactive ? ['--inactive'] : []), uuid]);
}

export async function readDomainState(shell: VirshShell, uuid: string): Promise<VmState> {
  return parseDomstate(await read(shell, ['domstate', uuid]));
}

/**
 * A running VM's definition may hold disks it has not opened yet (added
 * for its next start): they count when telling which VMs use a volume.
 */
export async function withDefinedDisks(
  shell: VirshShell,
  uuid: string,
  facts: DomainFacts,
  parse: (xml: string) => DomainXmlFacts = parseDomainXml,
): Promise<DomainFacts> {
  if (!facts.persistent || facts.state === 'shutoff') return facts;
  const defined = parse(await dumpDomainXml(shell, uuid, { inactive: true })).disks;
  const has = (d: VmDisk) =>
    facts.disks.some((l) => l.source === d.source && (l.pool ?? '') === (d.pool ?? ''));
  const later = defined.filter((d) => d.source && !has(d));
  return later.length ? { ...facts, definedDisks: later } : facts;
}

export async function listPoolUuids(shell: VirshShell): Promise<string[]> {
  return parseUuidList(await read(shell, ['pool-list', '--all', '--uuid']));
}

export type PoolFacts = Omit<StoragePool, 'id' | 'hostId'>;

export async function readPool(shell: VirshShell, uuid: string): Promise<PoolFacts> {
  const [xmlText, info] = await Promise.all([
    read(shell, ['pool-dumpxml', uuid]),
    read(shell, ['pool-info', uuid]),
  ]);
  const kv = parseKeyValues(info);
  const state = kv['State'] ?? 'unknown';
  // Volumes can only be listed from a running pool.
  const volumes = state === 'running' ? await readVolumes(shell, uuid) : [];
  return { ...parsePoolXml(xmlText), state, autostart: yes(kv['Autostart']), volumes };
}

async function readVolumes(shell: VirshShell, poolUuid: string): Promise<Volume[]> {
  const rows = volListGuesses(await read(shell, ['vol-list', '--pool', poolUuid]));
  const vols = await Promise.all(rows.map((guesses) => readVolume(shell, poolUuid, guesses)));
  // A row read twice (a guess that named another volume) shows once.
  const byPath = new Map<string, Volume>();
  for (const v of vols) if (v && !byPath.has(v.path)) byPath.set(v.path, v);
  return [...byPath.values()];
}

/**
 * One row of `vol-list`, read by the name it shows and checked against its
 * path; when that fails (spaces at a name's end, three in a row) by its path
 * (virsh looks a `--vol` up as a name, then a key, then a path). The name
 * listed is the one libvirt's own XML gives. A row none of whose guesses
 * reads back (a name holding a control character, shown escaped) is left out.
 */
async function readVolume(
  shell: VirshShell,
  poolUuid: string,
  guesses: { name: string; path: string }[],
): Promise<Volume | undefined> {
  let byNameOnly: Volume | undefined;
  for (const g of guesses) {
    for (const vol of [g.name, g.path]) {
      if (!vol || !canQuote(vol)) continue;
      const r = await shell.run(['vol-dumpxml', '--pool', poolUuid, '--vol', vol]);
      if (!r.ok) continue;
      const v = parseVolumeXml(r.stdout);
      if (v.path === g.path) return v;
      if (v.name === g.name) byNameOnly ??= v;
    }
  }
  // A pool whose listing shows some other path than its XML (none known): by name.
  return byNameOnly;
}

export async function listNetworkUuids(shell: VirshShell): Promise<string[]> {
  return parseUuidList(await read(shell, ['net-list', '--all', '--uuid']));
}

export type NetworkFacts = Omit<Network, 'id' | 'hostId'>;

export async function readNetwork(shell: VirshShell, uuid: string): Promise<NetworkFacts> {
  const [xmlText, info] = await Promise.all([
    read(shell, ['net-dumpxml', uuid]),
    read(shell, ['net-info', uuid]),
  ]);
  const kv = parseKeyValues(info);
  const n = parseNetXml(xmlText);
  return {
    ...n,
    bridge: n.bridge || kv['Bridge'] || '',
    active: yes(kv['Active']),
    autostart: yes(kv['Autostart']),
  };
}
