// The guest agent's facts on a running VM's General tab: read when the tab
// opens (and when the VM's state changes), not by the inventory, since each
// read asks the guest. A VM whose agent does not answer says so, in the
// words XenCenter users know ("tools not running"), with libvirt's reason.
import { useCallback, useEffect, useState } from 'react';
import type { GuestInfo } from '../../../shared/guest';
import type { Vm } from '../../../shared/model';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { buttonClass } from '../../ui/Dialog';
import { Facts } from '../../ui/Facts';
import { formatUptime } from '../../ui/format';

const NOT_RUNNING: Record<Exclude<GuestInfo['agent'], 'running'>, string> = {
  'not-running': 'Guest agent not running',
  'not-configured': 'Guest agent not running (the VM has no guest agent channel)',
  'vm-not-running': 'The VM is not running',
};

export function GuestFacts({ vm }: { vm: Vm }) {
  const [info, setInfo] = useState<GuestInfo | undefined>();
  const [error, setError] = useState('');
  const [readAt, setReadAt] = useState(0);
  const running = vm.state === 'running';
  const load = useCallback(() => {
    if (!running) return;
    setError('');
    api.guestInfo({ vmId: vm.id }).then(
      (r) => {
        setInfo(r);
        setReadAt(Date.now());
      },
      (e: unknown) => setError(errorMessage(e)),
    );
  }, [vm.id, running]);
  useEffect(load, [load]);

  if (!running) return null;
  const rows: [string, string][] = !info
    ? [['Guest agent', error || 'Asking the guest agent…']]
    : info.agent !== 'running'
      ? [['Guest agent', `${NOT_RUNNING[info.agent]}: ${info.reason}`]]
      : [
          ['Guest agent', 'Running'],
          ['Operating system', info.os ?? '—'],
          ['Kernel', info.kernel ?? '—'],
          ['Hostname', info.hostname ?? '—'],
          [
            'IP addresses',
            info.interfaces.flatMap((i) => i.addresses.map((a) => `${a} (${i.name})`)).join(', ') ||
              'None',
          ],
          [
            'Guest uptime',
            info.uptimeSeconds === undefined
              ? 'Not given by the agent'
              : formatUptime(info.uptimeSeconds + Math.floor((Date.now() - readAt) / 1000)),
          ],
        ];
  return (
    <section aria-label="Guest" className="space-y-2">
      <div className="flex items-center gap-2">
        <h3 className="font-medium">Guest</h3>
        <button className={buttonClass} onClick={load}>
          Ask the guest again
        </button>
      </div>
      <Facts rows={rows} />
    </section>
  );
}
