// A preflight checklist (New Cluster, Migrate VM): each finding with its
// level in words, what was found and, for warnings and problems, the fix.
import type { Finding } from '../../../shared/cluster';

const LEVEL_WORDS: Record<Finding['level'], string> = {
  ok: 'OK',
  warning: 'Warning',
  problem: 'Problem',
};
const LEVEL_TONES: Record<Finding['level'], string> = {
  ok: 'text-emerald-700 dark:text-emerald-400',
  warning: 'text-amber-700 dark:text-amber-400',
  problem: 'text-red-700 dark:text-red-400',
};

export function Checklist({ findings }: { findings: Finding[] }) {
  return (
    <ul aria-label="Preflight checks" className="space-y-1.5">
      {findings.map((f, i) => (
        <li key={i} className="rounded bg-slate-100 p-1.5 text-sm dark:bg-slate-900">
          <div className="flex gap-2">
            <span className={`w-16 shrink-0 font-medium ${LEVEL_TONES[f.level]}`}>
              {LEVEL_WORDS[f.level]}
            </span>
            <span className="font-medium">{f.check}</span>
          </div>
          <p className="ml-18">{f.detail}</p>
          {f.fix && <p className="ml-18 text-slate-600 dark:text-slate-400">Fix: {f.fix}</p>}
        </li>
      ))}
    </ul>
  );
}
