// Edit settings' plan from a Proxmox VE config, without a node: memory as
// PVE 8.1+ writes it (a property string), the balloon, a container's NIC,
// what a running VM takes only at its next start, and what stands in the way.
import { describe, expect, it } from 'vitest';
import { memoryMiB, planSettings, sizeMiB } from './settings';

const NONE = { nicLinks: [], addNics: [], growDisks: [] };
const vm = { node: 'pve1', vmid: 100, type: 'qemu' as const };
const ct = { node: 'pve1', vmid: 200, type: 'lxc' as const };

describe('Proxmox VE settings plan', () => {
  it('reads memory and sizes as PVE writes them', () => {
    expect(memoryMiB('current=4096')).toBe(4096);
    expect(memoryMiB(2048)).toBe(2048);
    expect(memoryMiB(undefined)).toBe(512);
    expect(sizeMiB('local-lvm:vm-100-disk-0,iothread=1,size=32G')).toBe(32768);
    expect(sizeMiB('nfs:100/a.qcow2,size=512M')).toBe(512);
    expect(sizeMiB('local:iso/x.iso,media=cdrom')).toBe(0);
  });

  it('sets the balloon, refuses one above the memory, and keeps cores for the next start of a running VM', () => {
    const config = { memory: 'current=2048', balloon: 1024, cores: 2, digest: 'ab'.repeat(20) };
    const p = planSettings(vm, 'web01', config, true, { ...NONE, minMemoryMiB: 1536, vcpus: 3 });
    expect(p.problems).toEqual([]);
    expect(p.params).toEqual({ balloon: 1536, cores: 3, digest: 'ab'.repeat(20) });
    expect(p.changes.map((c) => [c.what, c.atNextStart])).toEqual([
      ['Minimum memory (balloon)', false],
      ['Cores per socket', true],
    ]);
    const high = planSettings(vm, 'web01', config, false, { ...NONE, minMemoryMiB: 4096 });
    expect(high.problems).toEqual([
      'The minimum memory (balloon) cannot be more than the memory (2048 MiB).',
    ]);
  });

  it('adds a container NIC with its name, removes notes, and changes nothing for the same values', () => {
    const config = {
      memory: 512,
      hostname: 'dns01',
      description: 'old',
      net0: 'name=eth0,bridge=vmbr0',
    };
    const p = planSettings(ct, 'dns01', config, true, {
      ...NONE,
      maxMemoryMiB: 512,
      name: 'dns01',
      notes: '',
      addNics: [{ link: 'vmbr1' }],
    });
    expect(p.params).toEqual({
      net1: 'name=eth1,bridge=vmbr1,ip=dhcp,type=veth',
      delete: 'description',
    });
    expect(p.now.noMinMemory).toBe(true);
    expect(p.changes.map((c) => c.what)).toEqual(['Notes', 'New NIC net1']);
  });
});
