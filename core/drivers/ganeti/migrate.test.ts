import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  drainArgv,
  ganetiRefusal,
  moveArgv,
  moveOptions,
  parseChildJobs,
  parseJobSummaries,
  parseMoveInstance,
  parseMoveNodes,
  type MoveInstance,
  type MoveNode,
} from './migrate';

// Captured on the Ganeti lab (scripts/lab-ganeti) with migrate.ts's argv.
const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');
const instances = fixture('move-instances.txt').trim().split('\n');
const nodes = parseMoveNodes(fixture('move-nodes.txt'));
const option = (i: MoveInstance, n: readonly MoveNode[], how: string) =>
  moveOptions(i, n).find((o) => o.how === how)!;

describe('Ganeti moves', () => {
  it('reads the instance and node lists the options are made from', () => {
    expect(parseMoveInstance(instances[1]!)).toEqual({
      name: 't-sf.gnt.test',
      status: 'running',
      adminUp: true,
      primary: 'node1.gnt.test',
      secondaries: [],
      template: 'sharedfile',
      minMemMiB: 128,
      maxMemMiB: 128,
    });
    expect(nodes.map((n) => [n.name, n.offline, n.drained, n.vmCapable])).toEqual([
      ['node1.gnt.test', false, false, true],
      ['node2.gnt.test', false, false, true],
      ['node3.gnt.test', false, false, true],
    ]);
    expect(nodes[0]!.freeMiB).toBeGreaterThan(1000);
  });

  it('offers migrate and failover for a running sharedfile instance, not move', () => {
    const sf = parseMoveInstance(instances[1]!);
    const live = option(sf, nodes, 'live');
    expect(live.refused).toBeUndefined();
    expect(live.targets).toEqual([{ node: 'node2.gnt.test' }, { node: 'node3.gnt.test' }]);
    expect(option(sf, nodes, 'failover').refused).toBeUndefined();
    expect(option(sf, nodes, 'move').refused).toMatch(/sharedfile cannot be copied/);
  });

  it('offers only move for a file instance, and failover (not migrate) for a stopped one', () => {
    const file = parseMoveInstance(instances[0]!);
    expect(option(file, nodes, 'live').refused).toMatch(/file does not allow migrations/);
    expect(option(file, nodes, 'failover').refused).toMatch(/does not allow failovers/);
    expect(option(file, nodes, 'move').refused).toBeUndefined();
    const stopped = { ...parseMoveInstance(instances[1]!), status: 'ADMIN_down', adminUp: false };
    expect(option(stopped, nodes, 'non-live').refused).toMatch(/not running .*use failover/);
    expect(option(stopped, nodes, 'failover').refused).toBeUndefined();
  });

  it('refuses offline, drained and short-of-memory nodes with the reason', () => {
    const sf = { ...parseMoveInstance(instances[1]!), minMemMiB: 100_000, maxMemMiB: 100_000 };
    const n = nodes.map((x) =>
      x.name === 'node2.gnt.test' ? { ...x, drained: true } : { ...x, freeMiB: 22_000 },
    );
    const live = option(sf, n, 'live');
    expect(live.targets).toEqual([
      { node: 'node2.gnt.test', refused: 'node2.gnt.test is drained' },
      {
        node: 'node3.gnt.test',
        refused: 'node3.gnt.test has 22000 MiB free, the instance needs 100000 MiB',
      },
    ]);
    expect(live.refused).toMatch(/No node can take it now/);
    // A stopped instance's failover needs no memory on the target.
    const off = option({ ...sf, status: 'ADMIN_down', adminUp: false }, n, 'failover');
    expect(off.targets[1]).toEqual({ node: 'node3.gnt.test' });
    expect(option(sf, [{ ...n[2]!, offline: true }], 'failover').targets).toEqual([
      { node: 'node3.gnt.test', refused: 'node3.gnt.test is offline' },
    ]);
  });

  it('moves a DRBD instance to its secondary only', () => {
    const drbd: MoveInstance = {
      ...parseMoveInstance(instances[1]!),
      template: 'drbd',
      secondaries: ['node3.gnt.test'],
    };
    const live = option(drbd, nodes, 'live');
    expect(live.fixedTarget).toBe(true);
    expect(live.targets).toEqual([{ node: 'node3.gnt.test' }]);
    expect(moveArgv(drbd.name, 'live', undefined)).toEqual([
      'gnt-instance',
      'migrate',
      '--submit',
      '-f',
      '--migration-mode=live',
      '--',
      't-sf.gnt.test',
    ]);
  });

  it('builds each command with names as option values', () => {
    expect(moveArgv('a.example', 'non-live', 'n3.example', true)).toEqual([
      'gnt-instance',
      'migrate',
      '--dry-run',
      '-f',
      '--non-live',
      '--target-node=n3.example',
      '--',
      'a.example',
    ]);
    expect(moveArgv('a.example', 'move', 'n3.example')).toContain('--node=n3.example');
    expect(moveArgv('a.example', 'failover', 'n2')).toContain('--target-node=n2');
    expect(() => moveArgv('a.example', 'move', '-rf')).toThrow(/not a valid Ganeti node name/);
    expect(drainArgv('n2', false)).toEqual([
      'gnt-node',
      'modify',
      '--submit',
      '--drained=no',
      '--auto-promote',
      '--',
      'n2',
    ]);
  });

  it("reads Ganeti's refusal, the jobs gnt-node migrate submitted and their instances", () => {
    expect(ganetiRefusal(fixture('dry-run-refused.txt'))).toBe(
      'Instance disk 0 has disk type sharedfile and is not suitable for copying',
    );
    expect(ganetiRefusal('Some other failure')).toBe('Some other failure');
    expect(parseChildJobs(fixture('node-migrate-result.txt'))).toEqual(['47', '48']);
    expect(parseChildJobs("[{'jobs': [[False, 'error'], [True, 9]]}]")).toEqual(['9']);
    expect([...parseJobSummaries(fixture('job-summaries.txt'))]).toEqual([
      ['51', 't-file.gnt.test'],
      ['52', 't-sf.gnt.test'],
    ]);
  });
});
