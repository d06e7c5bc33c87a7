// New Cluster's "High availability" (issue 14): what the wizard sends to form
// a Corosync + Pacemaker cluster on libvirt nodes, and what its preflight and
// fencing step show. Secrets (a BMC password) travel once, in the request
// that stores them in the cluster's own configuration (the CIB).
import { z } from 'zod';
import { idSchema } from './ids';

/** A fence agent's name as fence-agents name them (fence_ipmilan); reaches a command line. */
export const fenceAgentNameSchema = z
  .string()
  .regex(/^fence_[a-z0-9_]{1,60}$/, 'A fence agent is named fence_<something> (a-z, 0-9, _).');

/** A parameter's name as fence agents read them on stdin (ip, username, password, lanplus…). */
export const fenceParamNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,60}$/, 'A parameter name is lower-case letters, digits and _.');

/** How one node is fenced: the agent that powers it off and the agent's parameters. */
export const fenceDeviceSchema = z.object({
  hostId: idSchema,
  agent: fenceAgentNameSchema,
  params: z
    .record(
      fenceParamNameSchema,
      z
        .string()
        .max(1024)
        .refine((v) => !/[\n\r\0]/.test(v), 'A value is one line.'),
    )
    .refine((p) => Object.keys(p).length <= 32, 'At most 32 parameters.'),
});
export type FenceDevice = z.infer<typeof fenceDeviceSchema>;

export const haFencingSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('devices'), devices: z.array(fenceDeviceSchema).min(1).max(32) }),
  /** Chosen explicitly, the risk shown: stonith-enabled=false. */
  z.object({ mode: z.literal('none'), acceptRisk: z.literal(true) }),
]);
export type HaFencing = z.infer<typeof haFencingSchema>;

export const haSpecSchema = z.object({
  fencing: haFencingSchema,
  /** corosync's totem token timeout (ms); its default when unset. */
  tokenMs: z.number().int().min(1000).max(60_000).optional(),
});
export type HaSpec = z.infer<typeof haSpecSchema>;

/** A package install the preflight offers for a node, run only once confirmed. */
export const haInstallOfferSchema = z.object({
  hostId: z.string(),
  node: z.string(),
  /** The exact command, as it will run. */
  command: z.string(),
});
export type HaInstallOffer = z.infer<typeof haInstallOfferSchema>;

/** One parameter of a fence agent, from its metadata. */
export const fenceParamSchema = z.object({
  name: z.string(),
  required: z.boolean(),
  /** A password or the like: a password field, never shown back. */
  secret: z.boolean(),
  description: z.string(),
});
export const fenceAgentInfoSchema = z.object({
  name: z.string(),
  description: z.string(),
  parameters: z.array(fenceParamSchema),
});
export type FenceAgentInfo = z.infer<typeof fenceAgentInfoSchema>;

/** What a fencing test said: the agent's `status` of the node, without fencing it. */
export const fenceTestResultSchema = z.object({
  ok: z.boolean(),
  /** The agent's answer ("Status: ON") or why it failed, naming the node and the agent. */
  message: z.string(),
});
export type FenceTestResult = z.infer<typeof fenceTestResultSchema>;
