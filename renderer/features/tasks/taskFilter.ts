// What the Tasks pane shows of each task besides its progress: when it
// started and ended, and which tasks the filter keeps.
import { TASK_STATES, type Task, type TaskState } from '../../../shared/model';
import { TASK_STATE_WORDS } from '../../ui/format';

export type TaskStateFilter = 'all' | TaskState;

export const TASK_STATE_FILTERS: { value: TaskStateFilter; label: string }[] = [
  { value: 'all', label: 'All states' },
  ...TASK_STATES.map((s) => ({ value: s, label: TASK_STATE_WORDS[s] })),
];

/**
 * Whether a task passes the filter: its state, and every word of the text
 * somewhere in its title, target (node / object), user, state or error.
 */
export function taskMatches(task: Task, text: string, state: TaskStateFilter): boolean {
  if (state !== 'all' && task.state !== state) return false;
  const haystack = [task.title, task.target, task.user ?? '', TASK_STATE_WORDS[task.state]]
    .concat(task.error ?? [])
    .join('\n')
    .toLowerCase();
  return text
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => haystack.includes(word));
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A task's clock time, "14:03:07"; with its date, "2026-11-29 14:03:07", when not today. */
export function formatTaskTime(ms: number, now: number = Date.now()): string {
  const d = new Date(ms);
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  if (d.toDateString() === new Date(now).toDateString()) return time;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
}
