// Health on a cluster's General tab, where its stack checks itself (Ganeti's
// gnt-cluster verify): Verify runs the check as a task; its findings are
// listed one line per problem with the node (or instance) it names.
import type { Cluster } from '../../../shared/cluster';
import type { HealthFinding } from '../../../shared/cluster-moves';
import { hasCapability } from '../../../shared/model';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useInventory } from '../../state/inventory';
import { useNotices } from '../../state/notices';
import { buttonClass } from '../../ui/Dialog';

const LEVEL_WORDS: Record<HealthFinding['level'], string> = {
  error: 'Error',
  warning: 'Warning',
  notice: 'Notice',
};
const LEVEL_CLASS: Record<HealthFinding['level'], string> = {
  error: 'text-red-700 dark:text-red-400',
  warning: 'text-amber-700 dark:text-amber-400',
  notice: 'text-slate-500',
};

/** "node3.gnt.test: node setup error: …" — the object it names first. */
export function findingLine(f: HealthFinding): string {
  const code = f.code ? ` (${f.code})` : '';
  return `${f.item ? `${f.item}: ` : ''}${f.text}${code}`;
}

export function ClusterHealth({ cluster }: { cluster: Cluster }) {
  const notify = useNotices((s) => s.push);
  const can = useInventory((s) =>
    cluster.hostIds.some((id) => {
      const h = s.inv.hosts[id];
      return h?.state === 'connected' && hasCapability(h, 'cluster-health');
    }),
  );
  const running = useInventory((s) =>
    Object.values(s.inv.tasks).some(
      (t) => t.state === 'running' && t.title === `Verify cluster ${cluster.name}`,
    ),
  );
  if (!can && !cluster.health) return null;
  const h = cluster.health;
  const verify = () =>
    void api
      .verifyCluster({ clusterId: cluster.id })
      .catch((e: unknown) => notify(errorMessage(e)));
  return (
    <section aria-label="Health" className="space-y-2">
      <div className="flex items-center gap-3">
        <h3 className="font-medium">Health</h3>
        <button className={buttonClass} disabled={!can || running} onClick={verify}>
          {running ? 'Verifying…' : 'Verify cluster'}
        </button>
        <span className="text-sm text-slate-500">
          {h
            ? `Last verified ${new Date(h.checkedAt).toLocaleString()} (${h.command})`
            : 'Not verified yet'}
        </span>
      </div>
      {h && h.findings.length === 0 && <p role="status">No problems found.</p>}
      {h && h.findings.length > 0 && (
        <ul aria-label="Verify findings" className="space-y-0.5 text-sm">
          {h.findings.map((f, i) => (
            <li key={i} className={LEVEL_CLASS[f.level]}>
              <span className="font-medium">{LEVEL_WORDS[f.level]}</span> {findingLine(f)}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
