// A wizard's preflight step (New Cluster, Migrate VM, a Ganeti move): what
// the check says so far, Check again, the error that stopped it or its
// checklist; a stack's own checks may follow (children).
import type { ReactNode } from 'react';
import type { Finding } from '../../../shared/cluster';
import { buttonClass } from '../Dialog';
import { Checklist } from './Checklist';

export function PreflightStep({
  result,
  blocked,
  checking,
  clear = 'Nothing stands in the way.',
  onCheck,
  children,
}: {
  /** The findings, the error that stopped the check, or undefined while it runs. */
  result: Finding[] | { error: string } | undefined;
  /** Something stands in the way: the admin fixes it and checks again. */
  blocked: boolean;
  /** What shows while the check runs ("Checking the nodes…"). */
  checking: string;
  clear?: string;
  onCheck: () => void;
  children?: ReactNode;
}) {
  return (
    <section aria-label="Preflight" className="space-y-2">
      <div className="flex items-center justify-between">
        <p>
          {result === undefined
            ? checking
            : blocked
              ? 'Fix the problems below, then check again.'
              : clear}
        </p>
        <button
          type="button"
          className={buttonClass}
          disabled={result === undefined}
          onClick={onCheck}
        >
          Check again
        </button>
      </div>
      {result && 'error' in result && (
        <p role="alert" className="text-red-700 dark:text-red-400">
          {result.error}
        </p>
      )}
      {Array.isArray(result) && <Checklist findings={result} />}
      {children}
    </section>
  );
}

/** A plan's findings as PreflightStep shows them. */
export const planFindings = (
  plan: { findings: Finding[] } | { error: string } | undefined,
): Finding[] | { error: string } | undefined => plan && ('error' in plan ? plan : plan.findings);
