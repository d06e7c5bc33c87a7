// A migration as a task: the driver's move command per VM on its source
// node, with progress, speed and expected downtime read from the driver once
// a second; Cancel runs the driver's abort, and the VM stays where it was.
import { ClusterdeckError } from '../../shared/errors';
import type { MigrationTransport } from '../../shared/migration';
import type { Vm, VmJob } from '../../shared/model';
import { formatBytes } from '../../shared/units';
import type { HostConnection } from '../hosts/connection';
import { quoteArgv } from '../ssh/quote';
import type { TaskContext } from '../tasks/runner';
import { commandReason, reread } from '../wizards/plan';
import type { VmPlan } from './preflight';
import { MonotonicProgress } from './progress';

const POLL_MS = 1000;

export interface MigrationJob {
  plans: VmPlan[];
  persist: boolean;
  bandwidthMiBs?: number | undefined;
  transport: MigrationTransport;
  conn: (hostId: string) => HostConnection;
  hostName: (hostId: string) => string;
}

export function migrationSteps(job: MigrationJob) {
  return job.plans.map((p) => {
    const argv = job.conn(p.vm.hostId).getDriver().migrateArgv(p.vm, p.target, {
      live: p.live,
      copyStorage: p.copyStorage,
      persist: job.persist,
      bandwidthMiBs: job.bandwidthMiBs,
      transport: job.transport,
    });
    return {
      plan: p,
      node: job.hostName(p.vm.hostId),
      title: `Migrate ${p.vm.name} to ${p.target.name}${p.live ? ' live' : ''}${p.copyStorage ? ' with its disks' : ''}${p.live && job.transport !== 'plain' ? ', encrypted' : ''}`,
      argv,
    };
  });
}

export async function runMigration(ctx: TaskContext, job: MigrationJob): Promise<void> {
  const steps = migrationSteps(job);
  ctx.setSteps(steps.map((s) => `${s.node}: ${s.title}`));
  const vmJobOf = (s: (typeof steps)[number]): VmJob => ({
    kind: 'migration',
    vmUuid: s.plan.vm.uuid,
    fromHostId: s.plan.vm.hostId,
    toHostId: s.plan.target.id,
  });
  for (const [i, s] of steps.entries()) {
    if (ctx.signal.aborted) throw new ClusterdeckError('cancelled', 'Cancelled.');
    ctx.stepState(i, 'running');
    const source = job.conn(s.plan.vm.hostId);
    const driver = source.getDriver();
    // Both copies of the VM show "Migrating …" and refuse lifecycle actions
    // meanwhile; the VMs after it wait, locked too.
    ctx.vmQueue(steps.slice(i + 1).map(vmJobOf));
    ctx.vmJob(vmJobOf(s));
    const progress = new MonotonicProgress();
    // Not tied to the signal: closing the channel would not stop the move; the abort below does.
    const running = source.exec(s.argv, { log: ctx.log, timeoutMs: 24 * 3_600_000 });
    let done = false;
    running.then(
      () => (done = true),
      () => (done = true),
    );
    const onAbort = () => {
      void source.exec(driver.abortMigrationArgv(s.plan.vm), { log: ctx.log, timeoutMs: 30_000 });
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      while (!done) {
        await Promise.race([running, new Promise((r) => setTimeout(r, POLL_MS))]);
        if (done || !s.plan.live) break;
        const job = await driver.readMigration(s.plan.vm).catch(() => undefined);
        if (!job?.active || job.total <= 0) continue;
        const seen = progress.next(job);
        if (!seen) continue;
        ctx.progress((i + seen.fraction) / steps.length);
        ctx.detail(
          [
            `${s.plan.vm.name}: ${formatBytes(job.processed)} sent, ${formatBytes(job.remaining)} left`,
            // Later passes re-send what the guest wrote meanwhile: "left" grows, the bar waits.
            seen.iteration ? `iteration ${seen.iteration}` : '',
            job.bandwidth ? `${formatBytes(job.bandwidth)}/s` : '',
            job.downtimeMs ? `expected downtime ${job.downtimeMs} ms` : '',
          ]
            .filter(Boolean)
            .join(' · '),
        );
      }
      const r = await running;
      if (r.code !== 0) {
        ctx.stepState(i, 'failed');
        await removeCopies(job.conn(s.plan.target.id), s.plan.vm, s.plan.newOnTarget, ctx);
        if (ctx.signal.aborted) {
          throw new ClusterdeckError(
            'cancelled',
            `Cancelled: ${s.plan.vm.name} stays on ${s.node}.`,
          );
        }
        throw new ClusterdeckError(
          'command-failed',
          `${s.node}: “${s.title}” failed: \`${quoteArgv(s.argv)}\` said: ${commandReason(r.stderr, r.code)}. ${s.plan.vm.name} stays on ${s.node}.`,
        );
      }
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
      ctx.vmJob(undefined);
    }
    ctx.stepState(i, 'done');
    ctx.progress((i + 1) / steps.length);
    // Some stacks (libvirt 9) send no event on the source of an offline move.
    if (!s.plan.live) await reread([job.conn(s.plan.vm.hostId), job.conn(s.plan.target.id)], 'vms');
    ctx.detail(
      s.plan.live
        ? `${s.plan.vm.name} runs on ${s.plan.target.name}.`
        : `${s.plan.vm.name} is defined on ${s.plan.target.name} (shut off).`,
    );
  }
  // Live moves need no re-read: both nodes report them through their event streams.
}

/**
 * After a failed or cancelled move with its disks, the files the move made
 * on the target for them: they were not there before (the preflight
 * checked). The driver's command leaves them while the VM runs there.
 */
async function removeCopies(target: HostConnection, vm: Vm, paths: string[], ctx: TaskContext) {
  if (!paths.length) return;
  try {
    await target.exec(target.getDriver().removeCopiesArgv(vm, paths), {
      log: ctx.log,
      timeoutMs: 60_000,
    });
  } catch {
    /* the node dropped: the files stay, named in the task's log */
  }
  await reread([target], 'pools');
}
