// A change to one device or fact of a VM that takes effect at once where the
// VM runs (and in its definition): the CD/DVD medium, a disk's size, a
// network link, the notes. Each is planned (commands shown), confirmed, and
// run as a task; the NIC model, which only a restart applies, is a setting
// (vm.ts) and goes through the settings editor's diff.
import { z } from 'zod';
import { idSchema } from './ids';

/** Disk targets as libvirt names them (vda, sdb, hdc). */
export const diskTargetSchema = z.string().regex(/^[a-z]{2,4}[a-z0-9]*$/, 'Not a disk name.');
export const macSchema = z.string().regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/, 'Not a MAC address.');

/** NIC models a guest is likely to have drivers for. */
export const NIC_MODELS = ['virtio', 'e1000e', 'e1000', 'rtl8139'] as const;
export type NicModel = (typeof NIC_MODELS)[number];
export const NIC_MODEL_LABELS: Record<NicModel, string> = {
  virtio: 'virtio (paravirtual, fastest)',
  e1000e: 'e1000e (Intel, Windows 10 and later)',
  e1000: 'e1000 (Intel, most guests)',
  rtl8139: 'rtl8139 (Realtek, oldest guests)',
};

export const DESCRIPTION_MAX = 4000;

/**
 * Notes: any text, several lines, tabs allowed; no other control character
 * (it reaches the node on standard input, never as a word of a command).
 */
export const descriptionSchema = z
  .string()
  .max(DESCRIPTION_MAX, `At most ${DESCRIPTION_MAX} characters.`)
  .transform((t) => t.replace(/\r\n?/g, '\n'))
  .refine(
    // eslint-disable-next-line no-control-regex
    (t) => !/[\x00-\x08\x0b-\x1f\x7f]/.test(t),
    'Plain text only: lines and tabs, no other control characters.',
  );

export const vmChangeSchema = z.discriminatedUnion('op', [
  /** Put an ISO of a pool on the node into a CD/DVD drive; without a source, eject. */
  z.object({
    op: z.literal('media'),
    target: diskTargetSchema,
    source: z.object({ poolId: idSchema, volume: z.string().min(1).max(255) }).optional(),
  }),
  /** Grow a disk to `bytes` (never shrink: the guest's filesystem would be cut). */
  z.object({
    op: z.literal('resize'),
    target: diskTargetSchema,
    bytes: z
      .number()
      .int()
      .min(2 ** 20, 'At least 1 MiB.')
      .max(2 ** 50, 'At most 1 PiB.'),
  }),
  /** A network interface's link, as if its cable were plugged in or pulled. */
  z.object({ op: z.literal('link'), mac: macSchema, state: z.enum(['up', 'down']) }),
  z.object({ op: z.literal('description'), text: descriptionSchema }),
]);
export type VmChange = z.output<typeof vmChangeSchema>;
export type VmChangeInput = z.input<typeof vmChangeSchema>;
