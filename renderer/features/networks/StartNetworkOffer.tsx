// New VM's fix in place for an inactive network: the networks it cannot
// offer, each with a button that starts it on the node (a task, its command
// in Tasks); once the node says it runs, the wizard picks it and goes on.
import { useEffect, useState } from 'react';
import type { Network } from '../../../shared/model';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useInventory } from '../../state/inventory';
import { buttonClass } from '../../ui/Dialog';

type Started = { netId: string; taskId?: string; error?: string };

export function StartNetworkOffer({
  nets,
  node,
  onStarted,
}: {
  /** The node's inactive networks. */
  nets: Network[];
  node: string;
  /** Called once with the network's name when it runs. */
  onStarted: (name: string) => void;
}) {
  const [started, setStarted] = useState<Started>();
  const tasks = useInventory((s) => s.inv.tasks);
  const networks = useInventory((s) => s.inv.networks);
  const task = started?.taskId ? tasks[started.taskId] : undefined;
  const net = started ? networks[started.netId] : undefined;
  const failed = started?.error ?? (task?.state === 'failed' ? task.error : undefined);

  useEffect(() => {
    if (net?.active) {
      setStarted(undefined);
      onStarted(net.name);
    }
  }, [net?.active, net?.name, onStarted]);

  if (!nets.length && !started) return null;
  const start = (n: Network) => {
    setStarted({ netId: n.id });
    api.networkAction({ networkId: n.id, action: 'start' }).then(
      ({ taskId }) => setStarted({ netId: n.id, taskId }),
      (e: unknown) => setStarted({ netId: n.id, error: errorMessage(e) }),
    );
  };
  return (
    <div className="text-[12px] text-slate-600 dark:text-slate-400">
      <ul aria-label="Networks not listed" className="space-y-1">
        {nets.map((n) => (
          <li key={n.id} className="flex flex-wrap items-center gap-2">
            <span>
              {n.name} is not active; start it on {node} to use it.
            </span>
            <button
              type="button"
              className={buttonClass}
              disabled={!!started && !failed}
              onClick={() => start(n)}
            >
              Start network &ldquo;{n.name}&rdquo;
            </button>
          </li>
        ))}
      </ul>
      {started && !failed && (
        <p role="status" className="mt-1">
          Starting {net?.name ?? 'the network'} on {node}…
        </p>
      )}
      {failed && (
        <p role="alert" className="mt-1 text-red-700 dark:text-red-400">
          {failed}
        </p>
      )}
    </div>
  );
}
