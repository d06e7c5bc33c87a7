import { describe, expect, it } from 'vitest';
import { guestInfoSchema } from '../../../shared/guest';
import { parseGuestInfo } from './guest-agent';

const answered = `@@guestinfo
os.pretty-name      : Lab Linux (busybox, Debian 12 kernel)
os.kernel-release   : 6.1.0-57-cloud-amd64
hostname            : lab-linux
@@rc 0
@@ifaddr
 lo         00:00:00:00:00:00    ipv4         127.0.0.1/8
 lo         00:00:00:00:00:00    ipv6         ::1/128
 eth0       52:54:00:aa:bb:cc    N/A          N/A
@@rc 0
@@uptime
{"return":{"count":11,"buf-b64":"MTUuNjYgOS43OQo=","eof":true}}
@@rc 0
`;

describe('parseGuestInfo', () => {
  it('reads what the agent answered', () => {
    const info = guestInfoSchema.parse(parseGuestInfo(answered));
    expect(info).toEqual({
      agent: 'running',
      reason: '',
      os: 'Lab Linux (busybox, Debian 12 kernel)',
      kernel: '6.1.0-57-cloud-amd64',
      hostname: 'lab-linux',
      interfaces: [
        { name: 'lo', mac: '00:00:00:00:00:00', addresses: ['127.0.0.1/8', '::1/128'] },
        { name: 'eth0', mac: '52:54:00:aa:bb:cc', addresses: [] },
      ],
      uptimeSeconds: 15,
    });
  });

  it('tells a VM without an agent channel from an agent that does not answer', () => {
    const none = parseGuestInfo(
      '@@guestinfo\nerror: argument unsupported: QEMU guest agent is not configured\n@@rc 1\n',
    );
    expect(none).toMatchObject({ agent: 'not-configured', interfaces: [] });
    expect(none.reason).toBe('argument unsupported: QEMU guest agent is not configured');
    const silent = parseGuestInfo(
      '@@guestinfo\nerror: Guest agent is not responding: QEMU guest agent is not connected\n@@rc 1\n',
    );
    expect(silent.agent).toBe('not-running');
    expect(parseGuestInfo('@@guestinfo\n@@rc 124\n').reason).toBe(
      'The guest agent did not answer within 4 s.',
    );
  });

  it('leaves the uptime out when the agent refuses file reads', () => {
    const refused = answered.replace(
      /\{"return".*\n@@rc 0\n$/,
      'error: command disabled\n@@rc 1\n',
    );
    expect(parseGuestInfo(refused).uptimeSeconds).toBeUndefined();
  });
});
