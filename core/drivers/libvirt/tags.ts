// A VM's tags in its domain's <metadata>, under Clusterdeck's namespace:
//   <clusterdeck:tags xmlns:clusterdeck="https://clusterdeck.app/xmlns/tags/1">
//     <clusterdeck:tag>web</clusterdeck:tag> …
// read from the domain XML the inventory already reads, and written with
// `virsh metadata` (tag-steps.ts), which keeps the rest of the definition as it is.
import { TAGS_XMLNS, vmTagSchema } from '../../../shared/tags';
import { arr, obj, text, type XmlNode } from './xml';

/** The tags in a parsed `<metadata>` element; tags that are not valid tags are left out. */
export function parseTags(metadata: XmlNode): string[] {
  const tags: string[] = [];
  for (const [key, value] of Object.entries(metadata)) {
    // Whatever prefix the document used, the namespace decides.
    const m = /^(?:([^:]+):)?tags$/.exec(key);
    if (!m) continue;
    for (const el of arr(value)) {
      const xmlns = m[1] ? el[`@xmlns:${m[1]}`] : el['@xmlns'];
      if (xmlns !== TAGS_XMLNS) continue;
      // Text elements: one reads as a string, several as an array (arr() keeps only elements).
      const raw: unknown = el[m[1] ? `${m[1]}:tag` : 'tag'];
      for (const t of Array.isArray(raw) ? (raw as unknown[]) : raw === undefined ? [] : [raw]) {
        const tag = text(t);
        if (vmTagSchema.safeParse(tag).success && !tags.includes(tag)) tags.push(tag);
      }
    }
  }
  return tags;
}

/** The `tags` of a domain, for its facts: absent when it has none. */
export function domainTags(domain: XmlNode): { tags?: string[] } {
  const tags = parseTags(obj(domain['metadata']));
  return tags.length ? { tags } : {};
}
