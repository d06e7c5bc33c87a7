// Every action with its progress, result and log: each remote command exactly
// as it ran, its exit code and stderr; when it started and ended, on which
// node and object, and who ran it. A filter (text, state) narrows the list.
import { useState } from 'react';
import type { Task, TaskStepState } from '../../../shared/model';
import type { PlanStepView } from '../../../shared/storage';
import { useUi } from '../../state/ui';
import { useLayout } from '../../state/layout';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useInventory } from '../../state/inventory';
import { useNotices } from '../../state/notices';
import { buttonClass } from '../../ui/Dialog';
import { inlineInputClass, toolbarSelectClass } from '../../ui/forms';
import { TASK_STATE_WORDS, formatDuration } from '../../ui/format';
import { VM_ACTION_SPECS, runVmAction } from '../vms/vmActions';
import {
  TASK_STATE_FILTERS,
  formatTaskTime,
  taskMatches,
  type TaskStateFilter,
} from './taskFilter';

const STATE_TONE: Record<Task['state'], string> = {
  running: 'text-sky-700 dark:text-sky-400',
  succeeded: 'text-emerald-700 dark:text-emerald-400',
  failed: 'text-red-700 dark:text-red-400',
  cancelled: 'text-slate-500',
};

const STEP_MARK: Record<TaskStepState, string> = {
  pending: '○',
  running: '◐',
  done: '✓',
  failed: '✗',
};
const STEP_TONE: Record<TaskStepState, string> = {
  pending: 'text-slate-500',
  running: 'text-sky-700 dark:text-sky-400',
  done: 'text-emerald-700 dark:text-emerald-400',
  failed: 'text-red-700 dark:text-red-400',
};

/** Shows the exact commands Undo runs, and runs them once confirmed. */
function askUndo(task: Task, steps: PlanStepView[], notify: (text: string) => void) {
  useUi.getState().askConfirm({
    title: `Undo ${task.title}?`,
    body: (
      <>
        <span className="mb-2 block">
          Takes back what the task did before it stopped, with these commands:
        </span>
        <ol aria-label="Undo steps" className="max-h-64 space-y-1 overflow-auto text-[12px]">
          {steps.map((s, i) => (
            <li key={i} className="rounded bg-slate-100 p-1.5 dark:bg-slate-900">
              <span className="text-slate-500">{s.node}:</span> {s.title}
              <code className="block break-all">{s.command}</code>
              {s.input && (
                <pre className="mt-0.5 whitespace-pre-wrap text-slate-600 dark:text-slate-400">
                  {s.input}
                </pre>
              )}
            </li>
          ))}
        </ol>
      </>
    ),
    confirmLabel: 'Undo',
    onConfirm: () =>
      void api.undoTask({ taskId: task.id }).catch((e: unknown) => notify(errorMessage(e))),
  });
}

