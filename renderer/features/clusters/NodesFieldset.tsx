// New Cluster's node list, the same for every stack: the wizard's own row
// per node (a checkbox, and what that stack asks of each node), a note when
// no node can be chosen, Add Host… for one not added yet, and the list's
// error once the user tried to go on.
import type { ReactNode } from 'react';
import type { Host } from '../../../shared/model';
import { useUi } from '../../state/ui';
import { buttonClass } from '../../ui/Dialog';
import { Select } from '../../ui/forms';

export function NodesFieldset({
  empty,
  error,
  after,
  children,
}: {
  /** Said instead of the rows when no node can be chosen; undefined while there are some. */
  empty: string | undefined;
  error: string | false | undefined;
  /** Below Add Host… (an option of the whole cluster). */
  after?: ReactNode;
  children: ReactNode;
}) {
  return (
    <fieldset>
      <legend className="mb-1 font-medium">Nodes</legend>
      {empty && <p className="text-slate-500">{empty}</p>}
      {children}
      <button
        type="button"
        className={`${buttonClass} mt-2`}
        onClick={() => useUi.getState().setAddHostOpen(true)}
      >
        Add Host…
      </button>
      {after}
      {error && (
        <p role="alert" className="mt-1 text-sm text-red-600 dark:text-red-400">
          {error}
        </p>
      )}
    </fieldset>
  );
}

/** The chosen node where the cluster is founded (Ganeti's master, Proxmox VE's first node). */
export function FoundingNodeSelect({
  label,
  hosts,
  chosen,
  value,
  onChange,
}: {
  label: string;
  hosts: Host[];
  chosen: ReadonlySet<string>;
  value: string | undefined;
  onChange: (id: string) => void;
}) {
  return (
    <Select
      label={label}
      value={value ?? ''}
      onChange={onChange}
      options={hosts.filter((h) => chosen.has(h.id)).map((h) => ({ value: h.id, label: h.name }))}
      emptyLabel="Choose nodes first"
    />
  );
}
