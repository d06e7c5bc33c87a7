// A network's actions as plain functions, shared by its view, its menu in the
// resource tree and the node's Networking tab: each asks the node for the
// plan, shows its exact commands (and what it refuses or warns of) and runs
// it as one task when confirmed.
import type { Network } from '../../../shared/model';
import { NETWORK_ACTION_TITLES, type NetworkAction } from '../../../shared/network';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useUi } from '../../state/ui';
import { PlanSummary } from '../../ui/wizard/WizardFrame';

const QUESTIONS: Record<NetworkAction, (net: string, node: string) => string> = {
  start: (n, node) => `Start the network ${n} on ${node}?`,
  stop: (n, node) => `Stop the network ${n} on ${node}?`,
  autostart: (n, node) => `Start ${n} whenever ${node} starts?`,
  'no-autostart': (n, node) => `Stop starting ${n} when ${node} starts?`,
  delete: (n, node) => `Delete the network ${n} from ${node}?`,
};

const EXPLAINED: Partial<Record<NetworkAction, string>> = {
  stop: 'Its bridge goes away, and with it the DHCP and NAT the network gives.',
  delete:
    'The network is stopped if it runs and libvirt forgets it. Define it again to get it back.',
};

/** What each action reads as on a button or in a menu. */
export const NETWORK_ACTION_LABELS: Record<NetworkAction, string> = {
  start: 'Start network',
  stop: 'Stop network…',
  autostart: 'Start with the node',
  'no-autostart': 'Do not start with the node',
  delete: 'Delete network…',
};

export function networkActions(net: Network, node: string, notify: (message: string) => void) {
  const act = async (action: NetworkAction) => {
    try {
      const plan = await api.planNetworkAction({ networkId: net.id, action });
      if (plan.problems.length) {
        notify(plan.problems.join(' '));
        return;
      }
      useUi.getState().askConfirm({
        title: QUESTIONS[action](net.name, node),
        body: (
          <>
            {EXPLAINED[action] && <p className="mb-2">{EXPLAINED[action]}</p>}
            {plan.warnings.map((w) => (
              <p key={w} role="note" className="mb-2 text-amber-700 dark:text-amber-400">
                {w}
              </p>
            ))}
            <PlanSummary plan={plan} />
          </>
        ),
        confirmLabel: NETWORK_ACTION_TITLES[action],
        width: 'w-[40rem]',
        onConfirm: () =>
          void api
            .networkAction({ networkId: net.id, action })
            .catch((e: unknown) => notify(errorMessage(e))),
      });
    } catch (e) {
      notify(errorMessage(e));
    }
  };
  return {
    start: () => void act('start'),
    stop: () => void act('stop'),
    autostart: (on: boolean) => void act(on ? 'autostart' : 'no-autostart'),
    delete: () => void act('delete'),
  };
}
