import { describe, expect, it } from 'vitest';
import { quoteArgv } from '../../ssh/quote';
import { haFormSteps, recordingUndo, startArgv, type HaMember } from './form';

const members: HaMember[] = [1, 2, 3].map((i) => ({
  hostId: `h${i}`,
  node: `node${i}`,
  hostname: `n${i}`,
  ring0: `10.0.0.${i}`,
  init: 'systemd',
}));
const devices = new Map(
  members.map((m) => [
    m.hostId,
    {
      agent: 'fence_ipmilan',
      params: { ip: `bmc-${m.node}`, username: 'admin', password: 's3cret' },
    },
  ]),
);
const line = (s: { node: string; title: string }) => `${s.node}: ${s.title}`;

describe('HA form steps', () => {
  it('writes the files on every node, starts, waits, then fences and sets the properties', () => {
    const steps = haFormSteps('prod', members, { tokenMs: 5000 }, devices);
    expect(steps.map(line)).toEqual([
      ...members.flatMap((m) => [
        `${m.node}: Write /etc/corosync/corosync.conf`,
        `${m.node}: Write /etc/corosync/authkey (mode 0400)`,
      ]),
      ...members.map((m) => `${m.node}: Start corosync and pacemaker (and at boot)`),
      'node1: Wait until all 3 nodes have joined, with quorum',
      ...members.flatMap((m) => [
        `node1: Add the fence device of ${m.node} (fence_ipmilan) to the cluster configuration`,
        `node1: Keep ${m.node}'s fence device off ${m.node} itself`,
      ]),
      'node1: Turn fencing on (stonith-enabled=true)',
      'node1: Stop resources in a partition without quorum (no-quorum-policy=stop)',
      'node1: A fenced node stops its cluster stack, never reboots the machine (fence-reaction=stop)',
      'node1: Keep VMs where they run (resource-stickiness=100)',
    ]);
    expect(quoteArgv(steps[6]!.argv)).toBe('systemctl enable --now corosync pacemaker');
    expect(steps[0]!.stdin).toContain('ring0_addr: 10.0.0.3');
    expect(steps[0]!.stdin).toContain('token: 5000');
  });

  it('keeps the authkey and passwords out of what is shown, and sends one key to every node', () => {
    const steps = haFormSteps('prod', members, {}, devices);
    const keys = steps.filter((s) => s.title.includes('authkey'));
    const sent = keys.map((s) => s.lateStdin!());
    expect(new Set(sent).size).toBe(1);
    expect(Buffer.from(sent[0]!, 'base64')).toHaveLength(256);
    for (const s of steps) {
      expect(quoteArgv(s.argv)).not.toContain('s3cret');
      expect(s.shownInput ?? s.stdin ?? '').not.toContain('s3cret');
      expect(s.shownInput ?? s.stdin ?? '').not.toContain(sent[0]);
    }
    const device = steps.find((s) => s.title.startsWith('Add the fence device of node2'))!;
    expect(device.shownInput).toContain('name="password" value="(hidden)"');
    expect(device.lateStdin!()).toContain('name="password" value="s3cret"');
    expect(device.lateStdin!()).toContain('name="pcmk_host_list" value="n2"');
    expect(quoteArgv(device.argv)).toBe('cibadmin --create --scope resources --xml-pipe');
  });

  it('turns fencing off only when "No fencing" was chosen', () => {
    const steps = haFormSteps('prod', members, {}, 'none');
    expect(steps.some((s) => s.title.includes('fence device'))).toBe(false);
    expect(steps.find((s) => s.title.includes('stonith-enabled'))!.argv).toEqual([
      'crm_attribute',
      '--type',
      'crm_config',
      '--name',
      'stonith-enabled',
      '--update',
      'false',
    ]);
  });

  it('undoes in reverse: daemons stopped on every node before its files are put back', () => {
    const { steps, undo } = recordingUndo(haFormSteps('prod', members, {}, devices));
    for (const s of steps) s.onStdout?.('');
    expect(undo().map(line)).toEqual([
      ...[...members]
        .reverse()
        .map(
          (m) =>
            `${m.node}: Stop pacemaker and corosync, remove the cluster configuration Pacemaker kept`,
        ),
      ...[...members]
        .reverse()
        .flatMap((m) => [
          `${m.node}: Put back /etc/corosync/authkey as it was`,
          `${m.node}: Put back /etc/corosync/corosync.conf as it was`,
        ]),
    ]);
    expect(quoteArgv(undo()[0]!.argv)).toContain('systemctl disable --now pacemaker corosync');
  });

  it('undoes only what ran', () => {
    const { steps, undo } = recordingUndo(haFormSteps('prod', members, {}, 'none'));
    steps[0]!.onStdout?.('');
    expect(undo().map(line)).toEqual(['node1: Put back /etc/corosync/corosync.conf as it was']);
  });

  it('starts the daemons the way the init does', () => {
    expect(startArgv('openrc').join(' ')).toMatch(/rc-update add corosync default/);
    expect(startArgv('sysv').join(' ')).toMatch(
      /service corosync start && service pacemaker start/,
    );
  });
});
