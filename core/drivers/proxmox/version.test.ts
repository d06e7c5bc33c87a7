import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parsePveProbe, parsePveVersion, PVE_PROBE_LINES, unsupportedPveVersion } from './version';

const PLAIN = 'pve-manager/8.2.4/faa83925c9641325 (running kernel: 6.8.8-2-pve)\n';
const VERBOSE = [
  'proxmox-ve: 9.0.0 (running kernel: 6.14.8-2-pve)',
  'pve-manager: 9.0.3 (running version: 9.0.3/025864202ebb6109)',
  'proxmox-kernel-helper: 9.0.3',
  '',
].join('\n');

describe('pveversion', () => {
  it('reads the plain line', () => {
    expect(parsePveVersion(PLAIN)).toEqual({
      manager: '8.2.4',
      major: 8,
      minor: 2,
      repoid: 'faa83925c9641325',
      kernel: '6.8.8-2-pve',
    });
  });

  it('reads the verbose listing (pveversion -v)', () => {
    expect(parsePveVersion(VERBOSE)).toEqual({
      manager: '9.0.3',
      major: 9,
      minor: 0,
      repoid: '025864202ebb6109',
      kernel: '6.14.8-2-pve',
    });
  });

  it('finds nothing in other output', () => {
    expect(parsePveVersion('')).toBeUndefined();
    expect(parsePveVersion('sh: 1: pveversion: not found\n')).toBeUndefined();
  });

  it('says which versions it does not manage, and what to do', () => {
    expect(unsupportedPveVersion(parsePveVersion(PLAIN)!, 'pve1')).toBeUndefined();
    const old = parsePveVersion('pve-manager/7.4.17/513c62be (running kernel: 5.15.143-1-pve)')!;
    expect(unsupportedPveVersion(old, 'pve1')).toMatch(
      /^pve1 runs Proxmox VE 7\.4\.17; Clusterdeck manages Proxmox VE 8 and 9\. Upgrade/,
    );
    const future = parsePveVersion('pve-manager/10.0.1/0123abcd')!;
    expect(unsupportedPveVersion(future, 'pve1')).toMatch(/update Clusterdeck/);
  });
});

describe('the probe lines proposed for detect.ts', () => {
  it('are valid sh that prints nothing on a node without Proxmox', () => {
    // Run here (no pveversion, no /etc/pve): the lines must not fail the script.
    const out = execFileSync('sh', ['-c', [...PVE_PROBE_LINES, 'echo done'].join('; ')]).toString();
    expect(out).toBe('done\n');
  });

  it('read the version and the mounted cluster file system from the probe’s output', () => {
    const probe = parsePveProbe(`has:pveversion\npve:${PLAIN}has:pmxcfs\nhostname:pve1\n`);
    expect(probe.version?.manager).toBe('8.2.4');
    expect(probe.clusterFs).toBe(true);
    expect(parsePveProbe('has:pveversion\nhostname:pve1\n')).toEqual({ clusterFs: false });
  });
});
