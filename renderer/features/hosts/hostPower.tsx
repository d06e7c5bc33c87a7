// Reboot and Shut down a node, from its General tab and its tree menu: the
// command the node will run is shown before anything happens; a node that
// runs VMs is refused, with maintenance mode offered where it can move them.
import { create } from 'zustand';
import type { HostPowerAction } from '../../../shared/host-power';
import type { Host } from '../../../shared/model';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useUi } from '../../state/ui';

const WORDS: Record<HostPowerAction, string> = { reboot: 'Reboot', shutdown: 'Shut down' };

/** A node whose General tab should open maintenance mode's dialog (asked from a refusal). */
export const useMaintenanceRequest = create<{
  hostId: string | undefined;
  request(hostId: string | undefined): void;
}>((set) => ({ hostId: undefined, request: (hostId) => set({ hostId }) }));

export async function askHostPower(
  host: Host,
  action: HostPowerAction,
  notify: (message: string) => void,
): Promise<void> {
  const ui = useUi.getState();
  try {
    const plan = await api.planHostPower({ hostId: host.id, action });
    if (plan.runningVms.length > 0) {
      const body = `${host.name} runs ${plan.runningVms.join(', ')}; ${WORDS[action].toLowerCase()} would stop ${plan.runningVms.length === 1 ? 'it' : 'them'}.`;
      if (!plan.maintenance) {
        notify(`${body} Shut them down or migrate them first.`);
        return;
      }
      ui.askConfirm({
        title: `${WORDS[action]} ${host.name}: move its VMs first`,
        body: `${body} Maintenance mode moves them to the other nodes of its cluster; then ${WORDS[action].toLowerCase()} it.`,
        confirmLabel: 'Enter maintenance mode…',
        onConfirm: () => {
          ui.select({ kind: 'host', id: host.id });
          ui.setDetailsTab('general');
          useMaintenanceRequest.getState().request(host.id);
        },
      });
      return;
    }
    ui.askConfirm({
      title: `${WORDS[action]} ${host.name}?`,
      body: (
        <>
          Clusterdeck runs <code>{plan.command}</code> on {host.name}. Its connection drops
          {action === 'reboot'
            ? ' and comes back when the node is up again.'
            : '; it stays disconnected until someone powers it on.'}
        </>
      ),
      confirmLabel: WORDS[action],
      onConfirm: () =>
        void api
          .hostPower({ hostId: host.id, action })
          .catch((e: unknown) => notify(errorMessage(e))),
    });
  } catch (e) {
    notify(errorMessage(e));
  }
}
