import { describe, expect, it } from 'vitest';
import {
  consoleFieldsArgv,
  displayPlace,
  parseConsoleFields,
  relayArgv,
  type ConsoleFields,
} from './console';

// Lines as `gnt-instance list` printed them on the Ganeti lab (consoleFieldsArgv).
const KVM = 'cd-kvm.gnt.test|running|node2.gnt.test|kvm|11000|127.0.0.1||N';
const FAKE = 'cd-fake.gnt.test|ADMIN_down|node3.gnt.test|fake|-|-|-|-';

const kvm = (over: Partial<ConsoleFields> = {}): ConsoleFields => ({
  ...parseConsoleFields(KVM.split('|').slice(0, 7).join('|'), 'cd-kvm.gnt.test'),
  ...over,
});

describe('a Ganeti instance console', () => {
  it('reads the console fields of one instance, names after --', () => {
    expect(consoleFieldsArgv('cd-kvm.gnt.test').slice(-2)).toEqual(['--', 'cd-kvm.gnt.test']);
    expect(() => consoleFieldsArgv('-rf')).toThrow(/not a valid Ganeti instance name/);
    expect(kvm()).toEqual({
      name: 'cd-kvm.gnt.test',
      status: 'running',
      primary: 'node2.gnt.test',
      hypervisor: 'kvm',
      port: 11000,
      bind: '127.0.0.1',
      passwordFile: '',
    });
    const fake = parseConsoleFields(FAKE.split('|').slice(0, 7).join('|'), 'cd-fake.gnt.test');
    expect(fake).toMatchObject({ hypervisor: 'fake', port: 0, bind: '', passwordFile: '' });
    expect(() => parseConsoleFields('', 'x.gnt.test')).toThrow(/nothing usable of x.gnt.test/);
  });

  it('places the display where QEMU listens, or says why there is none', () => {
    expect(displayPlace(kvm(), 'c')).toEqual({
      kind: 'tcp',
      host: '127.0.0.1',
      port: 11000,
      loopbackOnly: true,
    });
    expect(displayPlace(kvm({ bind: '0.0.0.0' }), 'c')).toMatchObject({
      host: '127.0.0.1',
      loopbackOnly: false,
    });
    expect(displayPlace(kvm({ bind: '198.51.100.12' }), 'c')).toMatchObject({
      host: '198.51.100.12',
      loopbackOnly: false,
    });
    expect(displayPlace(kvm({ bind: '/run/ganeti/vnc' }), 'c')).toEqual({
      kind: 'socket',
      path: '/run/ganeti/vnc/cd-kvm.gnt.test.vnc',
    });
    const fake = kvm({ hypervisor: 'fake', bind: '' });
    expect(() => displayPlace(fake, 'c')).toThrow(/fake hypervisor, which has no console/);
    expect(() => displayPlace(kvm({ status: 'ADMIN_down' }), 'c')).toThrow(
      /not running in c \(Ganeti says ADMIN_down\)/,
    );
    expect(() => displayPlace(kvm({ bind: '' }), 'c')).toThrow(/vnc_bind_address is empty/);
    expect(() => displayPlace(kvm({ bind: 'eth0' }), 'c')).toThrow(/interface eth0/);
    expect(() => displayPlace(kvm({ port: 0 }), 'c')).toThrow(/not a VNC display/);
  });

  it('relays a display on another node through the cluster SSH, names after --', () => {
    const tcp = displayPlace(kvm(), 'cluster.gnt.test');
    expect(relayArgv(tcp, 'node2.gnt.test', 'cluster.gnt.test')).toEqual([
      'ssh',
      '-oBatchMode=yes',
      '-oStrictHostKeyChecking=yes',
      '-oGlobalKnownHostsFile=/var/lib/ganeti/known_hosts',
      '-oUserKnownHostsFile=/dev/null',
      '-oHostKeyAlias=cluster.gnt.test',
      '-W127.0.0.1:11000',
      '--',
      'node2.gnt.test',
    ]);
    const sock = displayPlace(kvm({ bind: '/run/vnc' }), 'c');
    expect(relayArgv(sock, 'node2.gnt.test', 'c').slice(-3)).toEqual([
      '--',
      'node2.gnt.test',
      'socat - UNIX-CONNECT:/run/vnc/cd-kvm.gnt.test.vnc',
    ]);
    expect(() => relayArgv(tcp, '-oProxyCommand=x', 'c')).toThrow(/not a valid Ganeti node/);
    const odd = { kind: 'socket' as const, path: '/run/a,b:c' };
    expect(() => relayArgv(odd, 'node2.gnt.test', 'c')).toThrow(/not a plain absolute path/);
  });
});
