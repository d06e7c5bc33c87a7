// Who takes what back when a node leaves: the plan alone, no node needed.
import { describe, expect, it } from 'vitest';
import type { Host } from '../../../shared/model';
import { untrustPlan, type ClusterMember } from './plan';

const member = (n: number, state: Host['state'] = 'connected'): ClusterMember => ({
  host: {
    id: `h${n}`,
    name: `node${n}`,
    address: `192.0.2.${n}`,
    port: 22,
    user: 'root',
    auth: 'agent',
    state,
  },
  hostKeyLines: [`192.0.2.${n} ssh-ed25519 HK${n}`],
});

describe('untrustPlan', () => {
  it('revokes a node that is down on its peers, and runs nothing on it', () => {
    const down = member(3, 'disconnected');
    const steps = untrustPlan([down], [member(1), member(2)], (m) => m.host.state === 'connected');
    expect(steps.map((s) => `${s.node}: ${s.title}`)).toEqual([
      'node1: Take back the trust of node3',
      'node2: Take back the trust of node3',
      'node1: Set how it reaches node2 (~/.ssh/config)',
      'node2: Set how it reaches node1 (~/.ssh/config)',
    ]);
    expect(steps[0]!.stdin).toBe(
      'C clusterdeck-cluster@node3\nC clusterdeck@node3\nK 192.0.2.3 ssh-ed25519 HK3\n',
    );
    expect(steps[2]!.stdin).toContain('Host clusterdeck-192.0.2.2\n  HostName 192.0.2.2\n');
    expect(steps[2]!.stdin).not.toContain('192.0.2.3');
  });

  it('removes a whole cluster: every grant first, every key last', () => {
    const all = [member(1), member(2)];
    const steps = untrustPlan(all, [], () => true);
    expect(steps.map((s) => `${s.node}: ${s.title}`)).toEqual([
      'node1: Take back the trust of node2',
      'node2: Take back the trust of node1',
      'node1: Remove its cluster section from ~/.ssh/config',
      'node2: Remove its cluster section from ~/.ssh/config',
      'node1: Delete its cluster SSH key',
      'node2: Delete its cluster SSH key',
    ]);
    expect(steps.at(-1)!.undo).toBeUndefined();
  });
});
