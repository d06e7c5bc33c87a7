// Who takes what back when a node leaves: the plan alone, no node needed.
import { describe, expect, it } from 'vitest';
import type { Host } from '../../../../shared/model';
import { memberClashes, untrustPlan, type ClusterMember } from './plan';

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

describe('memberClashes', () => {
  it('refuses two nodes that would share a key comment or an ssh alias', () => {
    const a = { ...member(1), host: { ...member(1).host, name: 'node-1' } };
    const b = { ...member(2), host: { ...member(2).host, name: 'node/1' } };
    const c = { ...member(3), host: { ...member(3).host, address: '192.0.2.1', port: 2222 } };
    expect(memberClashes([a, member(2)])).toEqual([]);
    expect(memberClashes([a, b, c])).toEqual([
      'node-1 and node/1 would both be clusterdeck-cluster@node-1 on the nodes.',
      'node-1 and node3 would both be clusterdeck-192.0.2.1 on the nodes.',
    ]);
  });
});
