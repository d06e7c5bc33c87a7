// Which lifecycle actions a guest is offered: what its stack lists for it
// (a Proxmox VE container has no Pause) and what its state allows.
import { describe, expect, it } from 'vitest';
import type { Vm } from '../../../shared/model';
import { offersAction, VM_ACTIONS } from '../../../shared/vm-actions';
import { canRun, VM_ACTION_SPECS } from './vmActions';

const vm = (over: Partial<Vm>): Vm => ({
  id: 'v',
  hostId: 'h',
  uuid: 'u',
  name: 'g',
  state: 'running',
  vcpus: 1,
  memoryKiB: 1024,
  autostart: false,
  persistent: true,
  disks: [],
  nics: [],
  graphics: [],
  textConsoles: [],
  ...over,
});
const offered = (g: Vm) =>
  VM_ACTION_SPECS.filter((s) => canRun(s, g, undefined)).map((s) => s.action);

describe('the actions a guest is offered', () => {
  it('are all of them where the guest lists none (libvirt, Ganeti)', () => {
    expect(VM_ACTIONS.every((a) => offersAction(vm({}), a))).toBe(true);
    expect(offered(vm({}))).toEqual(['shutdown', 'destroy', 'reboot', 'suspend']);
  });

  it('leave out what the guest’s stack does not list, whatever its state', () => {
    const ct = vm({ kind: 'container', actions: ['start', 'shutdown', 'destroy', 'reboot'] });
    expect(offersAction(ct, 'suspend')).toBe(false);
    expect(offered(ct)).toEqual(['shutdown', 'destroy', 'reboot']);
    expect(offered({ ...ct, state: 'paused' })).toEqual(['destroy']);
    const pveVm = vm({ kind: 'vm', actions: [...VM_ACTIONS], state: 'paused' });
    expect(offered(pveVm)).toEqual(['destroy', 'resume']);
  });

  it('are none while a task holds the guest', () => {
    expect(offered(vm({})).length).toBeGreaterThan(0);
    expect(VM_ACTION_SPECS.filter((s) => canRun(s, vm({}), 'Migrating to node2'))).toEqual([]);
  });
});
