// The task runner: a task's life as the renderer sees it in patches:
// running, then succeeded, failed or cancelled; Undo offered only after a
// failure, and once; finished tasks cleared while running ones stay.
import { userInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { Task } from '../../shared/model';
import { ClusterdeckError } from '../../shared/errors';
import { InventoryStore } from '../inventory/store';
import { TaskRunner, localUser, type TaskContext } from './runner';

function runner(user?: string) {
  const store = new InventoryStore();
  const tasks = new TaskRunner(store, user);
  const settled = (id: string) =>
    new Promise<Task>((resolve) => {
      const check = () => {
        const t = store.get('tasks', id);
        if (t && t.state !== 'running') {
          stop();
          resolve(t);
        }
      };
      const stop = store.onPatch(check);
      check();
    });
  return { store, tasks, settled };
}

describe('TaskRunner', () => {
  it('shows a task running at once, then succeeded with full progress', async () => {
    const { store, tasks, settled } = runner();
    let release!: () => void;
    const id = tasks.start('Start web', 'web on node1', async (ctx) => {
      ctx.setSteps(['one', 'two']);
      ctx.stepState(0, 'done');
      ctx.progress(0.5);
      await new Promise<void>((r) => (release = r));
    });
    expect(store.get('tasks', id)).toMatchObject({ state: 'running', title: 'Start web' });
    await Promise.resolve();
    expect(store.get('tasks', id)?.progress).toBe(0.5);
    release();
    const done = await settled(id);
    expect(done).toMatchObject({ state: 'succeeded', progress: 1 });
    expect(done.steps).toEqual([
      { title: 'one', state: 'done' },
      { title: 'two', state: 'pending' },
    ]);
    expect(done.endedAt).toBeGreaterThanOrEqual(done.startedAt);
  });

  it('records when the task started and ended, and the local user who ran it', async () => {
    const { store, tasks, settled } = runner();
    const before = Date.now();
    let release!: () => void;
    const id = tasks.start(
      'Force off web',
      'node1 / web',
      () => new Promise<void>((r) => (release = r)),
    );
    const running = store.get('tasks', id)!;
    expect(running.startedAt).toBeGreaterThanOrEqual(before);
    expect(running.startedAt).toBeLessThanOrEqual(Date.now());
    expect(running.endedAt).toBeUndefined();
    expect(running.user).toBe(userInfo().username);
    expect(running.target).toBe('node1 / web');
    await new Promise((r) => setTimeout(r, 20));
    const releasedAt = Date.now();
    release();
    const done = await settled(id);
    expect(done.endedAt).toBeGreaterThanOrEqual(releasedAt);
    expect(done.startedAt).toBe(running.startedAt);
    expect(done.user).toBe(running.user);
  });

  it('records the user it was given, also on a failed task and its Undo', async () => {
    const { tasks, settled } = runner('alice');
    expect(localUser()).toBe(userInfo().username);
    const id = tasks.start('New pool', 'node1 / p', async (ctx) => {
      ctx.offerUndo([{ hostId: 'h', node: 'node1', title: 't', command: 'c' }], async () => {});
      throw new ClusterdeckError('command-failed', 'no');
    });
    const failed = await settled(id);
    expect(failed).toMatchObject({ state: 'failed', user: 'alice' });
    expect(failed.endedAt).toBeGreaterThanOrEqual(failed.startedAt);
    expect(await settled(tasks.undo(id))).toMatchObject({ user: 'alice', target: 'node1 / p' });
  });

  it('fails with the error’s message and offers Undo once', async () => {
    const { store, tasks, settled } = runner();
    const undone: string[] = [];
    const id = tasks.start('New pool', 'node1', async (ctx) => {
      ctx.offerUndo(
        [{ hostId: 'h', node: 'node1', title: 'Undefine', command: 'virsh x' }],
        async () => {
          undone.push('x');
        },
      );
      throw new ClusterdeckError('command-failed', 'node1: build failed.');
    });
    const failed = await settled(id);
    expect(failed).toMatchObject({ state: 'failed', error: 'node1: build failed.' });
    expect(failed.undo).toHaveLength(1);
    const undoId = tasks.undo(id);
    expect(await settled(undoId)).toMatchObject({ state: 'succeeded', title: 'Undo: New pool' });
    expect(undone).toEqual(['x']);
    expect(store.get('tasks', id)?.undo).toBeUndefined();
    expect(() => tasks.undo(id)).toThrow('That task has nothing to undo.');
  });

  it('drops the offered Undo when the task succeeds', async () => {
    const { tasks, settled } = runner();
    const id = tasks.start('Fine', '', async (ctx) => {
      ctx.offerUndo([{ hostId: 'h', node: 'n', title: 't', command: 'c' }], async () => {});
    });
    expect((await settled(id)).undo).toBeUndefined();
    expect(() => tasks.undo(id)).toThrow(ClusterdeckError);
  });

  it('keeps an Undo offered for after success (an eject has an exact inverse)', async () => {
    const { tasks, settled } = runner();
    const undone: string[] = [];
    const id = tasks.start('Eject hdc', '', async (ctx) => {
      ctx.offerUndo(
        [{ hostId: 'h', node: 'n', title: 'Put back', command: 'c' }],
        async () => {
          undone.push('back');
        },
        { afterSuccess: true },
      );
    });
    expect(await settled(id)).toMatchObject({ state: 'succeeded', undo: [{ title: 'Put back' }] });
    expect(await settled(tasks.undo(id))).toMatchObject({ title: 'Undo: Eject hdc' });
    expect(undone).toEqual(['back']);
  });

  it('cancels through the task’s signal, and refuses to cancel a finished task', async () => {
    const { tasks, settled } = runner();
    const id = tasks.start('Long', '', (ctx: TaskContext) => {
      return new Promise<void>((_, reject) =>
        ctx.signal.addEventListener('abort', () => reject(new Error('stopped'))),
      );
    });
    tasks.cancel(id);
    expect(await settled(id)).toMatchObject({ state: 'cancelled', error: 'stopped' });
    expect(() => tasks.cancel(id)).toThrow('That task has already finished.');
  });

  it('clears finished tasks and keeps running ones', async () => {
    const { store, tasks, settled } = runner();
    const done = tasks.start('Done', '', async () => {});
    await settled(done);
    let release!: () => void;
    const running = tasks.start('Running', '', () => new Promise<void>((r) => (release = r)));
    tasks.clearFinished();
    expect(store.all('tasks').map((t) => t.id)).toEqual([running]);
    release();
    await settled(running);
  });
});
