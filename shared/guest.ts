// What a VM's guest agent says about the guest (the General tab's "Guest"
// facts), read from the node when the tab is open for a running VM.
import { z } from 'zod';

export const guestInfoSchema = z.object({
  /**
   * 'running': the agent answered. 'not-running': the VM has an agent
   * channel but nothing answers on it (no agent installed or started, or the
   * guest still booting). 'not-configured': the VM has no agent channel.
   * 'vm-not-running': there is no guest to ask.
   */
  agent: z.enum(['running', 'not-running', 'not-configured', 'vm-not-running']),
  /** The node's own words when the agent did not answer. */
  reason: z.string(),
  os: z.string().optional(),
  kernel: z.string().optional(),
  hostname: z.string().optional(),
  interfaces: z.array(
    z.object({ name: z.string(), mac: z.string(), addresses: z.array(z.string()) }),
  ),
  /** Seconds since the guest's kernel booted, from its /proc/uptime. */
  uptimeSeconds: z.number().optional(),
});
export type GuestInfo = z.infer<typeof guestInfoSchema>;
