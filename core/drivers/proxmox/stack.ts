// The Proxmox VE stack as the registry knows it: a ProxmoxDriver per node,
// its API reached through the node's SSH session (a forward to the node's
// own 127.0.0.1:8006) and its token kept in the app's secret store.
import type { DriverSecrets, StackSupport } from '../registry';
import { apiTunnel } from './api-client';
import { ProxmoxDriver } from './driver';

/** Where nothing was handed in (a test's backend): secrets for this process only. */
function sessionOnlySecrets(): DriverSecrets {
  const kept = new Map<string, string>();
  return {
    installationId: () => Promise.resolve('local'),
    candidates: (name) => (kept.has(name) ? [kept.get(name)!] : []),
    save: async (name, value) => void kept.set(name, value),
  };
}

export const proxmoxStack: StackSupport = {
  stack: 'proxmox',
  createDriver: (ctx) => {
    return new ProxmoxDriver({
      session: ctx.session,
      hostId: ctx.hostId,
      store: ctx.store,
      probe: ctx.probe,
      onError: ctx.onError,
      secrets: ctx.secrets ?? sessionOnlySecrets(),
      openTunnel: apiTunnel(ctx.session),
    });
  },
};
