// The Ganeti stack as the registry knows it: a GanetiDriver per node. Its
// cluster membership (gnt-cluster init, gnt-node add) is not offered yet.
import type { StackSupport } from '../registry';
import { GanetiDriver } from './driver';

export const ganetiStack: StackSupport = {
  stack: 'ganeti',
  createDriver: (ctx) =>
    new GanetiDriver(ctx.session, ctx.hostId, ctx.store, ctx.probe, ctx.onError),
};
