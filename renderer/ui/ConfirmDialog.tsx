import { useUi } from '../state/ui';
import { Dialog, buttonClass, dangerButtonClass } from './Dialog';

/** Asks before destructive steps; Cancel has the focus, so Enter is safe. */
export function ConfirmDialog() {
  const confirm = useUi((s) => s.confirm);
  const close = () => useUi.getState().askConfirm(undefined);
  if (!confirm) return null;
  return (
    <Dialog
      title={confirm.title}
      onClose={close}
      role="alertdialog"
      initialFocus="[data-cancel]"
      {...(confirm.width ? { width: confirm.width } : {})}
    >
      {/* A body with a plan's commands can be long: it scrolls, the buttons stay in view. */}
      <div className="mb-4 max-h-[60vh] overflow-auto pr-1">{confirm.body}</div>
      <div className="flex justify-end gap-2">
        <button data-cancel className={buttonClass} onClick={close}>
          Cancel
        </button>
        <button
          className={dangerButtonClass}
          onClick={() => {
            close();
            confirm.onConfirm();
          }}
        >
          {confirm.confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
