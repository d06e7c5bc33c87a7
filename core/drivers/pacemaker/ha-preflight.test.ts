import { describe, expect, it } from 'vitest';
import type { HaInstallOffer } from '../../../shared/ha-form';
import type { Host } from '../../../shared/model';
import { haInstallArgv, isPackageExample, parseHaFacts } from './ha-facts';
import { haFindings } from './ha-preflight';

const host = (i: number) =>
  ({ id: `h${i}`, name: `node${i}`, address: `10.0.0.${i}` }) as unknown as Host;

/** A node's answer to the facts script, as a Debian node with everything installed says it. */
const answer = (i: number, over: Partial<Record<string, string>> = {}) =>
  [
    over['os'] ?? 'os debian',
    `hostname ${over['hostname'] ?? `n${i}`}`,
    `time ${over['time'] ?? '1000000000000000'}`,
    ...['corosync', 'corosync-cfgtool', 'corosync-quorumtool', 'pacemakerd', 'crm_mon'].map(
      (t) => `tool ${t} ${over[t] ?? 'yes'}`,
    ),
    ...['crm_attribute', 'cibadmin', 'stonith_admin'].map((t) => `tool ${t} yes`),
    `ra VirtualDomain ${over['ra'] ?? 'yes'}`,
    'fence fence_ipmilan',
    'fence fence_legacy',
    `init ${over['init'] ?? 'systemd'}`,
    over['running'] ?? 'running no',
    ...(
      over['conf'] ??
      'conf yes\nconfline cluster_name: debian\nconfline name: node1\nconfline ring0_addr: 127.0.0.1'
    ).split('\n'),
    'authkey no',
    `cib ${over['cib'] ?? 'no'}`,
    `ring 10.0.0.${i} ${over['ring'] ?? 'local'}`,
    'resolves n1 10.0.0.1',
    'resolves n2 10.0.0.2',
    `resolves n3 ${over['resolves3'] ?? '10.0.0.3'}`,
  ].join('\n');

const nodes = (answers: string[]) =>
  answers.map((a, i) => ({ host: host(i + 1), facts: parseHaFacts(a, 1_000_000_000) }));

describe('HA preflight', () => {
  it('finds nothing in the way on three ready nodes', () => {
    const installs: HaInstallOffer[] = [];
    const f = haFindings(nodes([answer(1), answer(2), answer(3)]), installs);
    expect(f.filter((x) => x.level !== 'ok')).toEqual([]);
    // One line per node and check: packages and corosync, then names, then clocks.
    expect(f.map((x) => x.check)).toEqual([
      'Quorum',
      ...[1, 2, 3].flatMap(() => ['HA packages', 'Corosync']),
      ...Array<string>(3).fill('Host names'),
      'Clocks',
    ]);
    expect(installs).toEqual([]);
  });

  it('names each node and problem, and offers the install command of its distribution', () => {
    const installs: HaInstallOffer[] = [];
    const f = haFindings(
      nodes([
        answer(1, { pacemakerd: 'no', ra: 'no' }),
        answer(2, {
          os: 'os rocky rhel centos fedora',
          corosync: 'no',
          running: 'running yes prod',
          time: '1000009000000000',
        }),
        answer(3, {
          conf: 'conf yes\nconfline cluster_name: old\nconfline name: a\nconfline ring0_addr: 10.1.1.1',
          cib: 'yes',
          ring: 'remote',
          resolves3: '-',
        }),
      ]),
      installs,
    );
    const problems = f.filter((x) => x.level === 'problem').map((x) => x.detail);
    expect(problems).toEqual([
      'node1 lacks pacemaker, resource-agents (the VirtualDomain agent).',
      'node2 lacks corosync.',
      'node2 already runs corosync in the cluster prod.',
      '10.0.0.3 (the address Clusterdeck reaches node3 by) is not an address of node3: corosync binds its ring to it.',
      'node3 is configured for the cluster old (a) in /etc/corosync/corosync.conf.',
      'node3 already keeps a Pacemaker cluster configuration (/var/lib/pacemaker/cib/cib.xml).',
    ]);
    expect(installs).toEqual([
      {
        hostId: 'h1',
        node: 'node1',
        command:
          'env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends corosync pacemaker pacemaker-cli-utils resource-agents fence-agents',
      },
      {
        hostId: 'h2',
        node: 'node2',
        command: 'dnf install -y pacemaker corosync resource-agents fence-agents-all',
      },
    ]);
    const warn = f.filter((x) => x.level === 'warning').map((x) => x.detail);
    expect(warn).toContain('n3 (node3) does not resolve on node3.');
    expect(warn).toContainEqual(
      expect.stringMatching(/^The nodes' clocks differ by 9.0 s: node1 0.0 s, node2 9.0 s/),
    );
  });

  it('explains two nodes and even counts', () => {
    const two = haFindings(nodes([answer(1), answer(2)]), []);
    expect(two[0]).toMatchObject({ check: 'Quorum', level: 'warning' });
    expect(two[0]!.detail).toMatch(/two_node: 1.*race to fence each other.*VM from running twice/);
    const four = haFindings(nodes([answer(1), answer(2), answer(3), answer(4)]), []);
    expect(four[0]!.detail).toMatch(/4 nodes: a split into two halves of 2/);
  });

  it('tells the package example from a cluster, and unknown distributions', () => {
    expect(isPackageExample(parseHaFacts(answer(1), 0).conf)).toBe(true);
    expect(haInstallArgv({ id: 'arch', like: [] })).toBeUndefined();
    expect(haInstallArgv({ id: 'ubuntu', like: ['debian'] })?.[2]).toBe('apt-get');
  });

  it('lets the running members of the named cluster stay (New Cluster again adds nodes)', () => {
    const member = answer(1, { running: 'running yes prod', cib: 'yes' });
    const f = haFindings(nodes([member, answer(2), answer(3)]), [], 'prod');
    expect(f.filter((x) => x.level === 'problem')).toEqual([]);
    expect(f).toContainEqual({
      check: 'Corosync',
      level: 'ok',
      detail: 'node1 already runs prod: it stays as it is, the other nodes join.',
    });
    expect(haFindings(nodes([member, answer(2), answer(3)]), [], 'other')[2]).toMatchObject({
      level: 'problem',
      detail: 'node1 already runs corosync in the cluster prod.',
    });
  });
});
