// The frame of every VM change that acts at once (CD/DVD, disk size, link,
// notes): the form the caller gives, then the plan the backend makes of it
// (when it takes effect, the exact commands, what Undo would run, or why it
// cannot), re-asked as the form changes; Apply runs it as a task.
import { useEffect, useState, type ReactNode } from 'react';
import type { Vm } from '../../../shared/model';
import type { PlanStepView } from '../../../shared/storage';
import type { VmChangeInput } from '../../../shared/vm-change';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useNotices } from '../../state/notices';
import { Dialog, buttonClass, primaryButtonClass } from '../../ui/Dialog';

interface ChangePlanView {
  steps: PlanStepView[];
  problems: string[];
  note?: string | undefined;
  undo: PlanStepView[];
}

function Commands({ label, steps }: { label: string; steps: PlanStepView[] }) {
  return (
    <ol aria-label={label} className="list-decimal space-y-1 pl-5 text-[12px]">
      {steps.map((s, i) => (
        <li key={i}>
          <code className="break-all">{s.command}</code>
          {s.input !== undefined && (
            <pre className="mt-1 max-h-24 overflow-auto rounded bg-slate-100 p-1 whitespace-pre-wrap dark:bg-slate-900">
              {s.input}
            </pre>
          )}
        </li>
      ))}
    </ol>
  );
}

export function VmChangeDialog({
  vm,
  title,
  change,
  problem,
  applyLabel,
  onClose,
  children,
}: {
  vm: Vm;
  title: string;
  /** The change the form describes now; undefined while it is incomplete. */
  change: VmChangeInput | undefined;
  /** Why the form cannot be planned yet, in the app's words. */
  problem?: string | undefined;
  applyLabel: string;
  onClose: () => void;
  children?: ReactNode;
}) {
  const notify = useNotices((s) => s.push);
  const [plan, setPlan] = useState<ChangePlanView | undefined>();
  const [planError, setPlanError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const key = change ? JSON.stringify(change) : '';

  // Planned again as the form changes, a moment after the last keystroke.
  useEffect(() => {
    setPlan(undefined);
    setPlanError(undefined);
    if (!change || problem) return;
    let live = true;
    const t = setTimeout(() => {
      api
        .planVmChange({ vmId: vm.id, change })
        .then((p) => live && setPlan(p))
        .catch((e: unknown) => live && setPlanError(errorMessage(e)));
    }, 250);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [key, problem, vm.id]);

  const apply = async () => {
    if (!change) return;
    setBusy(true);
    try {
      await api.applyVmChange({ vmId: vm.id, change });
      onClose();
    } catch (e) {
      notify(errorMessage(e));
      setBusy(false);
    }
  };
  const why = problem ?? planError ?? plan?.problems.join(' ');
  const ready = !!plan && plan.problems.length === 0 && plan.steps.length > 0 && !problem;

  return (
    <Dialog title={title} onClose={onClose} width="w-[40rem]">
      <div className="max-h-[65vh] space-y-3 overflow-auto pr-1">
        {children}
        {why ? (
          <p role="alert" className="text-sm text-red-600 dark:text-red-400">
            {why}
          </p>
        ) : (
          plan && (
            <section aria-label="Review" className="space-y-2">
              {plan.note && <p className="text-amber-700 dark:text-amber-400">{plan.note}</p>}
              <h3 className="font-medium">Commands</h3>
              <Commands label="Commands" steps={plan.steps} />
              {plan.undo.length > 0 ? (
                <>
                  <h3 className="font-medium">Undo (in Tasks) would run</h3>
                  <Commands label="Undo commands" steps={plan.undo} />
                </>
              ) : (
                <p className="text-sm text-slate-500">This change has no Undo.</p>
              )}
            </section>
          )
        )}
      </div>
      <div className="mt-4 flex justify-end gap-2">
        <button className={buttonClass} onClick={onClose}>
          Cancel
        </button>
        <button
          className={primaryButtonClass}
          disabled={busy || !ready}
          onClick={() => void apply()}
        >
          {applyLabel}
        </button>
      </div>
    </Dialog>
  );
}
