import { describe, expect, it } from 'vitest';
import type { OsVariant } from '../../../shared/osinfo';
import { vmSpecSchema } from '../../../shared/vm';
import { initialForm, toSpec } from './newVmForm';
import { describeDevices, describeResources, pickVariant, searchVariants } from './osVariants';

const GiB = 2 ** 30;
const win11: OsVariant = {
  shortId: 'win11',
  id: 'http://microsoft.com/win/11',
  name: 'Microsoft Windows 11',
  version: '11.0',
  family: 'winnt',
  vendor: 'Microsoft Corporation',
  minimum: { ramBytes: 4 * GiB, cpus: 2, storageBytes: 64 * GiB },
  recommended: { ramBytes: 4 * GiB, storageBytes: 64 * GiB },
  hardware: {
    diskBus: 'sata',
    nic: 'e1000e',
    video: 'qxl',
    firmware: 'efi',
    secureBoot: true,
    tpm: true,
    q35: true,
  },
  requiresSecureBoot: true,
  requiresEfi: true,
};
const alpine: OsVariant = {
  ...win11,
  shortId: 'alpinelinux3.17',
  id: 'http://alpinelinux.org/alpinelinux/3.17',
  name: 'Alpine Linux 3.17',
  version: '3.17',
  family: 'linux',
  vendor: 'Alpine Linux Project',
  minimum: { ramBytes: 128 * 2 ** 20, cpus: 1 },
  recommended: { ramBytes: 768 * 2 ** 20 },
  hardware: {
    ...win11.hardware,
    diskBus: 'virtio',
    nic: 'virtio',
    firmware: 'bios',
    secureBoot: false,
    tpm: false,
  },
  requiresSecureBoot: false,
  requiresEfi: false,
};

describe('OS variants in New VM', () => {
  it('finds variants by every word typed, in name, short id, family or version', () => {
    expect(searchVariants([win11, alpine], 'windows 11')).toEqual([win11]);
    expect(searchVariants([win11, alpine], 'LINUX 3.17')).toEqual([alpine]);
    expect(searchVariants([win11, alpine], '  ')).toEqual([win11, alpine]);
    expect(searchVariants([win11, alpine], 'freebsd')).toEqual([]);
  });

  it('takes the variant’s firmware and recommended sizes, never lowering what was typed', () => {
    const f = pickVariant({ ...initialForm(undefined), memoryMiB: '1024' }, win11);
    expect(f).toMatchObject({
      os: 'windows',
      osVariant: 'win11',
      firmware: 'efi',
      secureBoot: true,
      tpm: true,
      memoryMiB: '4096',
      vcpus: '2',
      diskSize: '64G',
    });
    const spec = vmSpecSchema.parse(
      toSpec({ ...f, name: 'w', diskPool: 'p', boot: 'none', netName: 'default' }, win11),
    );
    expect(spec.osVariant).toEqual({
      id: 'http://microsoft.com/win/11',
      shortId: 'win11',
      family: 'winnt',
    });
    expect(spec.hardware).toEqual(win11.hardware);
    expect(pickVariant({ ...f, memoryMiB: '8192' }, alpine)).toMatchObject({
      os: 'linux',
      memoryMiB: '8192',
      firmware: 'bios',
      secureBoot: false,
      tpm: false,
    });
    // Back to a generic profile: its firmware, no variant.
    expect(pickVariant(f, undefined, 'linux-uefi')).toMatchObject({
      os: 'linux-uefi',
      osVariant: '',
      firmware: 'efi',
      secureBoot: false,
      tpm: false,
    });
  });

  it('describes devices and resources in words', () => {
    expect(describeDevices(win11.hardware)).toBe(
      'SATA disk, Intel e1000e network, QXL video, q35 machine',
    );
    expect(describeResources(win11.minimum)).toBe('4 GiB of memory, 2 vCPUs, a 64 GiB disk');
    expect(describeResources(alpine.recommended)).toBe('768 MiB of memory');
  });
});
