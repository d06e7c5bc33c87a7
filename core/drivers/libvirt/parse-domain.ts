// Parsers for what virsh says of a VM: its state word, its domain XML (disks,
// interfaces, graphics, text consoles) and its snapshots' XML.
import type {
  Snapshot,
  Vm,
  VmDisk,
  VmGraphics,
  VmNic,
  VmState,
  VmTextConsole,
} from '../../../shared/model';
import { arr, attr, obj, scaled, text, xmlParser, type XmlNode } from './xml';
import { domainTags } from './tags';

const ARRAYS = new Set([
  'domain.devices.disk',
  'domain.devices.interface',
  'domain.devices.graphics',
  'domain.devices.serial',
  'domain.devices.console',
]);

const xml = xmlParser((_name, jpath) => ARRAYS.has(jpath));
/** For snapshots: their names are shown and sent back exactly as they are. */
const exactXml = xmlParser(undefined, { exact: true });

type Node = XmlNode;

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
  'uuid' | 'name' | 'vcpus' | 'memoryKiB' | 'disks' | 'nics' | 'graphics' | 'textConsoles' | 'tags'
> & { description?: string };

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
      ...(attr(nic['link'], 'state') === 'down' ? { link: 'down' as const } : {}),
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
  // The notes exactly as written (lines, leading spaces): read with the exact parser.
  const description = domXml.includes('<description>')
    ? text(obj(exactXml.parse(domXml)['domain'])['description'])
    : '';
  return {
    uuid: text(d['uuid']),
    name: text(d['name']),
    vcpus: Number(text(d['vcpu']) || 0),
    memoryKiB: scaled(d['currentMemory'] ?? d['memory'], 'KiB') / 1024,
    disks,
    nics,
    graphics,
    textConsoles,
    ...domainTags(d),
    ...(description ? { description } : {}),
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
    ...snapshotStorage(d),
    disks: parseDisks(kept).filter((disk) => disk.source !== ''),
  };
}

/**
 * Internal (in the qcow2 images) or external (overlay files): the memory's
 * and the disks' `snapshot` attributes; memory kept unless it says 'no'.
 */
function snapshotStorage(d: XmlNode): Pick<Snapshot, 'storage' | 'memory'> {
  const memory = attr(d['memory'], 'snapshot');
  const disks = arr(obj(d['disks'])['disk']).map((disk) => attr(disk, 'snapshot'));
  const kinds = [memory, ...disks].filter((k) => k === 'internal' || k === 'external');
  return {
    ...(kinds.includes('external')
      ? { storage: 'external' as const }
      : kinds.length
        ? { storage: 'internal' as const }
        : {}),
    ...(memory ? { memory: memory !== 'no' } : {}),
  };
}
