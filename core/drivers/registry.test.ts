import { describe, expect, it } from 'vitest';
import type { Host } from '../../shared/model';
import { fakeStack } from '../testing/fake-driver';
import type { ClusterMembership } from './membership';
import { DriverRegistry, defaultDriverRegistry } from './registry';

const membership: ClusterMembership = {
  memberClashes: () => [],
  formSteps: () => [],
  leaveSteps: () => [],
  preflight: async () => [],
};

const host = (id: string, stack?: Host['stack']): Host => ({
  id,
  name: id,
  address: '192.0.2.1',
  port: 22,
  user: 'root',
  auth: 'key',
  state: 'connected',
  ...(stack ? { stack } : {}),
});

describe('DriverRegistry', () => {
  const xcp = { ...fakeStack('xcp', { memAvailable: 0 }).support, membership };
  const proxmox = fakeStack('proxmox', { memAvailable: 0 }).support;
  const registry = new DriverRegistry([xcp, proxmox]);

  it('gives the support of a detected stack, and none for a stack it lacks', () => {
    expect(registry.forStack('xcp')).toBe(xcp);
    expect(registry.forStack('unknown')).toBeUndefined();
    expect(defaultDriverRegistry().forStack('proxmox')?.stack).toBe('proxmox');
    expect(defaultDriverRegistry().forStack('xcp')).toBeUndefined();
  });

  it('gives membership only for hosts of one stack that has it', () => {
    expect(registry.membershipFor([host('a', 'xcp'), host('b', 'xcp')])).toBe(membership);
    // A host never connected has no stack yet: it does not decide.
    expect(registry.membershipFor([host('a', 'xcp'), host('b')])).toBe(membership);
    expect(registry.membershipFor([host('a', 'xcp'), host('b', 'proxmox')])).toBeUndefined();
    expect(registry.membershipFor([host('a', 'proxmox')])).toBeUndefined();
    expect(registry.membershipFor([host('a')])).toBeUndefined();
  });
});
