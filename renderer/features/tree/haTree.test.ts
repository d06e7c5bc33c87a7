import { describe, expect, it } from 'vitest';
import type { HaResource, HaState } from '../../../shared/ha';
import { emptyInventory, type Inventory, type Vm } from '../../../shared/model';
import { haHostSuffix, haVmSuffix } from './haTree';

const resource = (over: Partial<HaResource> = {}): HaResource => ({
  id: 'web',
  agent: 'ocf:heartbeat:VirtualDomain',
  role: 'Started',
  nodes: ['hanode1'],
  managed: true,
  failed: false,
  blocked: false,
  targetStopped: false,
  domain: { config: '/shared/web.xml', uuid: 'u-web' },
  ...over,
});

function inventory(r: HaResource, node2: HaState['nodes'][number]['state'] = 'online'): Inventory {
  const inv = emptyInventory();
  const ha: HaState = {
    stack: 'pacemaker',
    manager: 'Pacemaker',
    engine: 'Pacemaker on Corosync',
    clusterName: 'lab',
    quorate: true,
    stonithEnabled: true,
    maintenanceMode: false,
    nodes: [
      { name: 'hanode1', state: 'online', dc: true, resourcesRunning: 1, hostId: 'h1' },
      { name: 'hanode2', state: node2, dc: false, resourcesRunning: 0, hostId: 'h2' },
    ],
    resources: [r],
    failedActions: [],
    fromNodes: true,
    readFrom: 'h1',
  };
  inv.clusters['ha:lab'] = { id: 'ha:lab', name: 'lab', hostIds: ['h1', 'h2'], ha };
  return inv;
}

const vmOn = (hostId: string): Vm =>
  ({ id: `${hostId}:web`, hostId, uuid: 'u-web', name: 'web', state: 'running' }) as Vm;

describe('the tree’s HA words', () => {
  it('says the resource state of the VM where Pacemaker runs it', () => {
    expect(haVmSuffix(inventory(resource()), vmOn('h1'))).toBe(', HA Started');
  });

  it('names where Pacemaker runs it on an entry another node left behind', () => {
    expect(haVmSuffix(inventory(resource()), vmOn('h2'))).toBe(', HA Started on hanode1');
  });

  it('finds a resource that names its guest (Proxmox VE: vmUuid) without a domain', () => {
    const { domain: _d, ...rest } = resource({ id: 'vm:100', role: 'started' });
    const pve = { ...rest, vmUuid: 'u-web' };
    expect(haVmSuffix(inventory(pve), vmOn('h1'))).toBe(', HA started');
    expect(haVmSuffix(inventory({ ...pve, vmUuid: 'u-other' }), vmOn('h1'))).toBe('');
  });

  it('says a stopped, disabled resource and nothing for a VM that is no resource', () => {
    const stopped = resource({ role: 'Stopped', nodes: [], targetStopped: true });
    expect(haVmSuffix(inventory(stopped), vmOn('h1'))).toBe(', HA Stopped (disabled)');
    const other = { ...vmOn('h1'), uuid: 'u-other', name: 'other' };
    expect(haVmSuffix(inventory(resource()), other)).toBe('');
  });

  it('says a member’s state only when it is not simply online', () => {
    expect(haHostSuffix(inventory(resource()), 'h2')).toBe('');
    expect(haHostSuffix(inventory(resource(), 'unclean'), 'h2')).toBe(', HA unclean');
  });
});
