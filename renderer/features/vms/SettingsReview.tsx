// What Edit settings dialogs share (libvirt's and Ganeti's): the commands of
// the reviewed change, and the footer that walks from the form to the
// review and on to Apply.
import type { PlanStepView } from '../../../shared/storage';
import { buttonClass, primaryButtonClass } from '../../ui/Dialog';

export function ReviewCommands({ steps }: { steps: PlanStepView[] }) {
  return (
    <>
      <h3 className="font-medium">Commands</h3>
      <ol aria-label="Commands" className="list-decimal pl-5 text-sm">
        {steps.map((s, i) => (
          <li key={i}>
            <code className="break-all">{s.command}</code>
          </li>
        ))}
      </ol>
    </>
  );
}

/** Cancel, then Review changes on the form, or Back and Apply on the review. */
export function ReviewFooter({
  reviewing,
  canReview,
  canApply,
  onCancel,
  onReview,
  onBack,
  onApply,
}: {
  reviewing: boolean;
  canReview: boolean;
  canApply: boolean;
  onCancel: () => void;
  onReview: () => void;
  onBack: () => void;
  onApply: () => void;
}) {
  return (
    <div className="mt-4 flex justify-end gap-2">
      <button className={buttonClass} onClick={onCancel}>
        Cancel
      </button>
      {reviewing ? (
        <>
          <button className={buttonClass} onClick={onBack}>
            Back
          </button>
          <button className={primaryButtonClass} disabled={!canApply} onClick={onApply}>
            Apply
          </button>
        </>
      ) : (
        <button className={primaryButtonClass} disabled={!canReview} onClick={onReview}>
          Review changes
        </button>
      )}
    </div>
  );
}
