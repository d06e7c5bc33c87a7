import { describe, expect, it } from 'vitest';
import { listNames, networkSpecSchema, networkUsers } from './network';

const base = {
  name: 'lan1',
  mode: 'nat',
  address: '10.9.8.1',
  prefix: 24,
  start: true,
  autostart: true,
};

/** The messages by field, as the dialog shows them. */
function errors(over: Record<string, unknown>): Record<string, string> {
  const r = networkSpecSchema.safeParse({ ...base, ...over });
  const out: Record<string, string> = {};
  for (const i of r.success ? [] : r.error.issues) out[String(i.path[0])] ??= i.message;
  return out;
}

describe('networkSpecSchema', () => {
  it('accepts a NAT network with a DHCP range, and an isolated one without an address', () => {
    expect(errors({ dhcpStart: '10.9.8.100', dhcpEnd: '10.9.8.200' })).toEqual({});
    expect(errors({ mode: 'isolated', address: undefined })).toEqual({});
  });

  it('speaks the app’s voice for every mistake', () => {
    expect(errors({ name: '' })).toEqual({ name: 'Enter a name for the network.' });
    expect(errors({ name: '-x' }).name).toMatch(/^The name: letters, digits/);
    expect(errors({ address: '10.9.8' }).address).toBe(
      'The node’s address on the network is an IPv4 address such as 10.1.2.1.',
    );
    expect(errors({ address: '10.9.8.0' }).address).toBe(
      '10.9.8.0 is the network address of 10.9.8.0/24: choose a host address such as 10.9.8.1.',
    );
    expect(errors({ prefix: 31 }).prefix).toBe(
      'The prefix length is at most 30 (room for two addresses).',
    );
    expect(errors({ mode: 'route', address: undefined }).address).toBe(
      'A routed network needs the node’s address on it.',
    );
    expect(errors({ dhcpStart: '10.9.8.100' }).dhcpEnd).toBe(
      'Give both ends of the DHCP range, or neither for no DHCP.',
    );
    expect(errors({ dhcpStart: '10.9.9.2', dhcpEnd: '10.9.8.20' })).toEqual({
      dhcpStart: '10.9.9.2 is not a host address of 10.9.8.0/24.',
      dhcpEnd: 'The DHCP range ends before it starts.',
    });
    expect(errors({ dhcpStart: '10.9.8.1', dhcpEnd: '10.9.8.20' }).dhcpStart).toBe(
      'The DHCP range includes the node’s own address 10.9.8.1.',
    );
    expect(errors({ mode: 'isolated', forwardDev: 'eth0' }).forwardDev).toMatch(/forwards nowhere/);
    expect(errors({ bridge: 'a-very-long-bridge-name' }).bridge).toBe(
      'The bridge’s name has at most 15 characters.',
    );
    for (const m of Object.values(errors({ name: '', address: 'x', prefix: 'x', mode: 'y' })))
      expect(m).not.toMatch(/expected|too small|too big|^invalid/i);
  });
});

describe('networkUsers', () => {
  it('names the VMs on the network’s node with a NIC on it', () => {
    const nic = (source: string) => ({ type: 'network', source });
    const vms = [
      { hostId: 'h1', name: 'b', state: 'shutoff', nics: [nic('lan1')] },
      { hostId: 'h1', name: 'a', state: 'running', nics: [nic('default'), nic('lan1')] },
      { hostId: 'h2', name: 'c', state: 'running', nics: [nic('lan1')] },
      { hostId: 'h1', name: 'd', state: 'running', nics: [{ type: 'bridge', source: 'lan1' }] },
    ];
    expect(networkUsers({ hostId: 'h1', name: 'lan1' }, vms)).toEqual([
      { name: 'a', running: true },
      { name: 'b', running: false },
    ]);
    expect(listNames(['a', 'b', 'c'])).toBe('a, b and c');
  });
});
