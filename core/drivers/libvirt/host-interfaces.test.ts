import { describe, expect, it } from 'vitest';
import { parseHostInterfaces } from './host-interfaces';

// Trimmed from `ip -d -j addr show` on a Debian 12 node with a bridge and a guest's tap.
const OUTPUT = JSON.stringify([
  {
    ifname: 'lo',
    mtu: 65536,
    operstate: 'UNKNOWN',
    link_type: 'loopback',
    address: '00:00:00:00:00:00',
    addr_info: [
      { family: 'inet6', local: '::1', prefixlen: 128 },
      { family: 'inet', local: '127.0.0.1', prefixlen: 8 },
    ],
  },
  {
    ifname: 'eno1',
    mtu: 1500,
    operstate: 'UP',
    link_type: 'ether',
    address: '52:54:00:aa:bb:cc',
    master: 'br0',
    linkinfo: { info_slave_kind: 'bridge' },
    addr_info: [],
  },
  {
    ifname: 'br0',
    mtu: 1500,
    operstate: 'UP',
    link_type: 'ether',
    address: '52:54:00:aa:bb:cc',
    linkinfo: { info_kind: 'bridge' },
    addr_info: [{ family: 'inet', local: '192.0.2.10', prefixlen: 24 }],
  },
  {
    ifname: 'vnet0',
    operstate: 'UNKNOWN',
    mtu: 1500,
    master: 'br0',
    linkinfo: { info_kind: 'tun' },
  },
]);

describe('parseHostInterfaces', () => {
  it('reads name, kind, MAC, state, addresses (IPv4 first) and bridge membership', () => {
    const ifs = parseHostInterfaces(OUTPUT);
    expect(ifs.map((i) => [i.name, i.kind, i.master])).toEqual([
      ['lo', 'loopback', ''],
      ['eno1', 'ether', 'br0'],
      ['br0', 'bridge', ''],
      ['vnet0', 'tun', 'br0'],
    ]);
    expect(ifs[0]!.addresses).toEqual(['127.0.0.1/8', '::1/128']);
    expect(ifs[2]).toMatchObject({ mac: '52:54:00:aa:bb:cc', state: 'UP', mtu: 1500 });
    expect(ifs[3]).toMatchObject({ mac: '', addresses: [] });
  });

  it('reads nothing from an answer that is not ip’s JSON', () => {
    expect(parseHostInterfaces('Object "addr" is unknown')).toEqual([]);
    expect(parseHostInterfaces('')).toEqual([]);
  });
});
