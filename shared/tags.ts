// Tags on VMs: short labels the user gives (web, db, prod) to find and group
// VMs. They are kept on the node, in the domain's <metadata> under
// Clusterdeck's own namespace, so every Clusterdeck that manages the node sees
// them and a migration carries them.
import { z } from 'zod';

/** The namespace of Clusterdeck's element in a domain's <metadata>. */
export const TAGS_XMLNS = 'https://clusterdeck.app/xmlns/tags/1';

/** The prefix of that element (`virsh metadata --key`). */
export const TAGS_XML_KEY = 'clusterdeck';

export const MAX_TAGS = 32;

/** One tag: letters, digits, ".", "_" and "-", no spaces or markup. */
export const vmTagSchema = z
  .string()
  .min(1, 'Type a tag.')
  .max(32, 'A tag has at most 32 characters.')
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    'A tag is letters, digits, ".", "_" or "-" (starting with a letter or digit), without spaces.',
  );

export const vmTagsSchema = z
  .array(vmTagSchema)
  .max(MAX_TAGS, `A VM has at most ${MAX_TAGS} tags.`)
  .refine((t) => new Set(t).size === t.length, 'A tag is listed twice.');
