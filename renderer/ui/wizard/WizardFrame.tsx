// The frame every wizard shares: a modal dialog with its steps listed on
// top, the current step's content, and Cancel / Back / Next or the finish
// button at the bottom.
import { useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import type { PlanStepView } from '../../../shared/storage';
import { errorMessage } from '../../api/bridge';
import { useNotices } from '../../state/notices';
import { Dialog, buttonClass, primaryButtonClass } from '../Dialog';

// The forms kit's look, under the names the wizards already use.
export { inputClass as wizardInput, labelClass as wizardLabel } from '../forms/styles';

export function WizardFrame({
  title,
  steps,
  index,
  onCancel,
  onBack,
  onNext,
  onStep,
  finishLabel,
  finishDisabled,
  onFinish,
  children,
}: {
  title: string;
  steps: string[];
  index: number;
  onCancel: () => void;
  onBack: () => void;
  onNext: () => void;
  /** Go to a step already visited, by its label (the wizard checks the steps it passes). */
  onStep?: (index: number) => void;
  finishLabel: string;
  finishDisabled: boolean;
  onFinish: () => void;
  children: ReactNode;
}) {
  const last = index === steps.length - 1;
  // The furthest step reached: its label and those before it take the user back there.
  const [reached, setReached] = useState(index);
  if (index > reached) setReached(index);
  // Enter presses Next, as in a form; not where Enter means something else.
  const enterPressesNext = (e: KeyboardEvent) => {
    if (e.key !== 'Enter' || last || e.nativeEvent.isComposing) return;
    if (e.shiftKey || e.ctrlKey || e.altKey || e.metaKey || e.defaultPrevented) return;
    const target = e.target as HTMLElement;
    if (target.closest('textarea, button, a, summary, select, [contenteditable="true"]')) return;
    e.preventDefault();
    onNext();
  };
  return (
    <Dialog title={title} onClose={onCancel} width="w-[44rem]">
      <ol aria-label="Steps" className="mb-4 flex flex-wrap gap-2 text-sm">
        {steps.map((s, i) => (
          <li
            key={s}
            aria-current={i === index ? 'step' : undefined}
            className={`rounded px-2 py-0.5 ${
              i === index
                ? 'bg-sky-600 text-white'
                : i < index
                  ? 'text-sky-700 dark:text-sky-400'
                  : 'text-slate-500'
            }`}
          >
            {onStep && i !== index && i <= reached ? (
              <button
                type="button"
                className="underline-offset-2 hover:underline"
                onClick={() => onStep(i)}
              >
                {i + 1}. {s}
              </button>
            ) : (
              <>
                {i + 1}. {s}
              </>
            )}
          </li>
        ))}
      </ol>
      <div className="max-h-[60vh] min-h-[16rem] overflow-auto pr-1" onKeyDown={enterPressesNext}>
        {children}
      </div>
      <div className="mt-4 flex justify-end gap-2">
        <button className={buttonClass} onClick={onCancel}>
          Cancel
        </button>
        <button className={buttonClass} disabled={index === 0} onClick={onBack}>
          Back
        </button>
        {last ? (
          <button className={primaryButtonClass} disabled={finishDisabled} onClick={onFinish}>
            {finishLabel}
          </button>
        ) : (
          <button className={primaryButtonClass} onClick={onNext}>
            Next
          </button>
        )}
      </div>
    </Dialog>
  );
}

/** The summary every wizard ends with: the plan's problems and its exact commands. */
export function PlanSummary({
  plan,
}: {
  plan:
    | {
        steps: { node: string; title: string; command: string; input?: string }[];
        problems: string[];
      }
    | { error: string }
    | undefined;
}) {
  return (
    <section aria-label="Summary">
      <p className="mb-2">Clusterdeck will run these commands, in this order, as one task:</p>
      {!plan && <p className="text-slate-500">Planning…</p>}
      {plan && 'error' in plan && (
        <p role="alert" className="text-red-700 dark:text-red-400">
          {plan.error}
        </p>
      )}
      {plan && 'steps' in plan && (
        <>
          {plan.problems.length > 0 && (
            <ul role="alert" className="mb-2 list-disc pl-5 text-red-700 dark:text-red-400">
              {plan.problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          )}
          <ol aria-label="Commands" className="space-y-1.5">
            {plan.steps.map((s, i) => (
              <li key={i} className="rounded bg-slate-100 p-1.5 text-sm dark:bg-slate-900">
                <div className="flex gap-2">
                  <span className="font-medium">{s.node}</span>
                  <span className="text-slate-500">{s.title}</span>
                </div>
                <code className="block break-all">{s.command}</code>
                {s.input !== undefined && (
                  <details>
                    <summary className="cursor-pointer text-slate-500">Standard input</summary>
                    <pre className="text-xs whitespace-pre-wrap">{s.input}</pre>
                  </details>
                )}
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}

export type PlanState =
  { steps: PlanStepView[]; problems: string[] } | { error: string } | undefined;

/**
 * The plan for a wizard's summary, fetched from the main process each time
 * the summary step is shown (so it reflects the latest answers).
 */
export function usePlan(
  onSummary: boolean,
  fetch: () => Promise<{ steps: PlanStepView[]; problems: string[] }>,
): PlanState {
  const [plan, setPlan] = useState<PlanState>();
  const latest = useRef(fetch);
  latest.current = fetch;
  useEffect(() => {
    if (!onSummary) return;
    let live = true;
    setPlan(undefined);
    latest.current().then(
      (p) => live && setPlan(p),
      (e: unknown) => live && setPlan({ error: errorMessage(e) }),
    );
    return () => {
      live = false;
    };
  }, [onSummary]);
  return plan;
}

/** Whether the summary's plan can run: it arrived, and nothing stands in its way. */
export function planRunnable(plan: PlanState): boolean {
  return !!plan && 'steps' in plan && plan.problems.length === 0;
}

/**
 * A wizard's last button: runs the action once (busy meanwhile), closes the
 * wizard when it is accepted, and shows why when it is not.
 */
export function useFinish(action: () => Promise<unknown>, close: () => void) {
  const notify = useNotices((s) => s.push);
  const [busy, setBusy] = useState(false);
  const finish = async () => {
    setBusy(true);
    try {
      await action();
      close();
    } catch (e) {
      notify(errorMessage(e));
      setBusy(false);
    }
  };
  return { busy, finish: () => void finish() };
}
