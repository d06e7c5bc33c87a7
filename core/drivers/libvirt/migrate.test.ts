import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrateArgv } from './migrate';
import { parseDomjobinfo } from './parse-stats';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');
const target = { address: '192.0.2.7', port: 22, user: 'root' };

describe('migration commands', () => {
  it('moves a running VM live through the target’s alias, its data to the target’s address', () => {
    expect(migrateArgv('u-1', target, { live: true, copyStorage: false, persist: true })).toEqual([
      'virsh',
      '-c',
      'qemu:///system',
      'migrate',
      '--live',
      '--persistent',
      '--undefinesource',
      'u-1',
      'qemu+ssh://root@clusterdeck-192.0.2.7/system?no_tty=1',
      '--migrateuri',
      'tcp://192.0.2.7',
    ]);
  });

  it('copies disks, limits bandwidth, and reaches IPv6 and other ports', () => {
    const argv = migrateArgv(
      'u-2',
      { address: '2001:db8::7', port: 2222, user: 'admin' },
      { live: true, copyStorage: true, persist: false, bandwidthMiBs: 50 },
    );
    expect(argv.slice(3)).toEqual([
      'migrate',
      '--live',
      '--copy-storage-all',
      '--bandwidth',
      '50',
      'u-2',
      // The port is in the node's ~/.ssh/config, under the alias.
      'qemu+ssh://admin@clusterdeck-2001-db8--7/system?no_tty=1',
      '--migrateuri',
      'tcp://[2001:db8::7]',
    ]);
  });

  it('encrypts the data: tunnelled through libvirtd’s SSH connection, or TLS to the target', () => {
    const o = { live: true, copyStorage: false, persist: true } as const;
    expect(migrateArgv('u-4', target, { ...o, transport: 'tunnelled' }).slice(3)).toEqual([
      'migrate',
      '--live',
      '--p2p',
      '--tunnelled',
      '--persistent',
      '--undefinesource',
      'u-4',
      'qemu+ssh://root@clusterdeck-192.0.2.7/system?no_tty=1',
    ]);
    expect(migrateArgv('u-4', target, { ...o, transport: 'tls' }).slice(3)).toEqual([
      'migrate',
      '--live',
      '--tls',
      '--persistent',
      '--undefinesource',
      'u-4',
      'qemu+ssh://root@clusterdeck-192.0.2.7/system?no_tty=1',
      '--migrateuri',
      'tcp://192.0.2.7',
    ]);
    // Offline, only the definition moves, over the libvirt (SSH) connection.
    expect(
      migrateArgv('u-4', target, { ...o, live: false, transport: 'tunnelled' }).slice(3),
    ).not.toContain('--tunnelled');
  });

  it('moves a shut-off VM offline: its definition only', () => {
    expect(
      migrateArgv('u-3', target, { live: false, copyStorage: false, persist: true }).slice(3),
    ).toEqual([
      'migrate',
      '--offline',
      '--persistent',
      '--undefinesource',
      'u-3',
      'qemu+ssh://root@clusterdeck-192.0.2.7/system?no_tty=1',
    ]);
  });

  it('reads a running migration job as virsh domjobinfo prints it', () => {
    expect(parseDomjobinfo(fixture('lab-domjobinfo-migration.txt'))).toEqual({
      active: true,
      elapsedMs: 1095,
      processed: 625.416 * 1024,
      remaining: 244 * 1024,
      total: 68.438 * 1024 ** 2,
      bandwidth: 1.018 * 1024 ** 2,
      downtimeMs: 300,
      iteration: 1,
    });
    expect(parseDomjobinfo('Job type:         None\n').active).toBe(false);
  });
});
