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

  it('reads a Proxmox VE node: its version and whether /etc/pve is mounted', () => {
    const out = [
      'has:pveversion',
      'has:virsh',
      'has:pmxcfs',
      'pve:pve-manager/8.2.4/faa83925c9641325 (running kernel: 6.8.8-2-pve)',
      'hostname:pve1',
      'uptime:120.5',
      'cpu:Intel Xeon',
    ].join('\n');
    expect(parseProbe(out)).toEqual({
      stack: 'proxmox',
      pve: {
        version: {
          manager: '8.2.4',
          major: 8,
          minor: 2,
          repoid: 'faa83925c9641325',
          kernel: '6.8.8-2-pve',
        },
        clusterFs: true,
      },
      hostname: 'pve1',
      cpuModel: 'Intel Xeon',
      uptimeSeconds: 120,
    });
    // pve-cluster not running: still a Proxmox VE node, whose driver says what is missing.
    expect(parseProbe('has:pveversion\nhostname:pve2\n').pve).toEqual({ clusterFs: false });
    // Ganeti's tools beside Proxmox's: Proxmox VE's own CLI wins.
    expect(parseProbe('has:pveversion\nhas:gnt-cluster\nhas:ganeti-cluster\n').stack).toBe(
      'proxmox',
    );
    // The pve: and has:pmxcfs lines say nothing on a node of another stack.
    expect(parseProbe('has:virsh\nhas:pmxcfs\n')).not.toHaveProperty('pve');
  });

  it('says plainly that a stack is not supported yet, naming the node', () => {
    expect(unsupportedStackMessage('proxmox', 'pve1')).toMatch(
      /^pve1 runs Proxmox VE.*later release/,
    );
    expect(unsupportedStackMessage('xcp', 'xcp1')).toMatch(/^xcp1 runs XCP-ng/);
    expect(unsupportedStackMessage('unknown', 'bare')).toMatch(/install libvirt/);
  });
});
