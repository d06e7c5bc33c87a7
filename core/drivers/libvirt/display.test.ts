import { describe, expect, it } from 'vitest';
import { parseDomdisplay } from './display';

// Outputs as `virsh domdisplay --include-password` printed them in the lab.
describe('parseDomdisplay', () => {
  it('reads a VNC display number as a port on the node', () => {
    expect(parseDomdisplay('vnc://127.0.0.1:0\n\n', 'vm')).toEqual({
      type: 'vnc',
      endpoint: { host: '127.0.0.1', port: 5900 },
    });
    expect(parseDomdisplay('vnc://127.0.0.1:3', 'vm').endpoint).toEqual({
      host: '127.0.0.1',
      port: 5903,
    });
  });

  it('reaches every-address listeners on loopback, and reads SPICE ports and IPv6', () => {
    expect(parseDomdisplay('vnc://0.0.0.0:1', 'vm').endpoint).toMatchObject({ host: '127.0.0.1' });
    expect(parseDomdisplay('spice://[::1]:5901', 'vm')).toEqual({
      type: 'spice',
      endpoint: { host: '::1', port: 5901 },
    });
  });

  it('keeps the VNC password, even one holding @ and :', () => {
    expect(parseDomdisplay('vnc://:s3cret!x@127.0.0.1:2', 'vm')).toEqual({
      type: 'vnc',
      endpoint: { host: '127.0.0.1', port: 5902 },
      password: 's3cret!x',
    });
    expect(parseDomdisplay('vnc://:a@b:c@127.0.0.1:2', 'vm').password).toBe('a@b:c');
  });

  it('reads a unix socket display', () => {
    expect(
      parseDomdisplay('vnc+unix:///var/lib/libvirt/qemu/domain-4-sock-test/vnc.sock\n', 'vm'),
    ).toEqual({
      type: 'vnc',
      endpoint: { socket: '/var/lib/libvirt/qemu/domain-4-sock-test/vnc.sock' },
    });
  });

  it('says so when there is no display, without repeating a password', () => {
    expect(() => parseDomdisplay('', 'web1')).toThrow(/web1 has no VNC or SPICE display/);
    expect(() => parseDomdisplay('rdp://:hunter2@host', 'web1')).toThrow(/said "rdp:\/\/host"/);
    expect(() => parseDomdisplay('rdp://:hunter2@host', 'web1')).not.toThrow(/hunter2/);
  });
});
