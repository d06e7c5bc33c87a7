import type { Host } from '../../../shared/model';
import { formatBytes } from '../../../shared/units';
import { useInventory } from '../../state/inventory';
import { useNotices } from '../../state/notices';
import { buttonClass, dangerButtonClass } from '../../ui/Dialog';
import { HOST_STATE_WORDS, formatKiB, formatUptime } from '../../ui/format';
import { Facts } from '../../ui/Facts';
import { hostActions } from './hostActions';
import { askHostPower } from './hostPower';
import { MaintenancePanel } from './MaintenancePanel';
import { MEMORY_LABELS, givenToRunningVms, useNodeMemory } from './nodeMemory';
import { liveUptimeSeconds, useNow } from './uptime';

export function HostGeneral({ host }: { host: Host }) {
  const notify = useNotices((s) => s.push);
  const i = host.info;
  const { reconnect, remove } = hostActions(host, notify);
  const now = useNow();
  const vms = Object.values(useInventory((s) => s.inv.vms));
  const given = givenToRunningVms(vms, [host.id]);
  const memory = useNodeMemory(host.state === 'connected' ? [host.id] : [])[host.id];
  return (
    <div className="space-y-4">
      {host.message && host.state !== 'connected' && (
        <div
          role="alert"
          className="rounded border border-amber-400 bg-amber-50 p-3 dark:bg-amber-950"
        >
          <p className="mb-2">{host.message}</p>
          <div className="flex gap-2">
            <button className={buttonClass} onClick={() => void reconnect()}>
              Reconnect
            </button>
            <button className={dangerButtonClass} onClick={remove}>
              Remove host
            </button>
          </div>
        </div>
      )}
      <Facts
        rows={[
          ['Name', host.name],
          ['Address', `${host.user}@${host.address}:${host.port}`],
          ...(host.proxyJump ? [['Jump hosts', host.proxyJump] as [string, string]] : []),
          ['State', HOST_STATE_WORDS[host.state]],
          ['Hostname', i?.hostname ?? '—'],
          ['CPU', i?.cpuModel || '—'],
          ['CPUs', i ? String(i.cpus) : '—'],
          [MEMORY_LABELS.total, i ? formatKiB(i.memoryKiB) : '—'],
          [
            MEMORY_LABELS.given,
            `${formatBytes(given.bytes)} (${given.count} ${given.count === 1 ? 'VM' : 'VMs'})`,
          ],
          [MEMORY_LABELS.available, memory ? formatBytes(memory.availableBytes) : '—'],
          ...(i?.software ?? []).map((s): [string, string] => [s.name, s.version]),
          ['Virtualization', i ? (i.virtualization === 'kvm' ? 'KVM' : 'Emulated (TCG)') : '—'],
          ['Uptime', i ? formatUptime(liveUptimeSeconds(i, now)) : '—'],
        ]}
      />
      <MaintenancePanel host={host} />
      {!host.message && (
        <div className="flex gap-2">
          <button className={buttonClass} onClick={() => void reconnect()}>
            Reconnect
          </button>
          <button className={buttonClass} onClick={remove}>
            Remove host
          </button>
        </div>
      )}
      {host.state === 'connected' && (
        <div role="toolbar" aria-label="Node power" className="flex gap-2">
          <button className={buttonClass} onClick={() => void askHostPower(host, 'reboot', notify)}>
            Reboot…
          </button>
          <button
            className={buttonClass}
            onClick={() => void askHostPower(host, 'shutdown', notify)}
          >
            Shut down…
          </button>
        </div>
      )}
    </div>
  );
}
