// A task that is one step: many a stack's action is a single call or
// worker (a Proxmox VE task, a Ganeti job), shown as one step that runs,
// then is done or failed; `after` runs either way (the cluster read again,
// so what the step changed shows at once, or what it left half-done).
import type { TaskContext } from './runner';

export async function runAsOneStep<T>(
  ctx: TaskContext,
  title: string,
  run: () => Promise<T>,
  after?: () => Promise<unknown>,
): Promise<T> {
  ctx.setSteps([title]);
  ctx.stepState(0, 'running');
  try {
    const result = await run();
    ctx.stepState(0, 'done');
    return result;
  } catch (err) {
    ctx.stepState(0, 'failed');
    throw err;
  } finally {
    await after?.().catch(() => undefined);
  }
}
