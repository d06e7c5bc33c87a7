// A stack whose own HA engine keeps guests (Proxmox VE's HA manager), as
// the driver's optional `haGuests`: Protect with HA and Remove HA planned
// (the calls shown as commands before they run) and run as a task. The
// state it keeps them in is the cluster's `ha` facet (shared/ha.ts).
import type { Vm } from '../../shared/model';
import type { PlanStepView } from '../../shared/storage';
import type { TaskContext } from '../tasks/runner';

export interface HaGuestPlan {
  steps: PlanStepView[];
  problems: string[];
}

/** Preferred nodes, each with a priority (higher wins). */
export type HaPreference = { node: string; score: number };

export interface HaGuests {
  planProtect(vm: Vm, preferred: HaPreference[]): Promise<HaGuestPlan>;
  protect(vm: Vm, preferred: HaPreference[], ctx: TaskContext): Promise<void>;
  planUnprotect(vm: Vm): Promise<HaGuestPlan>;
  unprotect(vm: Vm, ctx: TaskContext): Promise<void>;
}
