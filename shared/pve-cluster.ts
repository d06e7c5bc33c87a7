// New Cluster on Proxmox VE (pvecm create on the first node, the others
// joining with /cluster/config/join), Remove node, and the cluster's Ceph
// status as its General tab shows it.
import { z } from 'zod';
import { findingSchema } from './cluster';
import { idSchema } from './ids';

/** An IPv4 or IPv6 address (a corosync link's), no host names. */
const linkAddress = z
  .string()
  .max(45)
  .regex(
    /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*)$/,
    'Use the node’s IP address on the cluster network (corosync link 0).',
  );

export const pveClusterSpecSchema = z.object({
  /** PVE's cluster name (pve-node format, at most 15 characters). */
  name: z
    .string()
    .regex(
      /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,13}[A-Za-z0-9])?$/,
      'Use at most 15 letters, digits and hyphens (not at either end).',
    ),
  /** The first is where `pvecm create` runs; the others join it. */
  hostIds: z
    .array(idSchema)
    .min(1, 'Choose at least one node.')
    .max(32)
    .refine((ids) => new Set(ids).size === ids.length, 'A node is listed twice.'),
  /** Each node's corosync link 0 address, by host id. */
  links: z.record(idSchema, linkAddress),
});
export type PveClusterSpec = z.infer<typeof pveClusterSpecSchema>;

/**
 * Create adds the first node's root password, which each join sends to it
 * (PVE's join logs in as root@pam): sent once, never logged or shown.
 */
export const pveClusterCreateSchema = pveClusterSpecSchema
  .extend({ password: z.string().max(128) })
  .refine((s) => s.hostIds.length < 2 || s.password.length > 0, {
    path: ['password'],
    message: 'The first node’s root password is needed for the others to join.',
  });
export type PveClusterCreate = z.infer<typeof pveClusterCreateSchema>;

export const pvePreflightResultSchema = z.object({ findings: z.array(findingSchema) });

export const pveRemoveNodeSchema = z.object({
  clusterId: idSchema,
  /** The node as the cluster names it. */
  node: z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/),
});
export type PveRemoveNode = z.infer<typeof pveRemoveNodeSchema>;

/** The cluster's Ceph (`ceph status` through PVE's API); `none` where it runs no Ceph. */
export const cephStatusSchema = z.union([
  z.object({ none: z.literal(true) }),
  z.object({
    none: z.literal(false),
    health: z.string(),
    /** One line per health check: its name and ceph's summary. */
    problems: z.array(z.object({ severity: z.string(), check: z.string(), message: z.string() })),
    monitors: z.array(z.string()),
    osds: z.object({ total: z.number(), up: z.number(), in: z.number() }),
    pools: z.array(z.object({ name: z.string(), used: z.number(), fraction: z.number() })),
    readAt: z.number(),
  }),
]);
export type CephStatus = z.infer<typeof cephStatusSchema>;
