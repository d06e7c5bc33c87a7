import { describe, expect, it } from 'vitest';
import {
  maintenanceArgv,
  maintenanceFindings,
  maintenanceSettled,
  parseHaStatus,
} from './maintenance';
import type { PveGuest } from './parse';

// /cluster/ha/status/current as PVE words it (the LRM's mode inside its status line).
const status = (pve2: string, services: { sid: string; node: string; crm_state: string }[]) => [
  { id: 'quorum', type: 'quorum', node: 'pve1', status: 'OK', quorate: 1 },
  { id: 'master', type: 'master', node: 'pve1', status: 'pve1 (active, Tue Dec  1 08:00:00 2026)' },
  { id: 'lrm:pve1', type: 'lrm', node: 'pve1', status: 'pve1 (active, Tue Dec  1 08:00:00 2026)' },
  { id: 'lrm:pve2', type: 'lrm', node: 'pve2', status: `pve2 (${pve2}, Tue Dec  1 08:00:00 2026)` },
  ...services.map((s) => ({ id: `service:${s.sid}`, type: 'service', status: 'x', ...s })),
];

const guest = (vmid: number, name: string, kind: 'qemu' | 'lxc', running: boolean): PveGuest => ({
  kind,
  vmid,
  node: 'pve2',
  name,
  status: running ? 'running' : 'stopped',
  state: running ? 'running' : 'shutoff',
  template: false,
  tags: [],
  cpus: 1,
  cpu: 0,
  memTotal: 0,
  memUsed: 0,
  diskTotal: 0,
  diskUsed: 0,
  uptime: 0,
});

describe('Proxmox VE node maintenance (HA)', () => {
  it("reads the LRM's mode and the services from HA's status", () => {
    const ha = parseHaStatus(
      status('maintenance mode', [{ sid: 'vm:100', node: 'pve1', crm_state: 'started' }]),
    );
    expect(ha.lrm.get('pve2')).toBe('maintenance mode');
    expect(ha.lrm.get('pve1')).toBe('active');
    expect(ha.services).toEqual([{ sid: 'vm:100', node: 'pve1', state: 'started' }]);
    expect(maintenanceArgv('pve2', false)).toEqual([
      'ha-manager',
      'crm-command',
      'node-maintenance',
      'disable',
      'pve2',
    ]);
  });

  it('is settled once the node is in maintenance and no HA guest runs or moves there', () => {
    const moving = parseHaStatus(
      status('maintenance mode', [{ sid: 'vm:100', node: 'pve2', crm_state: 'migrate' }]),
    );
    expect(maintenanceSettled(moving, 'pve2', true)).toBe(false);
    const notYet = parseHaStatus(
      status('active', [{ sid: 'vm:100', node: 'pve2', crm_state: 'started' }]),
    );
    expect(maintenanceSettled(notYet, 'pve2', true)).toBe(false);
    const done = parseHaStatus(
      status('maintenance mode', [{ sid: 'vm:100', node: 'pve1', crm_state: 'started' }]),
    );
    expect(maintenanceSettled(done, 'pve2', true)).toBe(true);
    expect(maintenanceSettled(done, 'pve2', false)).toBe(false);
    expect(maintenanceSettled(notYet, 'pve2', false)).toBe(true);
  });

  it('names what happens to each guest on the node', () => {
    const ha = parseHaStatus(
      status('active', [{ sid: 'ct:200', node: 'pve2', crm_state: 'started' }]),
    );
    const f = maintenanceFindings(
      'pve2',
      [
        guest(200, 'dns01', 'lxc', true),
        guest(101, 'db01', 'qemu', false),
        guest(102, 'app', 'qemu', true),
      ],
      ha,
      ['pve1', 'pve2'],
    );
    expect(f.map((x) => [x.check, x.level])).toEqual([
      ['dns01', 'ok'],
      ['db01', 'ok'],
      ['app', 'warning'],
    ]);
    expect(f[0]!.detail).toMatch(/relocates it \(shut down, started on another node\)/);
    expect(f[1]!.detail).toBe('db01 is not running: it stays on pve2.');
    // No node to go to.
    expect(
      maintenanceFindings('pve2', [guest(200, 'dns01', 'lxc', true)], ha, ['pve2'])[0],
    ).toMatchObject({
      level: 'problem',
    });
    expect(maintenanceFindings('pve2', [], ha, ['pve1', 'pve2'])).toEqual([
      { check: 'pve2', level: 'ok', detail: 'No guest is on pve2.' },
    ]);
  });
});
