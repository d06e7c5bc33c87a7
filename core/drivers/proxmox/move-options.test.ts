import { describe, expect, it } from 'vitest';
import {
  MigrationProgress,
  migrateCall,
  migrationFigure,
  notAllowedReason,
  parseLxcCheck,
  parseQemuCheck,
  pveMoveOptions,
  pveshArgv,
  type PveMoveGuest,
} from './move-options';

const NODES = [
  { name: 'pve1', online: true },
  { name: 'pve2', online: true },
  { name: 'pve3', online: false },
];
const web: PveMoveGuest = { name: 'web01', node: 'pve1', vmid: 100, type: 'qemu', running: true };
const dns: PveMoveGuest = { name: 'dns01', node: 'pve1', vmid: 200, type: 'lxc', running: true };

// A PVE 9 answer for a running VM with a local disk; pve3's storage lacks it.
const RUNNING_CHECK = {
  running: 1,
  allowed_nodes: ['pve2'],
  not_allowed_nodes: { pve3: { unavailable_storages: ['local-lvm'] } },
  local_disks: [{ volid: 'local-lvm:vm-100-disk-0', size: 34359738368, cdrom: 0, is_unused: 0 }],
  local_resources: [],
  'mapped-resources': [],
  'has-dbus-vmstate': 1,
};

