// Reboot and Shut down a node: what the node would run and why it may not.
import { z } from 'zod';

export const HOST_POWER_ACTIONS = ['reboot', 'shutdown'] as const;
export type HostPowerAction = (typeof HOST_POWER_ACTIONS)[number];

export const hostPowerPlanSchema = z.object({
  /** The exact command, as the task will show it. */
  command: z.string(),
  /** The node's VMs that are not shut off: while any is, the action is refused. */
  runningVms: z.array(z.string()),
  /** Whether the node is in a cluster, so maintenance mode can move its VMs away. */
  maintenance: z.boolean(),
});
export type HostPowerPlan = z.infer<typeof hostPowerPlanSchema>;
