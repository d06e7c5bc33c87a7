// Help: which Clusterdeck this is, the README's main flows in a few lines,
// and every keyboard shortcut the app handles (App.tsx's SHORTCUTS, the
// tree's, the tabs', the terminal's and the dialogs' key handlers).
import { useUi } from '../state/ui';
import { Dialog, buttonClass } from '../ui/Dialog';

/** package.json's version, put in by the build (vite.config.ts); "dev" where there is no build. */
const VERSION = typeof __APP_VERSION__ === 'string' ? __APP_VERSION__ : 'dev';

const GUIDE: string[] = [
  'Add Host connects to a libvirt node over SSH (key file, ssh-agent or password) after you have checked its host key fingerprint.',
  'Select a node or VM in the tree on the left; its tabs show General, Console, Serial, Terminal, Snapshots and Performance where they apply.',
  'New VM creates a guest on a node; Start, Shut down, Reboot and Pause act on the selected VM and run as tasks in the Tasks pane.',
  'New Cluster groups nodes after a preflight; Migrate… (or dragging a VM onto a node) moves a VM, and maintenance mode empties a node.',
  'Every change runs as a task that shows the commands it ran; the README describes each flow in full.',
];

const KEYS: [string, string][] = [
  ['Ctrl+N', 'Add Host'],
  ['Ctrl+Shift+S', 'Start the selected VM'],
  ['Ctrl+Shift+D', 'Shut down the selected VM'],
  ['Ctrl+Shift+R', 'Reboot the selected VM (asks first)'],
  ['Ctrl+Shift+P', 'Pause the selected VM'],
  ['↑ ↓ ← → Home End', 'Move in the resource tree (selects), expand and collapse'],
  ['Letters', 'Jump to the tree item whose name starts with them'],
  ['Enter or Space', 'Select the focused item'],
  ['Shift+F10 or the Menu key', 'Actions for the focused VM'],
  ['← →', 'Switch between the tabs of the selected item (on a tab)'],
  ['Ctrl+Shift+C, Ctrl+Shift+V', 'Copy and paste in a Terminal or Serial tab'],
  ['Escape', 'Close a dialog or menu, back to where you were'],
  ['F1', 'This help'],
];

export function HelpDialog() {
  const close = () => useUi.getState().setHelpOpen(false);
  return (
    <Dialog title="Help" onClose={close} width="w-[36rem]">
      <p className="mb-3">Clusterdeck version {VERSION}</p>
      <section aria-labelledby="help-guide" className="mb-3">
        <h3 id="help-guide" className="mb-1 font-medium">
          Getting started
        </h3>
        <ul className="list-disc space-y-0.5 pl-5">
          {GUIDE.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="help-keys">
        <h3 id="help-keys" className="mb-1 font-medium">
          Keyboard shortcuts
        </h3>
        <table className="mb-4 w-full text-left">
          <tbody>
            {KEYS.map(([k, v]) => (
              <tr key={k}>
                <th className="py-0.5 pr-4 font-mono text-xs font-normal">{k}</th>
                <td>{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <div className="flex justify-end">
        <button className={buttonClass} onClick={close}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
