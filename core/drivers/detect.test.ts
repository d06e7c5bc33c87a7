import { describe, expect, it } from 'vitest';
import { parseProbe, unsupportedStackMessage } from './detect';

describe('stack detection', () => {
  it('reads a libvirt node (output of the probe on a lab node)', () => {
    const p = parseProbe('has:virsh\nhostname:node1\nuptime:9062.33\ncpu:AMD EPYC\n');
    expect(p).toEqual({
      stack: 'libvirt',
      hostname: 'node1',
      cpuModel: 'AMD EPYC',
      uptimeSeconds: 9062,
    });
  });

  it('prefers Proxmox VE and XCP-ng tools over a virsh that may also be there', () => {
    expect(parseProbe('has:pveversion\nhas:virsh\nhostname:pve1\n').stack).toBe('proxmox');
    expect(parseProbe('has:xe\nhostname:xcp1\n').stack).toBe('xcp');
    expect(parseProbe('hostname:bare\n').stack).toBe('unknown');
    // Ganeti: its tools, with a cluster's ssconf or not (a node not yet joined).
    expect(parseProbe('has:gnt-cluster\nhas:ganeti-cluster\nhas:virsh\n')).toMatchObject({
      stack: 'ganeti',
      ganetiCluster: true,
    });
    expect(parseProbe('has:gnt-cluster\nhas:virsh\n')).toMatchObject({
      stack: 'ganeti',
      ganetiCluster: false,
    });
    // The packages alone on a host whose libvirt daemon runs: a libvirt host.
    expect(parseProbe('has:gnt-cluster\nhas:virsh\nhas:libvirtd\n').stack).toBe('libvirt');
    expect(parseProbe('has:gnt-cluster\nhas:ganeti-cluster\nhas:virsh\nhas:libvirtd\n').stack).toBe(
      'ganeti',
    );
  });

  it('says plainly that a stack is not supported yet, naming the node', () => {
    expect(unsupportedStackMessage('proxmox', 'pve1')).toMatch(
      /^pve1 runs Proxmox VE.*later release/,
    );
    expect(unsupportedStackMessage('xcp', 'xcp1')).toMatch(/^xcp1 runs XCP-ng/);
    expect(unsupportedStackMessage('unknown', 'bare')).toMatch(/install libvirt/);
  });
});
