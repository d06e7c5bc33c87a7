// Parsers for storage: a pool's XML (a Ceph pool's source with it), a
// volume's XML, and the rows of `vol-list`.
import type { CephSource, StoragePool, Volume } from '../../../shared/model';
import { arr, attr, obj, scaled, text, xmlParser, type XmlNode } from './xml';

const xml = xmlParser();
/** For volumes: their names are shown and sent back exactly as they are. */
const exactXml = xmlParser(undefined, { exact: true });

type Node = XmlNode;

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