describe('Proxmox VE migration options', () => {
  it('reads qemu-server’s check: running, allowed and refused nodes with the reason, local disks', () => {
    const c = parseQemuCheck(RUNNING_CHECK);
    expect(c.running).toBe(true);
    expect(c.allowed).toEqual(['pve2']);
    expect(c.notAllowed.get('pve3')).toBe('storage local-lvm is not available on pve3');
    expect(c.localDisks).toEqual(['local-lvm:vm-100-disk-0']);
    // PVE 8 leaves the node lists out for a running VM.
    expect(parseQemuCheck({ running: 0, local_disks: [], local_resources: [] }).allowed).toBe(
      undefined,
    );
  });

  it('words every kind of refusal PVE gives for a node', () => {
    expect(notAllowedReason('pve2', { 'unavailable-storages': ['a', 'b'] })).toBe(
      'storages a, b are not available on pve2',
    );
    expect(
      notAllowedReason('pve2', {
        'blocking-ha-resources': [{ sid: 'vm:101', cause: 'resource-affinity' }],
      }),
    ).toBe('HA resources vm:101 (resource-affinity) block it');
    expect(notAllowedReason('pve2', { 'unavailable-resources': ['gpu'] })).toBe(
      'mapped devices gpu have no mapping on pve2',
    );
    expect(notAllowedReason('pve2', {})).toBe('PVE does not allow pve2');
  });

  it('offers a running VM online migration, targets refused with their reason; offline refused', () => {
    const [live, offline] = pveMoveOptions(web, parseQemuCheck(RUNNING_CHECK), NODES);
    expect(live).toMatchObject({
      how: 'live',
      label: 'Online migration (qm migrate --online)',
      fixedTarget: false,
      targets: [
        { node: 'pve2' },
        // offline first: whatever else PVE says, a node that is down cannot take it
        { node: 'pve3', refused: 'pve3 is offline' },
      ],
    });
    expect(live!.refused).toBeUndefined();
    expect(offline).toMatchObject({ how: 'offline', targets: [] });
    expect(offline!.refused).toMatch(/web01 is running: PVE migrates a running VM online only/);
    const up = NODES.map((n) => ({ ...n, online: true }));
    expect(pveMoveOptions(web, parseQemuCheck(RUNNING_CHECK), up)[0]!.targets[1]).toEqual({
      node: 'pve3',
      refused: 'storage local-lvm is not available on pve3',
    });
  });

  it('offers a stopped guest offline migration only', () => {
    const stopped = parseQemuCheck({ ...RUNNING_CHECK, running: 0 });
    const [live, offline] = pveMoveOptions({ ...web, running: false }, stopped, NODES);
    expect(live!.refused).toBe('web01 is not running: Proxmox VE migrates it offline.');
    expect(offline).toMatchObject({ label: 'Offline migration (qm migrate)' });
    expect(offline!.refused).toBeUndefined();
  });

  it('refuses every way for a VM with passthrough devices or a local CD image, and with no node to go to', () => {
    const dev = parseQemuCheck({ ...RUNNING_CHECK, local_resources: ['hostpci0'] });
    for (const o of pveMoveOptions(web, dev, NODES))
      expect(o.refused).toMatch(/uses devices of pve1 \(hostpci0\)|is running/);
    expect(pveMoveOptions(web, dev, NODES)[0]!.refused).toMatch(/hostpci0/);
    const cd = parseQemuCheck({
      ...RUNNING_CHECK,
      local_disks: [{ volid: 'local:iso/debian.iso', cdrom: 1, size: 1 }],
    });
    expect(pveMoveOptions(web, cd, NODES)[0]!.refused).toMatch(/local:iso\/debian.iso.*eject it/);
    const alone = pveMoveOptions(web, parseQemuCheck(RUNNING_CHECK), [NODES[0]!]);
    expect(alone[0]!.refused).toBe('The cluster has no other node.');
    const none = pveMoveOptions(
      web,
      parseQemuCheck({ ...RUNNING_CHECK, allowed_nodes: [] }),
      NODES,
    );
    expect(none[0]!.refused).toBe('No node can take it now (see each node).');
  });

  it('moves a running container by restart migration; reads PVE 9’s check, or none on PVE 8', () => {
    const pve9 = parseLxcCheck(
      { running: 1, 'allowed-nodes': ['pve2'], 'not-allowed-nodes': {} },
      true,
    );
    const [restart, offline] = pveMoveOptions(dns, pve9, NODES);
    expect(restart).toMatchObject({
      how: 'restart',
      label: 'Restart migration (pct migrate --restart)',
    });
    expect(restart!.targets).toEqual([
      { node: 'pve2' },
      { node: 'pve3', refused: 'pve3 is offline' },
    ]);
    expect(offline!.refused).toMatch(/dns01 is running: .*restart migration/);
    const pve8 = parseLxcCheck(undefined, false);
    expect(pve8.running).toBe(false);
    expect(pve8.allowed).toBeUndefined();
    const [r8, o8] = pveMoveOptions({ ...dns, running: false }, pve8, NODES);
    expect(r8!.refused).toMatch(/not running/);
    expect(o8!.refused).toBeUndefined();
  });

  it('makes the API call of each move', () => {
    const c = parseQemuCheck(RUNNING_CHECK);
    expect(migrateCall(web, 'live', 'pve2', c)).toEqual({
      path: '/nodes/pve1/qemu/100/migrate',
      params: { target: 'pve2', online: 1, 'with-local-disks': 1 },
    });
    expect(migrateCall(web, 'live', 'pve2', { ...c, localDisks: [] }).params).toEqual({
      target: 'pve2',
      online: 1,
    });
    expect(migrateCall(web, 'offline', 'pve2', c).params).toEqual({ target: 'pve2' });
    expect(migrateCall(dns, 'restart', 'pve2', c)).toEqual({
      path: '/nodes/pve1/lxc/200/migrate',
      params: { target: 'pve2', restart: 1 },
    });
    expect(() => migrateCall(dns, 'live', 'pve2', c)).toThrow(/no live migration of a container/);
    expect(() => migrateCall(web, 'failover', 'pve2', c)).toThrow(/no failover/);
    expect(
      pveshArgv('create', '/nodes/pve1/lxc/200/migrate', { target: 'pve2', restart: 1 }),
    ).toEqual([
      'pvesh',
      'create',
      '/nodes/pve1/lxc/200/migrate',
      '--target',
      'pve2',
      '--restart',
      '1',
    ]);
  });

  it('reads the progress figures of PVE’s migration log', () => {
    expect(
      migrationFigure(
        '2026-12-01 08:00:03 drive-scsi0: transferred 12.0 GiB of 32.0 GiB (37.50%) in 4s',
      ),
    ).toEqual({ phase: 'disk', fraction: 0.375 });
    expect(
      migrationFigure('migration active, transferred 512.0 MiB of 2.0 GiB VM-state, 112.5 MiB/s'),
    ).toEqual({ phase: 'memory', fraction: 0.25 });
    expect(migrationFigure('starting migration of VM 100 to node pve2')).toBeUndefined();
    const p = new MigrationProgress(true);
    expect(p.read('drive-scsi0: transferred 32.0 GiB of 32.0 GiB (100.00%) in 9s, ready')).toBe(
      0.5,
    );
    expect(p.read('migration active, transferred 1.0 GiB of 2.0 GiB VM-state')).toBe(0.75);
    // never back
    expect(p.read('migration active, transferred 0.5 GiB of 2.0 GiB VM-state')).toBe(0.75);
    expect(new MigrationProgress(false).read('transferred 1.0 GiB of 2.0 GiB VM-state')).toBe(
      undefined,
    );
  });
});
