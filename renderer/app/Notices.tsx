import { useNotices } from '../state/notices';

/** Errors that happen before any task exists, shown until dismissed. */
export function Notices() {
  const notices = useNotices((s) => s.notices);
  const dismiss = useNotices((s) => s.dismiss);
  if (notices.length === 0) return null;
  return (
    <div className="fixed right-4 bottom-60 z-40 w-96 space-y-2">
      {notices.map((n) => (
        <div
          key={n.id}
          role="alert"
          className="flex gap-2 rounded border border-red-400 bg-red-50 p-2 text-red-900 shadow dark:bg-red-950 dark:text-red-100"
        >
          <p className="flex-1">{n.text}</p>
          <button aria-label="Dismiss" className="px-1" onClick={() => dismiss(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
