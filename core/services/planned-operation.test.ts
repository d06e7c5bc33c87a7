// PlannedOperation: a plan with problems never runs; a plan that fails
// part-way offers the steps that ran as Undo, and Undo runs exactly them.
import { describe, expect, it } from 'vitest';
import { ClusterdeckError } from '../../shared/errors';
import { fakeWorld } from '../testing/fake-context';
import { PlannedOperation, refuseProblems } from './planned-operation';
import { createServices, route } from './router';

const spec = { type: 'dir' as const, name: 'images', targetPath: '/srv/images' };

describe('PlannedOperation', () => {
  it('refuses a plan with problems, naming them all, and starts no task', async () => {
    const world = await fakeWorld();
    let ran = false;
    const op = new PlannedOperation(world.ctx.tasks, {
      plan: () => ({ problems: ['node1 is not connected.', 'node2 has no pool.'] }),
      task: () => ({ title: 'Never', target: '' }),
      run: async () => {
        ran = true;
      },
    });
    await expect(op.start(undefined)).rejects.toMatchObject({
      code: 'invalid-input',
      message: 'node1 is not connected. node2 has no pool.',
    });
    expect(ran).toBe(false);
    expect(world.ctx.store.all('tasks')).toEqual([]);
  });

  it('plans again on Finish: a problem that appeared after the summary stops it', async () => {
    const world = await fakeWorld();
    const node = world.addNode('node1');
    const handlers = route(createServices(world.ctx));
    const summary = await handlers.planStoragePool({ spec, hostIds: [node.id] }, {});
    expect(summary.problems).toEqual([]);
    expect(summary.steps.map((s) => s.command)).toEqual([
      'virsh pool-define /dev/stdin',
      'virsh pool-build images',
      'virsh pool-start images',
    ]);
    world.ctx.store.put('hosts', node.id, {
      ...world.ctx.store.get('hosts', node.id)!,
      state: 'disconnected',
    });
    await expect(handlers.createStoragePool({ spec, hostIds: [node.id] }, {})).rejects.toThrow(
      'node1 is not connected.',
    );
    expect(node.ran).toEqual([]);
  });

  it('runs the plan as one task with a step per command', async () => {
    const world = await fakeWorld();
    const node = world.addNode('node1');
    const handlers = route(createServices(world.ctx));
    const { taskId } = await handlers.createStoragePool({ spec, hostIds: [node.id] }, {});
    const task = await world.settled(taskId);
    expect(task).toMatchObject({ state: 'succeeded', title: 'New storage pool images' });
    expect(task.steps?.map((s) => s.state)).toEqual(['done', 'done', 'done']);
    expect(task.undo).toBeUndefined();
    expect(node.refreshed).toEqual(['pools']);
  });

  it('offers the steps that ran as Undo when a later one fails, and Undo runs only them', async () => {
    const world = await fakeWorld();
    const node = world.addNode('node1');
    node.answer = (argv) =>
      argv[1] === 'pool-build'
        ? { code: 1, stdout: '', stderr: 'error: Failed to build pool images\nerror: no space' }
        : { code: 0, stdout: '', stderr: '' };
    const handlers = route(createServices(world.ctx));
    const { taskId } = await handlers.createStoragePool({ spec, hostIds: [node.id] }, {});
    const failed = await world.settled(taskId);
    expect(failed.state).toBe('failed');
    expect(failed.error).toContain('node1: “Build images” failed');
    expect(failed.error).toContain('Undo (in Tasks) takes back what it did.');
    expect(failed.steps?.map((s) => s.state)).toEqual(['done', 'failed', 'pending']);
    expect(failed.undo?.map((s) => s.command)).toEqual(['virsh pool-undefine images']);
    // The pools are re-read even though the plan failed.
    expect(node.refreshed).toEqual(['pools']);

    const undo = await handlers.undoTask({ taskId }, {});
    expect(await world.settled(undo.taskId)).toMatchObject({
      state: 'succeeded',
      title: 'Undo: New storage pool images',
    });
    expect(node.ran.map((a) => a.join(' '))).toEqual([
      'virsh pool-define /dev/stdin',
      'virsh pool-build images',
      'virsh pool-undefine images',
    ]);
    // Offered once.
    await expect(handlers.undoTask({ taskId }, {})).rejects.toMatchObject({ code: 'not-found' });
  });

  it('refuseProblems keeps the code and lead it is given', () => {
    expect(() => refuseProblems([])).not.toThrow();
    let caught: unknown;
    try {
      refuseProblems(['no memory.'], 'command-failed', 'The VMs cannot come back: ');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ClusterdeckError);
    expect(caught).toMatchObject({
      code: 'command-failed',
      message: 'The VMs cannot come back: no memory.',
    });
  });
});
