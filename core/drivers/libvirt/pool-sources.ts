// The Scan step of New Storage Pool: libvirt asks the node's own tools
// (showmount, gluster, iscsiadm or libiscsi, pvs) which sources a server
// offers, and answers with a <sources> document read here into the wizard's
// fields. https://libvirt.org/formatstorage.html#storage-pool-source-elements
import { arr, attr, text, xmlParser, type XmlNode } from './xml';
import type { FoundSource, ScanRequest } from '../../../shared/storage';
import { virshArgv } from './commands';

export function scanSourcesArgv(r: ScanRequest): string[] {
  return virshArgv([
    'find-storage-pool-sources-as',
    r.type,
    ...(r.host ? ['--host', r.host] : []),
    ...(r.port ? ['--port', String(r.port)] : []),
    ...(r.initiator ? ['--initiator', r.initiator] : []),
  ]);
}

const xml = xmlParser((name) => ['source', 'host', 'device', 'dir'].includes(name));

type Node = XmlNode;
const nodes = (v: unknown): Node[] => (Array.isArray(v) ? arr(v) : []);

export function parseFoundSources(type: ScanRequest['type'], out: string): FoundSource[] {
  const doc = xml.parse(out) as Node;
  const sources = nodes((doc['sources'] as Node | undefined)?.['source']);
  return sources.flatMap((s): FoundSource[] => {
    const host = attr(nodes(s['host'])[0], 'name');
    const dir = attr(nodes(s['dir'])[0], 'path');
    const devices = nodes(s['device'])
      .map((d) => attr(d, 'path'))
      .filter(Boolean);
    const name = text(s['name']);
    const format = attr(s['format'] as Node | undefined, 'type');
    switch (type) {
      case 'netfs': {
        // NFS exports come as a directory; Gluster volumes (format glusterfs) by their name.
        const sourcePath = format === 'glusterfs' ? name || dir : dir;
        if (!sourcePath) return [];
        const fmt = format || 'nfs';
        return [{ label: `${host}:${sourcePath} (${fmt})`, host, format: fmt, sourcePath }];
      }
      case 'gluster':
        return name ? [{ label: `${host}: volume ${name}`, host, volume: name }] : [];
      case 'iscsi':
      case 'iscsi-direct': {
        const target = devices[0] ?? '';
        return target ? [{ label: `${host}: ${target}`, host, target }] : [];
      }
      case 'logical':
        return name
          ? [
              {
                label: devices.length ? `${name} (${devices.join(', ')})` : name,
                volumeGroup: name,
                devices,
              },
            ]
          : [];
    }
  });
}
