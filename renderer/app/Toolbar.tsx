import { useInventory } from '../state/inventory';
import { useNotices } from '../state/notices';
import { useUi } from '../state/ui';
import { VM_ACTION_SPECS, canRun, runVmAction, useVmJob } from '../features/vms/vmActions';

const button =
  'rounded px-2.5 py-1 hover:bg-slate-200 disabled:opacity-40 disabled:hover:bg-transparent dark:hover:bg-slate-700';

export function Toolbar() {
  const selection = useUi((s) => s.selection);
  const theme = useUi((s) => s.theme);
  const vm = useInventory((s) => (selection.kind === 'vm' ? s.inv.vms[selection.id] : undefined));
  const notify = useNotices((s) => s.push);
  const job = useVmJob(vm);
  return (
    <div
      role="toolbar"
      aria-label="Actions"
      className="flex items-center gap-1 border-b border-slate-300 bg-slate-100 px-2 py-1 dark:border-slate-700 dark:bg-slate-800"
    >
      <span className="mr-3 font-semibold tracking-tight text-sky-700 dark:text-sky-400">
        Clusterdeck
      </span>
      <button
        className={button}
        title="Add Host (Ctrl+N)"
        onClick={() => useUi.getState().setAddHostOpen(true)}
      >
        Add Host
      </button>
      <button className={button} onClick={() => useUi.getState().setWizard('new-cluster')}>
        New Cluster
      </button>
      <button className={button} onClick={() => useUi.getState().setWizard('new-vm')}>
        New VM
      </button>
      <button className={button} onClick={() => useUi.getState().setWizard('new-pool')}>
        New Storage Pool
      </button>
      <span aria-hidden className="mx-1 h-5 w-px bg-slate-300 dark:bg-slate-600" />
      {VM_ACTION_SPECS.map((spec) => (
        <button
          key={spec.action}
          className={button}
          disabled={!vm || !canRun(spec, vm, job)}
          title={job ? `${job}: wait for it to end` : undefined}
          onClick={() => vm && runVmAction(vm, spec, notify)}
        >
          {spec.label}
        </button>
      ))}
      <span className="flex-1" />
      <button
        className={button}
        onClick={() => useUi.getState().setHelpOpen(true)}
        title="Help: version, getting started and keyboard shortcuts (F1)"
      >
        Help
      </button>
      <button
        className={button}
        aria-label="Toggle dark theme"
        aria-pressed={theme === 'dark'}
        onClick={() => useUi.getState().toggleTheme()}
      >
        {theme === 'dark' ? '☀' : '☾'}
      </button>
    </div>
  );
}
