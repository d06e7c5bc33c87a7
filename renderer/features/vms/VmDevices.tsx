// The General tab's disks and network interfaces, each row with the changes
// that act at once (CD/DVD media, resize, link), and the notes' Edit button.
import { useState } from 'react';
import type { Vm } from '../../../shared/model';
import { buttonClass } from '../../ui/Dialog';
import { Table } from '../../ui/Facts';
import { ChangeDialogFor, linkAction, type ChangeDialog } from './VmChangeForms';

const small = `${buttonClass} px-1.5 py-0.5 text-[11px]`;

export function VmDevices({
  vm,
  editable,
  busy,
}: {
  vm: Vm;
  /** The node offers VM edits. */
  editable: boolean;
  /** Why changes wait (a task holds the VM), else undefined. */
  busy: string | undefined;
}) {
  const [dialog, setDialog] = useState<ChangeDialog | undefined>();
  const button = (label: string, aria: string, d: ChangeDialog, disabled?: string) => (
    <button
      key={aria}
      className={small}
      aria-label={aria}
      disabled={!!busy || !!disabled}
      title={busy ?? disabled}
      onClick={() => setDialog(d)}
    >
      {label}
    </button>
  );
  const hasDrive = vm.disks.some((d) => d.device === 'cdrom');
  return (
    <>
      {editable && (
        <div className="flex gap-1">{button('Edit notes…', 'Edit notes', { kind: 'notes' })}</div>
      )}
      <Table
        caption="Disks"
        head={['Target', 'Device', 'Bus', 'Source', ...(editable ? ['Actions'] : [])]}
        rows={vm.disks.map((d) => [
          d.target,
          d.device,
          d.bus,
          d.source || '—',
          ...(editable
            ? [
                <div key="a" className="flex gap-1">
                  {d.device === 'cdrom'
                    ? [
                        button('Change media…', `Change media in ${d.target}`, {
                          kind: 'media',
                          target: d.target,
                        }),
                        button(
                          'Eject…',
                          `Eject ${d.target}`,
                          { kind: 'eject', target: d.target },
                          d.source ? undefined : 'The drive is empty',
                        ),
                      ]
                    : d.device === 'disk' && !d.readonly
                      ? button('Resize…', `Resize ${d.target}`, {
                          kind: 'resize',
                          target: d.target,
                        })
                      : null}
                </div>,
              ]
            : []),
        ])}
      />
      {editable && !hasDrive && (
        <p className="text-[12px] text-slate-500">
          {vm.name} has no CD/DVD drive, so there is no medium to change: Edit settings… adds one.
        </p>
      )}
      <Table
        caption="Network interfaces"
        head={['Type', 'Source', 'MAC', 'Model', 'Link', ...(editable ? ['Actions'] : [])]}
        rows={vm.nics.map((n) => [
          n.type,
          n.source || '—',
          n.mac,
          n.model || '—',
          n.link === 'down' ? 'Down' : 'Up',
          ...(editable
            ? [
                button(`Set link ${linkAction(n)}…`, `Set link ${linkAction(n)} on ${n.mac}`, {
                  kind: 'link',
                  mac: n.mac,
                  state: linkAction(n),
                }),
              ]
            : []),
        ])}
      />
      {dialog && <ChangeDialogFor vm={vm} dialog={dialog} onClose={() => setDialog(undefined)} />}
    </>
  );
}
