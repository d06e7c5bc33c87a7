import { useUi } from '../state/ui';
import { Dialog, buttonClass } from '../ui/Dialog';

const KEYS: [string, string][] = [
  ['Ctrl+N', 'Add Host'],
  ['Ctrl+Shift+S', 'Start the selected VM'],
  ['Ctrl+Shift+D', 'Shut down the selected VM'],
  ['Ctrl+Shift+R', 'Reboot the selected VM (asks first)'],
  ['Ctrl+Shift+P', 'Pause the selected VM'],
  ['↑ ↓ ← → Home End', 'Move in the resource tree (selects), expand and collapse'],
  ['Letters', 'Jump to the tree item whose name starts with them'],
  ['Enter', 'Select the focused item'],
  ['Shift+F10 or the Menu key', 'Actions for the focused VM'],
  ['Escape', 'Close a dialog or menu, back to where you were'],
  ['F1', 'This help'],
];

export function HelpDialog() {
  const close = () => useUi.getState().setHelpOpen(false);
  return (
    <Dialog title="Keyboard shortcuts" onClose={close}>
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
      <div className="flex justify-end">
        <button className={buttonClass} onClick={close}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
