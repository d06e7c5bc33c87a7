import { describe, expect, it } from 'vitest';
import { quoteArgv } from '../../ssh/quote';
import { corosyncConf, corosyncConfNodes } from './corosync-conf';
import type { HaMember } from './form';
import { confWithoutNode, haDissolveSteps, haLeaveSteps } from './membership';

const members: HaMember[] = [1, 2, 3].map((i) => ({
  hostId: `h${i}`,
  node: `node${i}`,
  hostname: `n${i}`,
  ring0: `10.0.0.${i}`,
  init: 'systemd',
}));
const conf = corosyncConf({
  clusterName: 'prod',
  nodes: members.map((m, i) => ({ name: m.hostname, nodeid: i + 1, ring0: m.ring0 })),
});

describe('HA membership', () => {
  it('writes corosync.conf without the leaving node, two_node set for two left', () => {
    const next = confWithoutNode(conf, 'n2');
    expect(corosyncConfNodes(next)).toEqual([
      { name: 'n1', ring0: '10.0.0.1' },
      { name: 'n3', ring0: '10.0.0.3' },
    ]);
    expect(next).toContain('provider: corosync_votequorum\n  two_node: 1\n');
    expect(next).toContain('nodeid: 3');
    // A name that is a prefix of another removes only itself.
    expect(corosyncConfNodes(confWithoutNode(conf.replace(/n3/g, 'n1x'), 'n1'))).toHaveLength(2);
  });

  it('stops the leaving node first, reloads the others, then cleans the CIB', () => {
    const steps = haLeaveSteps(members[2]!, true, members.slice(0, 2), conf);
    expect(steps.map((s) => `${s.node}: ${s.title}`)).toEqual([
      'node3: Stop pacemaker and corosync, keep its cluster files aside',
      'node1: Write /etc/corosync/corosync.conf without node3',
      'node2: Write /etc/corosync/corosync.conf without node3',
      'node1: Have corosync on every node reload its configuration',
      "node1: Remove node3 from Pacemaker's node list",
      "node1: Remove node3's fence device, if any",
      'node1: Drop the copy of the old /etc/corosync/corosync.conf',
      'node2: Drop the copy of the old /etc/corosync/corosync.conf',
      'node3: Drop the copies of its cluster files',
    ]);
    expect(steps[1]!.stdin).not.toContain('name: n3');
    expect(quoteArgv(steps[4]!.argv)).toBe('crm_node --force --remove n3');
    expect(steps[0]!.undo?.('', true)?.argv.join(' ')).toContain(
      'systemctl enable --now corosync pacemaker',
    );
    // An unreachable node is not stopped (it is down); its peers still drop it.
    expect(haLeaveSteps(members[2]!, false, members.slice(0, 2), conf)[0]!.node).toBe('node1');
  });

  it('dissolves the cluster on every node', () => {
    const steps = haDissolveSteps(members);
    expect(steps).toHaveLength(3);
    expect(steps[0]!.argv[2]).toMatch(/^systemctl disable --now pacemaker corosync && rm -f/);
  });
});

describe('HA join', () => {
  it('adds the joining nodes with the next nodeids and drops two_node once odd', async () => {
    const { confWithNodes, haJoinSteps } = await import('./grow');
    const two = confWithoutNode(conf, 'n3');
    const back = confWithNodes(two, [{ name: 'n4', ring0: '10.0.0.4' }]);
    expect(corosyncConfNodes(back).map((n) => n.name)).toEqual(['n1', 'n2', 'n4']);
    expect(back).toContain('name: n4\n    nodeid: 3\n');
    expect(back).not.toContain('two_node');
    const steps = haJoinSteps(members.slice(0, 2), [members[2]!], two, 'none');
    expect(steps.map((s) => `${s.node}: ${s.title}`)).toEqual([
      'node1: Read the cluster’s authkey (for the new nodes; never shown or logged)',
      'node3: Write /etc/corosync/corosync.conf',
      'node3: Write /etc/corosync/authkey (mode 0400)',
      'node1: Add node3 to /etc/corosync/corosync.conf',
      'node2: Add node3 to /etc/corosync/corosync.conf',
      'node1: Have corosync on every node reload its configuration',
      'node3: Start corosync and pacemaker (and at boot)',
      'node1: Wait until all 3 nodes have joined, with quorum',
      'node1: Drop the copy of the old /etc/corosync/corosync.conf',
      'node2: Drop the copy of the old /etc/corosync/corosync.conf',
    ]);
    // The key read from node1 goes to node3 on stdin only.
    steps[0]!.onStdout?.('a2V5\n');
    expect(steps[2]!.lateStdin?.()).toBe('a2V5');
    expect(steps[2]!.shownInput).toMatch(/never shown or logged/);
  });
});
