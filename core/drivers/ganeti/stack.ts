// The Ganeti stack as the registry knows it: a GanetiDriver per node of a
// cluster, and a GanetiLoneNodeDriver for a node with Ganeti but no cluster
// yet (New Cluster on Ganeti and Add node take those in: ganeti-cluster service).
import type { StackSupport } from '../registry';
import { GanetiDriver } from './driver';
import { GanetiLoneNodeDriver } from './lone-node';

export const ganetiStack: StackSupport = {
  stack: 'ganeti',
  createDriver: (ctx) =>
    ctx.probe.ganetiCluster === false
      ? new GanetiLoneNodeDriver(ctx.session, ctx.hostId, ctx.probe)
      : new GanetiDriver(ctx.session, ctx.hostId, ctx.store, ctx.probe, ctx.onError),
};
