// New Cluster's "High availability" checks, under the Preflight step: one
// line per node and problem (packages, quorum, corosync, names, ring
// addresses, clocks), and for a node that lacks packages the exact install
// command of its distribution, run as a task only after a confirmation.
import { useEffect, useState } from 'react';
import type { Finding } from '../../../shared/cluster';
import type { HaInstallOffer } from '../../../shared/ha-form';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useUi } from '../../state/ui';
import { buttonClass } from '../../ui/Dialog';
import { Checklist } from '../../ui/wizard/Checklist';

export type HaCheck =
  { findings: Finding[]; installs: HaInstallOffer[]; members: string[] } | { error: string };

/** Whether the HA checks let New Cluster go on: checked, and no problem. */
export const haCheckPasses = (c: HaCheck | undefined): boolean =>
  !!c && !('error' in c) && !c.findings.some((f) => f.level === 'problem');

export function HaPreflight({
  hostIds,
  clusterName,
  check,
  onCheck,
}: {
  hostIds: string[];
  /** New Cluster again with this name: nodes that run it already stay. */
  clusterName: string;
  check: HaCheck | undefined;
  onCheck: (c: HaCheck | undefined) => void;
}) {
  const [started, setStarted] = useState<string>();
  const run = () => {
    onCheck(undefined);
    api.haPreflight({ hostIds, clusterName }).then(
      (r) => onCheck(r),
      (e: unknown) => onCheck({ error: errorMessage(e) }),
    );
  };
  useEffect(run, [hostIds.join(','), clusterName]);

  const install = (o: HaInstallOffer) =>
    useUi.getState().askConfirm({
      title: `Install the HA packages on ${o.node}`,
      confirmLabel: 'Install',
      width: 'max-w-2xl',
      body: (
        <>
          <p className="mb-2">This runs, as root on {o.node}, as a task (see Tasks):</p>
          <pre className="overflow-x-auto rounded bg-slate-100 p-2 text-xs whitespace-pre-wrap dark:bg-slate-900">
            {o.command}
          </pre>
          <p className="mt-2 text-sm">Check again when the task has finished.</p>
        </>
      ),
      onConfirm: () =>
        void api.haInstall({ hostId: o.hostId }).then(
          () => setStarted(`Installing on ${o.node}: follow it in Tasks, then check again.`),
          (e: unknown) => setStarted(errorMessage(e)),
        ),
    });

  return (
    <section aria-label="High availability checks" className="mt-4 space-y-2">
      <div className="flex items-center justify-between">
        <h3 className="font-medium">High availability (Corosync + Pacemaker)</h3>
        <button type="button" className={buttonClass} disabled={!check} onClick={run}>
          Check HA again
        </button>
      </div>
      {!check && <p>Checking the nodes for high availability…</p>}
      {check && 'error' in check && (
        <p role="alert" className="text-red-700 dark:text-red-400">
          {check.error}
        </p>
      )}
      {check && !('error' in check) && (
        <>
          {check.installs.map((o) => (
            <button
              key={o.hostId}
              type="button"
              className={`${buttonClass} mr-2`}
              onClick={() => install(o)}
            >
              Install HA packages on {o.node}…
            </button>
          ))}
          {started && <p role="status">{started}</p>}
          <Checklist findings={check.findings} />
        </>
      )}
    </section>
  );
}