function TaskRow({ task }: { task: Task }) {
  const [open, setOpen] = useState(false);
  const notify = useNotices((s) => s.push);
  // A failed task's way out (Force off), while the VM it names is still on.
  const offerVm = useInventory((s) => (task.offer ? s.inv.vms[task.offer.vmId] : undefined));
  const offer = task.state === 'failed' && offerVm?.state !== 'shutoff' ? task.offer : undefined;
  const duration = (task.endedAt ?? Date.now()) - task.startedAt;
  return (
    <li className="border-b border-slate-200 px-3 py-1.5 dark:border-slate-700">
      <div className="flex items-center gap-3">
        <span className="w-56 truncate font-medium">{task.title}</span>
        <span className="w-48 truncate text-slate-500 dark:text-slate-400">{task.target}</span>
        <span className={`w-20 ${STATE_TONE[task.state]}`}>{TASK_STATE_WORDS[task.state]}</span>
        <div
          role="progressbar"
          aria-label={`${task.title} progress`}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Math.round(task.progress * 100)}
          className="h-2 w-32 overflow-hidden rounded bg-slate-200 dark:bg-slate-700"
        >
          <div
            className={`h-full ${task.state === 'failed' ? 'bg-red-500' : 'bg-sky-600'} ${task.state === 'running' && task.progress === 0 ? 'w-1/3 animate-pulse' : ''}`}
            style={
              task.state === 'running' && task.progress === 0
                ? undefined
                : { width: `${task.progress * 100}%` }
            }
          />
        </div>
        <span className="w-16 text-right text-slate-500 tabular-nums">
          {task.endedAt ? formatDuration(duration) : ''}
        </span>
        {task.state === 'running' && (
          <button
            className={buttonClass}
            onClick={() =>
              api.cancelTask({ taskId: task.id }).catch((e: unknown) => notify(errorMessage(e)))
            }
          >
            Cancel
          </button>
        )}
        {task.undo && task.state !== 'running' && (
          <button
            className={buttonClass}
            aria-label={`Undo ${task.title}`}
            onClick={() => askUndo(task, task.undo!, notify)}
          >
            Undo…
          </button>
        )}
        {offer && offerVm && (
          <button
            className={buttonClass}
            aria-label={`${offer.label} ${offerVm.name}`}
            // Confirmed as from the toolbar: Force off loses what the guest has not written.
            onClick={() => {
              const spec = VM_ACTION_SPECS.find((a) => a.action === offer.action);
              if (spec) runVmAction(offerVm, spec, notify);
            }}
          >
            {offer.label}
          </button>
        )}
        <button
          className={`${buttonClass} ml-auto`}
          aria-expanded={open}
          onClick={() => setOpen(!open)}
        >
          {open ? 'Hide log' : 'Show log'}
        </button>
      </div>
      <p className="mt-0.5 flex gap-3 text-[12px] text-slate-500 tabular-nums dark:text-slate-400">
        <span>
          Started{' '}
          <time dateTime={new Date(task.startedAt).toISOString()}>
            {formatTaskTime(task.startedAt)}
          </time>
        </span>
        {task.endedAt !== undefined && (
          <span>
            Ended{' '}
            <time dateTime={new Date(task.endedAt).toISOString()}>
              {formatTaskTime(task.endedAt)}
            </time>
          </span>
        )}
        {task.user && <span>By {task.user}</span>}
      </p>
      {task.detail && (
        <p className="mt-0.5 text-slate-600 tabular-nums dark:text-slate-300">{task.detail}</p>
      )}
      {task.steps && (task.state !== 'succeeded' || open) && (
        <ol aria-label={`Steps of ${task.title}`} className="mt-1 text-[12px]">
          {task.steps.map((s, i) => (
            <li key={i} className={STEP_TONE[s.state]}>
              {STEP_MARK[s.state]} {s.title}
            </li>
          ))}
        </ol>
      )}
      {task.error && <p className="mt-1 text-red-700 dark:text-red-400">{task.error}</p>}
      {open && (
        <ol aria-label={`Log of ${task.title}`} className="mt-1 space-y-1">
          {task.log.length === 0 && (
            <li className="text-slate-500">No remote command has run yet.</li>
          )}
          {task.log.map((rec, i) => (
            <li key={i} className="rounded bg-slate-100 p-1.5 dark:bg-slate-900">
              <div className="flex gap-3 text-[12px]">
                <span className="text-slate-500">{rec.node}</span>
                <code className="flex-1 break-all">{rec.command}</code>
                <span
                  className={
                    rec.exitCode === 0
                      ? 'text-emerald-700 dark:text-emerald-400'
                      : 'text-red-700 dark:text-red-400'
                  }
                >
                  {rec.exitCode === null ? 'no exit code' : `exit ${rec.exitCode}`}
                </span>
                <span className="text-slate-500 tabular-nums">{rec.durationMs} ms</span>
              </div>
              {rec.stderr && (
                <pre className="mt-1 text-[12px] whitespace-pre-wrap text-red-700 dark:text-red-400">
                  {rec.stderr}
                </pre>
              )}
            </li>
          ))}
        </ol>
      )}
    </li>
  );
}

export function TasksPane() {
  const tasks = useInventory((s) => s.inv.tasks);
  const [hidden, setHidden] = useState(false);
  const height = useLayout((s) => s.sizes.tasks);
  const [text, setText] = useState('');
  const [state, setState] = useState<TaskStateFilter>('all');
  const list = Object.values(tasks).sort((a, b) => b.startedAt - a.startedAt);
  const running = list.filter((t) => t.state === 'running').length;
  const shown = list.filter((t) => taskMatches(t, text, state));
  const filtered = shown.length !== list.length;
  return (
    <section
      role="region"
      aria-label="Tasks"
      className="flex shrink-0 flex-col"
      // The splitter above sets the height; in a short window the part above
      // (the console) keeps about 520 pixels whatever was saved.
      style={hidden ? undefined : { height, maxHeight: 'max(72px, min(45vh, 100vh - 520px))' }}
    >
      <div className="flex items-center gap-2 bg-slate-100 px-3 py-1 dark:bg-slate-800">
        <h2 className="font-semibold">Tasks</h2>
        <span className="text-slate-500">{running > 0 ? `${running} running` : ''}</span>
        {filtered && (
          <span className="text-slate-500">
            {shown.length} of {list.length} shown
          </span>
        )}
        <span className="flex-1" />
        <input
          type="search"
          aria-label="Filter tasks"
          placeholder="Filter tasks"
          value={text}
          onChange={(e) => setText(e.target.value)}
          className={`${inlineInputClass} w-48 py-0.5`}
        />
        <select
          aria-label="Task state"
          value={state}
          onChange={(e) => setState(e.target.value as TaskStateFilter)}
          className={toolbarSelectClass}
        >
          {TASK_STATE_FILTERS.map((f) => (
            <option key={f.value} value={f.value}>
              {f.label}
            </option>
          ))}
        </select>
        <button
          className={buttonClass}
          onClick={() => api.clearTasks({}).catch(() => undefined)}
          disabled={list.every((t) => t.state === 'running')}
        >
          Clear finished
        </button>
        <button className={buttonClass} aria-expanded={!hidden} onClick={() => setHidden(!hidden)}>
          {hidden ? 'Show tasks' : 'Hide tasks'}
        </button>
      </div>
      {!hidden && (
        <ul className="flex-1 overflow-auto">
          {list.length === 0 && (
            <li className="px-3 py-2 text-slate-500">
              No tasks yet. Actions you take appear here with every command they run.
            </li>
          )}
          {list.length > 0 && shown.length === 0 && (
            <li className="px-3 py-2 text-slate-500">No task matches the filter.</li>
          )}
          {shown.map((t) => (
            <TaskRow key={t.id} task={t} />
          ))}
        </ul>
      )}
    </section>
  );
}
