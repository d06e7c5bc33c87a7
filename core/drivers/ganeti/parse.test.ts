import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { instanceOpArgv, onMaster, parseClusterState } from './commands';
import {
  instanceState,
  jobError,
  jobLogLines,
  parseInstances,
  parseNodes,
  parseSubmittedJob,
} from './parse';

// Captured on the Ganeti lab (scripts/lab-ganeti) with commands.ts's argv.
const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');

describe('Ganeti output', () => {
  it('reads gnt-node list with the roles', () => {
    const nodes = parseNodes(fixture('node-list.txt'));
    expect(nodes.map((n) => [n.name, n.role])).toEqual([
      ['node1.gnt.test', 'master'],
      ['node2.gnt.test', 'candidate'],
      ['node3.gnt.test', 'candidate'],
    ]);
    expect(nodes[0]).toMatchObject({ cpus: 2, memoryTotalMiB: 24105 });
    expect(parseNodes('a.x|R|-|-|-\nb.x|D|2|1|1\nc.x|O|?|?|?\n').map((n) => n.role)).toEqual([
      'regular',
      'drained',
      'offline',
    ]);
    expect(() => parseNodes('a.x|R|2\n')).toThrow(/3 fields, not 5/);
  });

  it('reads gnt-instance list: state, placement, template, OS and resources', () => {
    const [big, inst1, inst2] = parseInstances(fixture('instance-list.txt'));
    expect(big).toMatchObject({ name: 'big.gnt.test', status: 'ADMIN_down', state: 'shutoff' });
    expect(inst1).toMatchObject({
      state: 'running',
      primary: 'node1.gnt.test',
      secondaries: [],
      diskTemplate: 'diskless',
      diskSizesMiB: [],
    });
    expect(inst2).toMatchObject({
      uuid: 'e69ac7bb-b762-429c-8b7f-92b2e6d45b00',
      primary: 'node2.gnt.test',
      diskTemplate: 'sharedfile',
      os: 'noop',
      vcpus: 2,
      memoryMiB: 256,
      diskSizesMiB: [1024],
      nics: [{ link: 'br0', mac: 'aa:00:00:49:6b:5d' }],
    });
    const drbd = parseInstances(
      'd.x|u|ERROR_down|n1.x|n2.x,n3.x|drbd|debootstrap|1|512|1024,2048|br0,br1|m1,m2\n',
    );
    expect(drbd[0]).toMatchObject({ state: 'crashed', secondaries: ['n2.x', 'n3.x'] });
    expect(drbd[0]!.nics).toEqual([
      { link: 'br0', mac: 'm1' },
      { link: 'br1', mac: 'm2' },
    ]);
    expect(instanceState('ERROR_nodedown')).toBe('unknown');
    expect(instanceState('USER_down')).toBe('shutoff');
  });

  it('reads the job id of --submit and the error of a failed job', () => {
    expect(parseSubmittedJob('7: inst1.gnt.test\n')).toBe('7');
    expect(parseSubmittedJob('JobID: 13\n')).toBe('13');
    expect(() => parseSubmittedJob('')).toThrow(/No job id/);
    // gnt-job watch 11 on the lab: a startup refused for memory.
    const err =
      'Job 11 failed: Failure: prerequisites not met for this operation:\nerror type: insufficient_resources, error details:\nNot enough memory on node node3.gnt.test for starting instance big.gnt.test: needed 60000 MiB, available 23047 MiB\n';
    expect(jobError(err)).toMatch(/^Job 11 failed: .* Not enough memory on node node3/);
    expect(
      jobLogLines(
        'Output from job 9 follows\n-------------------------\nMon Nov 30 19:05:51 2026  - INFO: Instance inst1 was already stopped, starting now\n',
      ),
    ).toEqual([
      'Mon Nov 30 19:05:51 2026  - INFO: Instance inst1 was already stopped, starting now',
    ]);
  });
});

describe('Ganeti commands', () => {
  const state = parseClusterState(
    'cluster:cluster.gnt.test\nmaster:node1.gnt.test\nself:node2.gnt.test\nqueue:21\nconfig:2026-11-30 19:06:00.1 +0000\n',
  );

  it('reads the cluster state and stamps it by the queue and the config', () => {
    expect(state).toMatchObject({ cluster: 'cluster.gnt.test', master: 'node1.gnt.test' });
    expect(state.stamp).toBe('21/2026-11-30 19:06:00.1 +0000');
    expect(() => parseClusterState('self:x\n')).toThrow(/no Ganeti cluster/);
  });

  it('reaches the master over SSH with Ganeti own known_hosts when not on it', () => {
    const argv = onMaster(['gnt-job', 'watch', '--', '7'], state);
    expect(argv.slice(-3)).toEqual(['--', 'node1.gnt.test', 'gnt-job watch -- 7']);
    expect(argv).toContain('-oHostKeyAlias=cluster.gnt.test');
    expect(onMaster(['gnt-job', 'list'], { ...state, self: 'node1.gnt.test' })).toEqual([
      'gnt-job',
      'list',
    ]);
  });

  it('submits instance operations with the name after -- and checks it', () => {
    expect(instanceOpArgv('shutdown', 'web1.example.org', { shutdownTimeout: 30 })).toEqual([
      'gnt-instance',
      'shutdown',
      '--submit',
      '--timeout=30',
      '--',
      'web1.example.org',
    ]);
    expect(instanceOpArgv('remove', 'a', { shutdownTimeout: 0 })).toContain('--force');
    for (const bad of ['-rf', 'a b', 'a;reboot', '$(x)', '', 'a..b'])
      expect(() => instanceOpArgv('start', bad)).toThrow(/not a valid Ganeti instance name/);
  });
});
