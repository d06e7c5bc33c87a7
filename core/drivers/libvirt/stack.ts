// The libvirt stack as the registry knows it: a LibvirtDriver per node, and
// cluster membership through SSH trust between the nodes.
import type { StackSupport } from '../registry';
import { libvirtMembership } from './cluster/membership';
import { LibvirtDriver } from './driver';

export const libvirtStack: StackSupport = {
  stack: 'libvirt',
  createDriver: (ctx) =>
    new LibvirtDriver(ctx.session, ctx.hostId, ctx.store, ctx.probe, ctx.onError),
  membership: libvirtMembership,
};
