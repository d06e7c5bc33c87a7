import { describe, expect, it } from 'vitest';
import type { Host, Task } from './model';
import { runningVmJob } from './vm-jobs';

const hosts = {
  a: { id: 'a', name: 'node1' },
  b: { id: 'b', name: 'node2' },
} as unknown as Record<string, Host>;
const task = (over: Partial<Task>): Task =>
  ({
    id: 't',
    title: 'Migrate',
    target: '',
    state: 'running',
    progress: 0,
    startedAt: 0,
    ...over,
  }) as Task;
const job = { kind: 'migration' as const, vmUuid: 'u1', fromHostId: 'a', toHostId: 'b' };

describe('the running job on a VM', () => {
  it('names the other end of a migration from either copy, and nothing once the task ended', () => {
    const t = task({ vmJob: job });
    expect(runningVmJob([t], hosts, { uuid: 'u1', hostId: 'a' })?.words).toBe('Migrating to node2');
    expect(runningVmJob([t], hosts, { uuid: 'u1', hostId: 'b' })?.words).toBe(
      'Migrating from node1',
    );
    expect(runningVmJob([t], hosts, { uuid: 'u2', hostId: 'a' })).toBeUndefined();
    expect(
      runningVmJob([{ ...t, state: 'succeeded' }], hosts, { uuid: 'u1', hostId: 'a' }),
    ).toBeUndefined();
  });

  it("uses a stack's own words when the target is a node of its cluster, not a host", () => {
    const t = task({
      vmJob: { ...job, toHostId: 'a', words: 'Failing over to node2.gnt.test' },
    });
    expect(runningVmJob([t], hosts, { uuid: 'u1', hostId: 'a' })?.words).toBe(
      'Failing over to node2.gnt.test',
    );
  });
});
