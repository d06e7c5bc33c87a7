// A guest's CPU and boot files from the lab's own tiny Linux definition.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { guestNeeds } from './guest-needs';

describe('what a guest needs from its node', () => {
  it('reads a direct-boot guest: its kernel and initrd', () => {
    const needs = guestNeeds(
      readFileSync(join(__dirname, 'fixtures', 'lab-linux-domain.xml'), 'utf8'),
    );
    expect(needs.bootFiles).toEqual(
      expect.arrayContaining([expect.stringMatching(/vmlinuz/), expect.stringMatching(/initrd/)]),
    );
  });

  it('reads firmware and the CPU mode, and leaves out the NVRAM', () => {
    const needs = guestNeeds(
      `<domain type='kvm'><os><type>hvm</type><loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader><nvram>/var/lib/libvirt/qemu/nvram/x_VARS.fd</nvram></os><cpu mode='host-passthrough'/></domain>`,
    );
    expect(needs).toEqual({
      cpu: { mode: 'host-passthrough', model: '' },
      bootFiles: ['/usr/share/OVMF/OVMF_CODE_4M.fd'],
    });
  });
});
