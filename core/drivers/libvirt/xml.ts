// Reading libvirt's XML: one parser setup for every reader (attributes as
// "@name", values kept as strings) and the accessors they share, so a
// missing element reads as empty instead of throwing.
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
