// Reading libvirt's XML: one parser setup for every reader (attributes as
// "@name", values kept as strings) and the accessors they share, so a
// missing element reads as empty instead of throwing; and libvirt's size
// units, which its text outputs (domjobinfo) use too.
import { XMLParser } from 'fast-xml-parser';

export type XmlNode = Record<string, unknown>;

/**
 * A parser; isArray names the elements that are lists even when one is
 * present. `exact` keeps the spaces around text values, which names that
 * come from the node (volumes, snapshots) may begin or end with.
 */
export function xmlParser(
  isArray?: (name: string, jpath: string) => boolean,
  opts: { exact?: boolean } = {},
): XMLParser {
  return new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: !opts.exact,
    ...(isArray ? { isArray: (name: string, jpath: unknown) => isArray(name, String(jpath)) } : {}),
  });
}

export function obj(v: unknown): XmlNode {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as XmlNode) : {};
}

export function arr(v: unknown): XmlNode[] {
  return Array.isArray(v) ? v.map(obj) : v === undefined ? [] : [obj(v)];
}

export function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  const t = obj(v)['#text'];
  return typeof t === 'string' || typeof t === 'number' ? String(t) : '';
}

export function attr(v: unknown, name: string): string {
  const a = obj(v)[`@${name}`];
  return typeof a === 'string' ? a : '';
}

/** libvirt's unit names (lower-cased), in bytes: scaled integers and domjobinfo's sizes. */
export const UNIT_BYTES: Record<string, number> = {
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
export function scaled(v: unknown, defaultUnit: string): number {
  const n = Number(text(v));
  const unit = (attr(v, 'unit') || defaultUnit).toLowerCase();
  return Number.isFinite(n) ? n * (UNIT_BYTES[unit] ?? 1) : 0;
}
