// A wizard's plan: the exact commands it will run on which nodes, shown in
// the summary before Finish and then run as one task with visible steps.
import type { PlanStepView } from '../../shared/storage';
import { ClusterdeckError, toErrorPayload } from '../../shared/errors';
import type { Vm } from '../../shared/model';
import type { DriverStep } from '../drivers/driver';
import type { HostConnection } from '../hosts/connection';
import { quoteArgv } from '../ssh/quote';
import type { TaskContext } from '../tasks/runner';

export interface PlannedStep extends DriverStep {
  hostId: string;
  node: string;
  /** Standard input made when the step runs, from what earlier steps printed. */
  lateStdin?: () => string;
  /** Receives what the command printed, for later steps. */
  onStdout?: (stdout: string) => void;
  /**
   * The step that takes this one back, from what it printed (the exact lines
   * it added, whether it made a key); none when it changed nothing.
   */
  undo?: (stdout: string, succeeded: boolean) => PlannedStep | undefined;
}

/** What a failed command said, as one sentence: virsh says "Failed to X" on one line and why on the next. */
export function commandReason(stderr: string, code: number | null): string {
  return (
    stderr
      .trim()
      .replace(/^error: /gm, '')
      .split('\n')
      .map((l) => l.trim().replace(/\.+$/, ''))
      .filter(Boolean)
      .join(': ') || `exit code ${code}`
  );
}

export function onNode(conn: HostConnection, steps: DriverStep[]): PlannedStep[] {
  const where = { hostId: conn.id, node: conn.config.name };
  return steps.map(({ undoStep, ...s }) => ({
    ...s,
    ...where,
    // Taken back only if it ran: a failed define or start changed nothing.
    ...(undoStep
      ? { undo: (_: string, ok: boolean) => (ok ? { ...undoStep, ...where } : undefined) }
      : {}),
  }));
}

export function stepView(s: PlannedStep): PlanStepView {
  const input = s.shownInput ?? s.stdin;
  return {
    hostId: s.hostId,
    node: s.node,
    title: s.title,
    command: quoteArgv(s.argv),
    ...(input !== undefined ? { input } : {}),
  };
}

/**
 * Runs the steps in order and stops at the first failure, with a message
 * naming the node, the step and the command; what ran before stays in the
 * task's log, so the user knows what was done, and the steps that say how to
 * take themselves back are offered as the task's Undo.
 */
export async function runPlan(
  ctx: TaskContext,
  steps: readonly PlannedStep[],
  connection: (hostId: string) => HostConnection,
  /** What to re-read on each node afterwards, whatever the outcome. */
  after?: 'vms' | 'pools' | 'networks',
): Promise<void> {
  // What the steps that ran (the failed one too) printed, for an undo in reverse order.
  const ran: { step: PlannedStep; stdout: string; ok: boolean }[] = [];
  try {
    await runEach(ctx, steps, connection, ran);
  } catch (err) {
    const undo = ran
      .reverse()
      .map((r) => r.step.undo?.(r.stdout, r.ok))
      .filter((u): u is PlannedStep => !!u);
    if (!undo.length) throw err;
    ctx.offerUndo(undo.map(stepView), (c) => runPlan(c, undo, connection, after));
    const p = toErrorPayload(err);
    throw new ClusterdeckError(p.code, `${p.message} Undo (in Tasks) takes back what it did.`);
  } finally {
    // libvirt sends no event for autostart flags or volume changes.
    if (after) await reread([...new Set(steps.map((s) => connection(s.hostId)))], after);
  }
}

/** Re-reads one kind of entity on each node; a node that dropped reloads all on reconnect. */
export async function reread(
  conns: readonly HostConnection[],
  kind: 'vms' | 'pools' | 'networks',
): Promise<void> {
  for (const c of conns) {
    try {
      await c.getDriver().refresh(kind);
    } catch {
      /* the node dropped; its reconnect reloads everything */
    }
  }
}

/** Re-reads the disks a VM's snapshots keep, after a snapshot change; a node that dropped reloads all on reconnect. */
export async function rereadSnapshots(conn: HostConnection, vm: Vm): Promise<void> {
  try {
    await conn.getDriver().snapshotsChanged(vm);
  } catch {
    /* the node dropped; its reconnect reloads everything */
  }
}

async function runEach(
  ctx: TaskContext,
  steps: readonly PlannedStep[],
  connection: (hostId: string) => HostConnection,
  ran: { step: PlannedStep; stdout: string; ok: boolean }[],
): Promise<void> {
  ctx.setSteps(steps.map((s) => `${s.node}: ${s.title}`));
  for (const [i, s] of steps.entries()) {
    if (ctx.signal.aborted) throw new ClusterdeckError('cancelled', 'Cancelled.');
    ctx.stepState(i, 'running');
    let r;
    try {
      r = await connection(s.hostId).exec(s.argv, {
        signal: ctx.signal,
        log: ctx.log,
        timeoutMs: 600_000,
        ...(s.lateStdin
          ? { stdin: s.lateStdin() }
          : s.stdin !== undefined
            ? { stdin: s.stdin }
            : {}),
      });
    } catch (err) {
      ctx.stepState(i, 'failed');
      throw err;
    }
    ran.push({ step: s, stdout: r.stdout, ok: r.code === 0 });
    if (r.code !== 0) {
      ctx.stepState(i, 'failed');
      const why = commandReason(r.stderr, r.code);
      const before = steps.slice(0, i).map((d) => `${d.node}: ${d.title}`);
      const done = before.length
        ? `Done before it: ${before.join('; ')}.`
        : 'Nothing was changed before it.';
      throw new ClusterdeckError(
        'command-failed',
        `${s.node}: “${s.title}” failed: \`${quoteArgv(s.argv)}\` said: ${why}. ${done}`,
      );
    }
    try {
      // What it printed is checked here (a node's public key, a CPU model).
      s.onStdout?.(r.stdout);
    } catch (err) {
      ctx.stepState(i, 'failed');
      throw err;
    }
    ctx.stepState(i, 'done');
    ctx.progress((i + 1) / steps.length);
  }
}
