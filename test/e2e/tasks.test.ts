// End to end: the real renderer in Debian's Chromium, through the browser
// shell, against the real backend and the lab's nodes (test/e2e/fixtures.ts).
// The Tasks pane: each task's start and end time, node / object and user; the
// filter by text and state; Clear finished; and "Exit maintenance mode",
// which names the VMs that move back before any of them moves.
// Runs alone: `LAB_BASE=NN npx vitest run test/e2e/tasks.test.ts`.
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../core/backend';
import { taskFinished, virshOn, waitFor } from '../lab';
import { ARTIFACTS, ensureE2eCluster, useE2e, vmItem } from './fixtures';

const e2e = useE2e({ nodes: ['node1', 'node2', 'node3'] });
let page: Page;
let backend: Backend;
let tasks: Locator;
beforeAll(() => {
  ({ page, backend } = e2e);
  tasks = page.getByRole('region', { name: 'Tasks' });
});

/** A task's row in the pane, by its title. */
const row = (title: string) => tasks.getByRole('listitem').filter({ hasText: title });
const hostId = (name: string) => backend.store.all('hosts').find((h) => h.name === name)!.id;
const taskNamed = (title: string) => backend.store.all('tasks').find((t) => t.title === title);

describe('the Tasks pane in Chromium', () => {
  it('shows when a task started and ended, its node / object, and who ran it', async () => {
    await vmItem('lab-tiny-2', 'Shut off').click();
    const toolbar = page.getByRole('toolbar', { name: 'Actions' });
    await toolbar.getByRole('button', { name: 'Start' }).click();
    await vmItem('lab-tiny-2', 'Running').waitFor({ timeout: 20_000 });
    await toolbar.getByRole('button', { name: 'Force off' }).click();
    await page
      .getByRole('alertdialog', { name: /Force off lab-tiny-2/ })
      .getByRole('button', { name: 'Force off' })
      .click();
    await vmItem('lab-tiny-2', 'Shut off').waitFor({ timeout: 20_000 });
    expect(virshOn('node1', ['domstate', 'lab-tiny-2']).trim()).toBe('shut off');

    const forceOff = row('Force off lab-tiny-2');
    await forceOff.getByText('Succeeded').waitFor();
    const task = taskNamed('Force off lab-tiny-2')!;
    expect(task.endedAt).toBeGreaterThanOrEqual(task.startedAt);
    await forceOff.getByText('node1 / lab-tiny-2', { exact: true }).waitFor();
    await forceOff.getByText(`By ${userInfo().username}`, { exact: true }).waitFor();
    // The times shown are the task's own, as clock times.
    const started = forceOff.getByText(/^Started /);
    const ended = forceOff.getByText(/^Ended /);
    expect(await started.locator('time').getAttribute('datetime')).toBe(
      new Date(task.startedAt).toISOString(),
    );
    expect(await ended.locator('time').getAttribute('datetime')).toBe(
      new Date(task.endedAt!).toISOString(),
    );
    expect(await started.locator('time').textContent()).toMatch(/^\d\d:\d\d:\d\d$/);
    expect(await ended.locator('time').textContent()).toMatch(/^\d\d:\d\d:\d\d$/);
    // The Start task before it, in the same format.
    await row('Start lab-tiny-2').getByText('node1 / lab-tiny-2', { exact: true }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-tasks-times.png') });
  });

  it('narrows the list by text and by state', async () => {
    const failedId = backend.runCommand(hostId('node1'), 'Fail on node1', ['false']);
    await taskFinished(backend, failedId);
    backend.runCommand(hostId('node2'), 'Wait on node2', ['sleep', '120']);
    await row('Wait on node2').getByText('Running', { exact: true }).waitFor();
    // A running task shows when it started, no end yet.
    await row('Wait on node2')
      .getByText(/^Started /)
      .waitFor();
    expect(
      await row('Wait on node2')
        .getByText(/^Ended /)
        .count(),
    ).toBe(0);

    const filter = tasks.getByRole('searchbox', { name: 'Filter tasks' });
    const state = tasks.getByRole('combobox', { name: 'Task state' });
    const titles = ['Start lab-tiny-2', 'Force off lab-tiny-2', 'Fail on node1', 'Wait on node2'];
    const shown = async () => {
      const out: string[] = [];
      for (const t of titles) if (await row(t).count()) out.push(t);
      return out;
    };

    await filter.fill('FORCE tiny-2');
    await row('Start lab-tiny-2').waitFor({ state: 'detached' });
    expect(await shown()).toEqual(['Force off lab-tiny-2']);
    await tasks.getByText(/^1 of \d+ shown$/).waitFor();

    await filter.fill('node2');
    await row('Force off lab-tiny-2').waitFor({ state: 'detached' });
    expect(await shown()).toEqual(['Wait on node2']);

    await filter.fill('no task is called this');
    await tasks.getByText('No task matches the filter.').waitFor();

    await filter.fill('');
    await state.selectOption('Failed');
    await row('Wait on node2').waitFor({ state: 'detached' });
    expect(await shown()).toEqual(['Fail on node1']);
    await state.selectOption('Running');
    await row('Wait on node2').waitFor();
    expect(await shown()).toEqual(['Wait on node2']);
    await state.selectOption('Succeeded');
    await row('Force off lab-tiny-2').waitFor();
    expect((await shown()).sort()).toEqual(['Force off lab-tiny-2', 'Start lab-tiny-2']);
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-tasks-filter.png') });

    await state.selectOption('All states');
    await row('Wait on node2').waitFor();
    expect((await shown()).sort()).toEqual([...titles].sort());
  });

  it('clears finished tasks and keeps the running one', async () => {
    await tasks.getByRole('button', { name: 'Clear finished' }).click();
    await row('Force off lab-tiny-2').waitFor({ state: 'detached' });
    await row('Fail on node1').waitFor({ state: 'detached' });
    await row('Start lab-tiny-2').waitFor({ state: 'detached' });
    await row('Wait on node2').getByText('Running', { exact: true }).waitFor();
    expect(backend.store.all('tasks').map((t) => [t.title, t.state])).toEqual([
      ['Wait on node2', 'running'],
    ]);
    expect(await tasks.getByRole('button', { name: 'Clear finished' }).isDisabled()).toBe(true);

    // Once it ends (cancelled here), it is finished too and goes with the next clear.
    await row('Wait on node2').getByRole('button', { name: 'Cancel' }).click();
    await row('Wait on node2').getByText('Cancelled', { exact: true }).waitFor({ timeout: 20_000 });
    await tasks.getByRole('button', { name: 'Clear finished' }).click();
    await tasks.getByText(/^No tasks yet/).waitFor();
    expect(backend.store.all('tasks')).toEqual([]);
  });
});

describe('leaving maintenance mode', () => {
  it('names the VMs that move back and moves nothing on Cancel', async () => {
    await ensureE2eCluster();
    // node2 runs lab-tiny-3, which maintenance mode moves away and remembers.
    await vmItem('lab-tiny-3', 'Shut off').click();
    await page
      .getByRole('toolbar', { name: 'Actions' })
      .getByRole('button', { name: 'Start' })
      .click();
    await vmItem('lab-tiny-3', 'Running').waitFor({ timeout: 20_000 });
    await page.getByRole('treeitem', { name: /^node2 Connected/ }).click();
    await page.getByRole('tab', { name: 'General' }).click();
    await page.getByRole('button', { name: 'Enter maintenance mode…' }).click();
    const enter = page.getByRole('dialog', { name: 'Maintenance mode for node2' });
    const go = enter.getByRole('button', { name: 'Enter maintenance mode' });
    await waitFor(async () => (await go.isEnabled()) || undefined, 'a plan for node2', 30_000);
    await go.click();
    await enter.waitFor({ state: 'detached' });
    await page.getByRole('treeitem', { name: /^node2 Connected, maintenance/ }).waitFor({
      timeout: 90_000,
    });
    const vm = () => backend.store.all('vms').find((v) => v.name === 'lab-tiny-3')!;
    await waitFor(() => vm().hostId !== hostId('node2') || undefined, 'lab-tiny-3 moved away');
    const away = backend.store.get('hosts', vm().hostId)!.name;
    const tasksBefore = backend.store.all('tasks').length;

    const panel = page.getByRole('region', { name: 'Maintenance mode' });
    await panel.getByRole('button', { name: 'Exit maintenance mode' }).click();
    const ask = page.getByRole('alertdialog', { name: 'Exit maintenance mode on node2?' });
    await ask
      .getByRole('list', { name: 'VMs that move back' })
      .getByText(`lab-tiny-3 from ${away} to node2`, { exact: true })
      .waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-exit-maintenance.png') });
    await ask.getByRole('button', { name: 'Cancel' }).click();
    await ask.waitFor({ state: 'detached' });
    // Nothing started, nothing moved, the node still marked.
    await new Promise((r) => setTimeout(r, 1000));
    expect(backend.store.all('tasks')).toHaveLength(tasksBefore);
    expect(vm().hostId).not.toBe(hostId('node2'));
    expect(virshOn(away, ['domstate', 'lab-tiny-3']).trim()).toBe('running');
    expect(backend.store.get('hosts', hostId('node2'))?.maintenance).toBeDefined();

    // Confirmed, it leaves maintenance mode and lab-tiny-3 comes back.
    await panel.getByRole('button', { name: 'Exit maintenance mode' }).click();
    await ask.getByRole('button', { name: 'Exit maintenance mode' }).click();
    const end = row('End maintenance mode of node2');
    await end.getByText('node2', { exact: true }).waitFor();
    await end.getByText('Succeeded', { exact: true }).waitFor({ timeout: 90_000 });
    // The task ends when the move is done; the inventory hears of it from
    // node2's events a moment later (later still when guests run under TCG).
    await waitFor(() => vm().hostId === hostId('node2') || undefined, 'lab-tiny-3 back on node2');
    await vmItem('lab-tiny-3', 'Running').waitFor();
    expect(virshOn('node2', ['domstate', 'lab-tiny-3']).trim()).toBe('running');
  });

  // The lab starts lab-tiny-3 shut off; later suites count on that.
  afterAll(() => {
    for (const node of ['node2', 'node1', 'node3'])
      try {
        virshOn(node, ['destroy', 'lab-tiny-3']);
      } catch {
        // not running there
      }
  });
});
