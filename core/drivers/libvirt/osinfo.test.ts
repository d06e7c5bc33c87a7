// libosinfo's list and database lines as read on a lab node (osinfo-db
// 20221203, Debian 12), trimmed to five variants and what they derive from;
// and the domain XML each variant gives.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { osCatalogSchema, belowMinimum, firmwareProblems } from '../../../shared/osinfo';
import { vmSpecSchema, type VmSpecInput } from '../../../shared/vm';
import { buildDomainXml } from './domain-xml';
import { quoteArgv } from '../../ssh/quote';
import { OSINFO_ARGV, parseOsinfo } from './osinfo';

const output = readFileSync(join(__dirname, 'fixtures', 'lab-osinfo.txt'), 'utf8');
const GiB = 2 ** 30;

describe('parseOsinfo', () => {
  it('sends one line of plain text to the node, as every command must be', () => {
    expect(quoteArgv([...OSINFO_ARGV])).not.toMatch(/\n/);
  });

  const catalog = parseOsinfo(output);
  const variant = (id: string) => catalog.variants.find((v) => v.shortId === id)!;

  it('reads osinfo-query rows joined with the database, checked by the contract', () => {
    expect(osCatalogSchema.parse(catalog)).toEqual(catalog);
    expect(catalog.source).toBe('osinfo-query');
    expect(catalog.firmware).toEqual({ efi: true, secureBoot: true, swtpm: true });
    expect(variant('win11')).toMatchObject({
      id: 'http://microsoft.com/win/11',
      name: 'Microsoft Windows 11',
      version: '11.0',
      family: 'winnt',
      vendor: 'Microsoft Corporation',
    });
    // Sorted by family, then by name with numbers in order.
    const linux = catalog.variants.filter((v) => v.family === 'linux').map((v) => v.shortId);
    expect(linux.indexOf('ubuntu20.04')).toBeLessThan(linux.indexOf('ubuntu22.04'));
  });

  it('gives Windows 11 UEFI with Secure Boot, a TPM, q35 and SATA, and its own minimums', () => {
    const w = variant('win11');
    expect(w.hardware).toEqual({
      diskBus: 'sata',
      nic: 'e1000e',
      video: 'qxl',
      firmware: 'efi',
      secureBoot: true,
      tpm: true,
      q35: true,
    });
    expect(w.requiresSecureBoot && w.requiresEfi).toBe(true);
    expect(w.minimum).toEqual({ ramBytes: 4 * GiB, cpus: 2, storageBytes: 64 * GiB });
    // Windows 10's 1 GiB recommendation is below Windows 11's minimum: raised to it.
    expect(w.recommended.ramBytes).toBe(4 * GiB);
  });

  it('inherits devices and resources along derives-from; drivers files add to their OS', () => {
    const u = variant('ubuntu22.04');
    expect(u.hardware).toMatchObject({
      diskBus: 'virtio',
      nic: 'virtio',
      firmware: 'bios',
      tpm: false,
    });
    expect(u.minimum.ramBytes).toBe(2 * GiB);
    expect(u.recommended.storageBytes).toBe(25 * GiB);
    // win-10.d/*.xml carry no resources; win-10.xml's x86_64 ones are kept.
    expect(variant('win10').minimum).toEqual({
      ramBytes: 2 * GiB,
      cpus: 1,
      storageBytes: 20 * GiB,
    });
    expect(variant('win10').hardware.firmware).toBe('bios');
  });

  it('gives old systems the devices they have drivers for', () => {
    expect(variant('winxp').hardware).toMatchObject({ diskBus: 'ide', nic: 'e1000', q35: false });
    expect(variant('msdos6.22').hardware).toMatchObject({
      diskBus: 'ide',
      nic: 'rtl8139',
      video: 'vga',
    });
  });

  it('falls back to the database files without osinfo-query, and says when there is nothing', () => {
    const dbOnly = parseOsinfo(output.replace(/@@query[\s\S]*?(?=@@db)/, ''));
    expect(dbOnly.source).toBe('osinfo-db');
    expect(dbOnly.variants.find((v) => v.shortId === 'win11')?.hardware).toEqual(
      variant('win11').hardware,
    );
    const none = parseOsinfo('@@db\n@@fw\n');
    expect(none).toEqual({
      source: 'none',
      variants: [],
      firmware: { efi: false, secureBoot: false, swtpm: false },
    });
  });

  it('warns below the minimum in the app’s words, and names the missing packages', () => {
    expect(
      belowMinimum(variant('win11'), { memoryMiB: 2048, vcpus: 1, diskBytes: 10 * GiB }),
    ).toEqual({
      memoryMiB:
        'Microsoft Windows 11 needs at least 4 GiB of memory; it may not install or run with less.',
      vcpus: 'Microsoft Windows 11 needs at least 2 vCPUs; it may not install or run with fewer.',
      diskSize:
        'Microsoft Windows 11 needs a disk of at least 64 GiB; its installer may refuse a smaller one.',
    });
    expect(
      belowMinimum(variant('win11'), { memoryMiB: 4096, vcpus: 2, diskBytes: 64 * GiB }),
    ).toEqual({});
    expect(
      firmwareProblems(
        variant('win11').hardware,
        { efi: false, secureBoot: false, swtpm: false },
        'node1',
      ),
    ).toEqual([
      'node1 has no UEFI firmware with Secure Boot; install Debian’s ovmf package on node1.',
      'node1 cannot emulate a TPM; install Debian’s swtpm and swtpm-tools packages on node1.',
    ]);
    expect(firmwareProblems(variant('win11').hardware, catalog.firmware, 'node1')).toEqual([]);
  });

  describe('the domain XML per variant', () => {
    const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' });
    const xmlFor = (shortId: string, extra: Partial<VmSpecInput> = {}) => {
      const v = variant(shortId);
      const spec = vmSpecSchema.parse({
        name: 'v1',
        os: 'other',
        osVariant: { id: v.id, shortId: v.shortId, family: v.family },
        hardware: v.hardware,
        vcpus: 2,
        memoryMiB: 4096,
        disk: { kind: 'new', poolId: 'h:pool:x', bytes: 64 * GiB, format: 'qcow2' },
        boot: { kind: 'iso', poolId: 'h:pool:x', volume: 'setup.iso' },
        network: { kind: 'network', name: 'default' },
        graphics: 'vnc',
        ...extra,
      });
      const storage = {
        disk: { pool: 'images', volume: 'v1-disk0.qcow2', format: 'qcow2' },
        iso: { pool: 'images', volume: 'setup.iso' },
      };
      return parser.parse(buildDomainXml(spec, storage)).domain;
    };

    it('Windows 11: q35, Secure Boot firmware with enrolled keys, SMM, TPM 2.0, SATA, e1000e, local clock', () => {
      const d = xmlFor('win11');
      expect(d.os['@firmware']).toBe('efi');
      expect(d.os.type['@machine']).toBe('q35');
      expect(d.os.loader['@secure']).toBe('yes');
      expect(d.os.firmware.feature).toEqual([
        { '@enabled': 'yes', '@name': 'enrolled-keys' },
        { '@enabled': 'yes', '@name': 'secure-boot' },
      ]);
      expect(d.features.smm['@state']).toBe('on');
      expect(d.devices.tpm).toEqual({
        '@model': 'tpm-crb',
        backend: { '@type': 'emulator', '@version': '2.0' },
      });
      expect(d.devices.disk[0].target).toEqual({ '@dev': 'sda', '@bus': 'sata' });
      expect(d.devices.disk[1].target).toEqual({ '@dev': 'sdb', '@bus': 'sata' });
      expect(d.devices.interface.model['@type']).toBe('e1000e');
      expect(d.devices.video.model['@type']).toBe('qxl');
      expect(d.clock['@offset']).toBe('localtime');
      expect(d.metadata['libosinfo:libosinfo']['libosinfo:os']['@id']).toBe(
        'http://microsoft.com/win/11',
      );
    });

    it('Ubuntu: virtio devices on q35, BIOS, no TPM; UEFI without Secure Boot when asked', () => {
      const d = xmlFor('ubuntu22.04');
      expect(d.os['@firmware']).toBeUndefined();
      expect(d.os.type['@machine']).toBe('q35');
      expect(d.devices.tpm).toBeUndefined();
      expect(d.features.smm).toBeUndefined();
      expect(d.devices.disk[0].target).toEqual({ '@dev': 'vda', '@bus': 'virtio' });
      expect(d.devices.interface.model['@type']).toBe('virtio');
      expect(d.clock['@offset']).toBe('utc');
      const efi = xmlFor('ubuntu22.04', {
        hardware: { ...variant('ubuntu22.04').hardware, firmware: 'efi' },
      });
      expect(efi.os['@firmware']).toBe('efi');
      expect(efi.os.firmware.feature).toEqual({ '@enabled': 'no', '@name': 'secure-boot' });
      expect(efi.os.loader).toBeUndefined();
    });

    it('MS-DOS: IDE disk and CD-ROM on the default machine', () => {
      const d = xmlFor('msdos6.22');
      expect(d.os.type['@machine']).toBeUndefined();
      expect(d.devices.disk[0].target).toEqual({ '@dev': 'hda', '@bus': 'ide' });
      expect(d.devices.disk[1].target).toEqual({ '@dev': 'hdc', '@bus': 'ide' });
      expect(d.devices.interface.model['@type']).toBe('rtl8139');
    });

    it('refuses Secure Boot without UEFI', () => {
      const hw = { ...variant('ubuntu22.04').hardware, secureBoot: true };
      expect(() => xmlFor('ubuntu22.04', { hardware: hw })).toThrow(/Secure Boot needs UEFI/);
    });
  });
});
