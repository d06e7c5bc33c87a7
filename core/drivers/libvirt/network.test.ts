import { describe, expect, it } from 'vitest';
import { networkSpecSchema, type NetworkSpec } from '../../../shared/network';
import { buildNetworkXml, createNetworkSteps, networkActionSteps } from './network';
import { parseNetXml } from './parse';

const spec = (over: Partial<NetworkSpec>): NetworkSpec =>
  networkSpecSchema.parse({
    name: 'lan1',
    mode: 'nat',
    address: '10.9.8.1',
    prefix: 24,
    start: true,
    autostart: true,
    ...over,
  });

const net = {
  id: 'h:net:u',
  hostId: 'h',
  uuid: '0a1b2c3d-0000-4000-8000-000000000001',
  name: '--evil',
  active: true,
  autostart: false,
  bridge: 'virbr1',
  forward: 'nat',
};

describe('network XML', () => {
  it('builds a NAT network with DHCP that libvirt reads back as NAT', () => {
    const xml = buildNetworkXml(
      spec({ dhcpStart: '10.9.8.100', dhcpEnd: '10.9.8.200', bridge: 'cdk1', forwardDev: 'eth0' }),
    );
    expect(xml).toContain('<forward mode="nat" dev="eth0"');
    expect(xml).toContain('<bridge name="cdk1" stp="on" delay="0"');
    expect(xml).toContain('<ip address="10.9.8.1" prefix="24">');
    expect(xml).toContain('<range start="10.9.8.100" end="10.9.8.200"');
    expect(parseNetXml(xml)).toMatchObject({ name: 'lan1', bridge: 'cdk1', forward: 'nat' });
  });

  it('builds an isolated network without forward, and without ip when it has no address', () => {
    const xml = buildNetworkXml(spec({ mode: 'isolated', address: undefined }));
    expect(xml).not.toContain('<forward');
    expect(xml).not.toContain('<ip');
    expect(parseNetXml(xml).forward).toBe('isolated');
  });

  it('builds a routed network through a device', () => {
    const xml = buildNetworkXml(spec({ mode: 'route', forwardDev: 'eth1' }));
    expect(xml).toContain('<forward mode="route" dev="eth1"');
    expect(parseNetXml(xml).forward).toBe('route');
  });

  it('escapes what it builds (names are checked, but the builder never concatenates)', () => {
    expect(buildNetworkXml({ ...spec({}), name: 'a&b' })).toContain('<name>a&amp;b</name>');
  });
});

describe('network steps', () => {
  it('defines from stdin, then starts and autostarts as asked, each with its undo', () => {
    const steps = createNetworkSteps(spec({}));
    expect(steps.map((s) => s.argv.slice(3))).toEqual([
      ['net-define', '--file', '/dev/stdin'],
      ['net-start', 'lan1'],
      ['net-autostart', 'lan1'],
    ]);
    expect(steps[0]!.stdin).toContain('<name>lan1</name>');
    expect(steps.map((s) => s.undoStep?.argv.slice(3))).toEqual([
      ['net-undefine', 'lan1'],
      ['net-destroy', 'lan1'],
      ['net-autostart', '--disable', 'lan1'],
    ]);
    expect(createNetworkSteps(spec({ start: false, autostart: false }))).toHaveLength(1);
  });

  it('addresses existing networks by UUID, never by a name that could read as an option', () => {
    const all = (['start', 'stop', 'autostart', 'no-autostart', 'delete'] as const).flatMap((a) =>
      networkActionSteps(net, a),
    );
    for (const s of all) {
      expect(s.argv).not.toContain('--evil');
      expect(s.argv.at(-1)).toBe(net.uuid);
    }
    expect(networkActionSteps(net, 'no-autostart')[0]!.argv.slice(3)).toEqual([
      'net-autostart',
      '--disable',
      net.uuid,
    ]);
    expect(networkActionSteps(net, 'delete').map((s) => s.argv[3])).toEqual([
      'net-destroy',
      'net-undefine',
    ]);
    expect(networkActionSteps({ ...net, active: false }, 'delete').map((s) => s.argv[3])).toEqual([
      'net-undefine',
    ]);
  });
});
