// Tasks: cancel, undo and clear; and one remote command run as a task, the
// building block tests and scripts use. The task runner itself (in
// core/tasks/) is the only writer of the inventory's tasks.
import { ClusterdeckError } from '../../shared/errors';
import { quoteArgv } from '../ssh/quote';
import type { ServiceContext } from './context';
import type { HandlersOf } from './handlers';

export class TaskService {
  constructor(private readonly ctx: ServiceContext) {}

  /**
   * Runs one remote command as a task on a host; fails the task on a
   * non-zero exit. The building block of wizard steps.
   */
  runCommand(hostId: string, title: string, argv: readonly string[]): string {
    const conn = this.ctx.connection(hostId);
    return this.ctx.tasks.start(title, conn.config.name, async (ctx) => {
      const r = await conn.exec(argv, { signal: ctx.signal, log: ctx.log, timeoutMs: 600_000 });
      if (r.code !== 0) {
        throw new ClusterdeckError(
          'command-failed',
          `${conn.config.name}: \`${quoteArgv(argv)}\` exited with ${r.code}: ${r.stderr.trim() || 'no error output'}.`,
        );
      }
    });
  }

  readonly handlers: HandlersOf<'cancelTask' | 'undoTask' | 'clearTasks'> = {
    cancelTask: async ({ taskId }) => {
      this.ctx.tasks.cancel(taskId);
      return {};
    },

    undoTask: async ({ taskId }) => ({ taskId: this.ctx.tasks.undo(taskId) }),

    clearTasks: async () => {
      this.ctx.tasks.clearFinished();
      return {};
    },
  };
}
