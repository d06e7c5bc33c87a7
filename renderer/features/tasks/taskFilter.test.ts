// The Tasks pane's filter and times, on tasks as the runner records them.
import { describe, expect, it } from 'vitest';
import type { Task } from '../../../shared/model';
import { formatTaskTime, taskMatches } from './taskFilter';

const task = (over: Partial<Task>): Task => ({
  id: 'x',
  title: 'Force off lab-tiny-2',
  target: 'node1 / lab-tiny-2',
  state: 'succeeded',
  progress: 1,
  startedAt: 0,
  log: [],
  ...over,
});

describe('taskMatches', () => {
  it('keeps a task whose title, target or user holds every word, in any case', () => {
    const t = task({ user: 'alice' });
    expect(taskMatches(t, '', 'all')).toBe(true);
    expect(taskMatches(t, 'NODE1 tiny-2', 'all')).toBe(true);
    expect(taskMatches(t, 'alice', 'all')).toBe(true);
    expect(taskMatches(t, 'node2', 'all')).toBe(false);
    expect(taskMatches(t, 'force node2', 'all')).toBe(false);
  });

  it('keeps only the chosen state, and finds words of the error', () => {
    const failed = task({ state: 'failed', error: 'The guest ignored the shutdown.' });
    expect(taskMatches(failed, '', 'failed')).toBe(true);
    expect(taskMatches(failed, '', 'succeeded')).toBe(false);
    expect(taskMatches(failed, 'ignored', 'failed')).toBe(true);
    expect(taskMatches(task({ state: 'running' }), 'running', 'all')).toBe(true);
  });

  it('accepts a task recorded before users were', () => {
    expect(taskMatches(task({}), 'lab', 'all')).toBe(true);
  });
});

describe('formatTaskTime', () => {
  it('shows the clock time today, and the date too on another day', () => {
    const at = new Date(2026, 10, 30, 9, 5, 7).getTime();
    expect(formatTaskTime(at, at + 1000)).toBe('09:05:07');
    expect(formatTaskTime(at, at + 2 * 86_400_000)).toBe('2026-11-30 09:05:07');
  });
});
