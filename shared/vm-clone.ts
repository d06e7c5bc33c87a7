// Clone where the stack copies a guest itself (Proxmox VE): where the copy
// can go, the id it would get, and whether it can share the source's disks
// (a linked clone, from a template only).
import { z } from 'zod';

export const cloneChoicesSchema = z.object({
  /** The nodes the copy can be made on (online members), the source's first. */
  nodes: z.array(z.string()),
  /** The id the cluster proposes for the copy. */
  nextId: z.number().int(),
  /** Why a linked clone cannot be made from this guest; absent: it can. */
  linkedRefusal: z.string().optional(),
  /** The source is a template (a linked clone is then the usual choice). */
  template: z.boolean(),
});
export type CloneChoices = z.infer<typeof cloneChoicesSchema>;

/** What Clone asks beyond the name, where the stack offers it. */
export const cloneExtrasSchema = z.object({
  targetNode: z
    .string()
    .regex(/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$/)
    .max(63)
    .optional(),
  newId: z.number().int().min(100).max(999_999_999).optional(),
  linked: z.boolean().optional(),
});
export type CloneExtras = z.infer<typeof cloneExtrasSchema>;
