// The one shape of every wizard-like change (New Cluster, New Storage Pool,
// New VM, Migrate VM, maintenance mode, Remove node / Remove cluster):
// plan it (the exact commands and what stands in the way), show that plan
// for the user to confirm, then on Finish plan again on this side, refuse
// if a problem appeared meanwhile, and run the plan as one task. A plan of
// commands runs through `runPlan`, which offers the steps that ran as Undo
// when a later one fails.
import type { PlanStepView } from '../../shared/storage';
import { ClusterdeckError, type ErrorCode } from '../../shared/errors';
import type { HostConnection } from '../hosts/connection';
import type { TaskContext, TaskRunner } from '../tasks/runner';
import { runPlan, stepView, type PlannedStep } from '../wizards/plan';

/** A plan's findings: sentences saying why it cannot run (none: it can). */
export interface OperationPlan {
  problems: string[];
}

/** A plan made of commands on nodes. */
export interface StepsPlan extends OperationPlan {
  steps: PlannedStep[];
}

export interface OperationSpec<In, P extends OperationPlan> {
  /** Plans (and preflights) the operation; the same for the summary and for Finish. */
  plan: (input: In) => P | Promise<P>;
  /** The task's title and target, from the input and the plan that will run. */
  task: (input: In, plan: P) => { title: string; target: string };
  /** Runs the confirmed plan inside the task. */
  run: (ctx: TaskContext, plan: P, input: In) => Promise<void>;
}

/** Refuses with every problem in one message, or returns when there is none. */
export function refuseProblems(
  problems: readonly string[],
  code: ErrorCode = 'invalid-input',
  lead = '',
): void {
  if (problems.length) throw new ClusterdeckError(code, `${lead}${problems.join(' ')}`);
}

/** What the summary shows of a plan of commands. */
export function planView(plan: StepsPlan): { steps: PlanStepView[]; problems: string[] } {
  return { steps: plan.steps.map(stepView), problems: plan.problems };
}

/**
 * Runs a plan of commands in a task, then `after` (record what was made),
 * re-reading `reread` on the nodes whatever the outcome. A failed step
 * offers the steps that ran before it as Undo.
 */
export function runSteps<P extends StepsPlan, In>(
  connection: (hostId: string) => HostConnection,
  reread?: 'vms' | 'pools' | 'networks',
  after?: (ctx: TaskContext, plan: P, input: In) => Promise<void>,
): OperationSpec<In, P>['run'] {
  return async (ctx, plan, input) => {
    await runPlan(ctx, plan.steps, connection, reread);
    await after?.(ctx, plan, input);
  };
}

export class PlannedOperation<In, P extends OperationPlan> {
  constructor(
    private readonly tasks: TaskRunner,
    private readonly spec: OperationSpec<In, P>,
  ) {}

  /** The plan for the summary, problems included (nothing runs). */
  async plan(input: In): Promise<P> {
    return this.spec.plan(input);
  }

  /** Finish: plans again, refuses on any problem, and starts the task that runs it. */
  async start(input: In): Promise<{ taskId: string }> {
    const plan = await this.spec.plan(input);
    refuseProblems(plan.problems);
    const { title, target } = this.spec.task(input, plan);
    return { taskId: this.tasks.start(title, target, (ctx) => this.spec.run(ctx, plan, input)) };
  }
}
