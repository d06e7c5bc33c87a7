// The node's actions as plain functions, shared by its General tab and its
// menu in the resource tree, so both ask the same question and call the
// same backend methods.
import type { Host } from '../../../shared/model';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useUi } from '../../state/ui';

export function hostActions(host: Host, notify: (message: string) => void) {
  return {
    reconnect: () =>
      api.reconnectHost({ hostId: host.id }).catch((e: unknown) => notify(errorMessage(e))),
    remove: () =>
      useUi.getState().askConfirm({
        title: `Remove ${host.name}?`,
        body: `Clusterdeck forgets ${host.name} and closes its connection. Nothing changes on the node itself; its VMs keep running.`,
        confirmLabel: 'Remove host',
        onConfirm: () => {
          useUi.getState().select({ kind: 'root' });
          api.removeHost({ hostId: host.id }).catch((e: unknown) => notify(errorMessage(e)));
        },
      }),
  };
}
