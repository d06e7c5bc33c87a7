import { describe, expect, it } from 'vitest';
import { parseDomdisplay } from './display';

describe('parseDomdisplay', () => {
  it('turns a VNC display number into a port (virsh 9.0.0 output from the lab)', () => {
    expect(parseDomdisplay('vnc://127.0.0.1:0\n\n', 'vm')).toEqual({
      type: 'vnc',
      host: '127.0.0.1',
      port: 5900,
    });
    expect(parseDomdisplay('vnc://127.0.0.1:3', 'vm').port).toBe(5903);
  });
  it('reaches all-address listeners on loopback, keeps SPICE ports, strips passwords', () => {
    expect(parseDomdisplay('vnc://0.0.0.0:1', 'vm').host).toBe('127.0.0.1');
    expect(parseDomdisplay('spice://[::1]:5901', 'vm')).toEqual({
      type: 'spice',
      host: '::1',
      port: 5901,
    });
    expect(parseDomdisplay('vnc://:secret@127.0.0.1:2', 'vm').port).toBe(5902);
  });
  it('names the VM when there is no display', () => {
    expect(() => parseDomdisplay('', 'web1')).toThrow(/web1 has no VNC or SPICE display/);
  });
});
