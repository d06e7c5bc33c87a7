import { describe, expect, it } from 'vitest';
import type { PveClusterSpec } from '../../../shared/pve-cluster';
import { parseCephStatus } from './ceph';
import {
  callView,
  joinFingerprint,
  pveClusterCalls,
  pveClusterPreflight,
  type PveNodeFacts,
} from './cluster-create';

const fact = (i: number, o: Partial<PveNodeFacts> = {}): PveNodeFacts => ({
  hostId: `h${i}`,
  node: `pve${i}`,
  version: '9.1.1',
  guests: 0,
  ip: `10.0.0.${i}`,
  ...o,
});
const spec: PveClusterSpec = {
  name: 'prod',
  hostIds: ['h1', 'h2', 'h3'],
  links: { h1: '10.0.0.1', h2: '10.0.0.2', h3: '10.0.0.3' },
};
const problems = (f: ReturnType<typeof pveClusterPreflight>) =>
  f.filter((x) => x.level === 'problem').map((x) => x.check);

describe('pveClusterPreflight', () => {
  it('passes three fresh nodes of one version that reach the first', () => {
    const f = pveClusterPreflight(spec, [fact(1), fact(2), fact(3)], { h2: true, h3: true });
    expect(problems(f)).toEqual([]);
    expect(f.map((x) => x.check)).toContain('First node reachable');
  });

  it('lets the first node keep its guests but not a joining one', () => {
    expect(
      problems(pveClusterPreflight(spec, [fact(1, { guests: 4 }), fact(2), fact(3)], {})),
    ).toEqual([]);
    const f = pveClusterPreflight(spec, [fact(1), fact(2, { guests: 2 }), fact(3)], {});
    expect(problems(f)).toEqual(['No guests on joining nodes']);
    expect(f.find((x) => x.level === 'problem')?.detail).toMatch(/pve2 has 2/);
  });

  it('finds mixed major versions, twin names, cluster members, missing or shared links, no route', () => {
    const f = pveClusterPreflight(
      { ...spec, links: { h1: '10.0.0.1', h2: '10.0.0.1' } },
      [fact(1, { version: '8.4.1' }), fact(2, { node: 'pve1' }), fact(3, { cluster: 'old' })],
      { h2: true, h3: false },
    );
    expect(problems(f)).toEqual([
      'Proxmox VE version',
      'Node names',
      'Not in a cluster',
      'Corosync links',
      'First node reachable',
    ]);
    expect(f.find((x) => x.check === 'Corosync links')?.detail).toMatch(/No link address for pve3/);
  });

  it('plans create, join info, then one join per node with the password hidden', () => {
    const views = pveClusterCalls(spec, [fact(1), fact(2), fact(3)]).map(callView);
    expect(views.map((v) => v.command)).toEqual([
      'pvesh create /cluster/config --clustername prod --link0 10.0.0.1',
      'pvesh get /cluster/config/join',
      "pvesh create /cluster/config/join --hostname 10.0.0.1 --fingerprint '<pve1'\\''s certificate fingerprint>' --password <hidden> --link0 10.0.0.2",
      "pvesh create /cluster/config/join --hostname 10.0.0.1 --fingerprint '<pve1'\\''s certificate fingerprint>' --password <hidden> --link0 10.0.0.3",
    ]);
    expect(pveClusterCalls({ ...spec, hostIds: ['h1'] }, [fact(1)])).toHaveLength(1);
  });

  it('takes the first node’s fingerprint from its join information', () => {
    const fp = Array.from({ length: 32 }, () => 'AB').join(':');
    expect(joinFingerprint({ nodelist: [{ name: 'pve1', pve_fp: fp }] }, 'pve1')).toBe(fp);
    expect(() => joinFingerprint({ nodelist: [{ name: 'pve2', pve_fp: fp }] }, 'pve1')).toThrow(
      /fingerprint/,
    );
  });
});

describe('parseCephStatus', () => {
  it('reads health, one line per check, monitors, OSD counts (old and new layouts) and pools', () => {
    const s = parseCephStatus(
      {
        health: {
          status: 'HEALTH_WARN',
          checks: { OSD_DOWN: { severity: 'HEALTH_WARN', summary: { message: '1 osds down' } } },
        },
        quorum_names: ['a', 'b'],
        osdmap: { osdmap: { num_osds: 4, num_up_osds: 3, num_in_osds: 4 } },
      },
      [{ pool_name: 'rbd', bytes_used: 10, percent_used: 0.25 }],
      1,
    );
    expect(s).toEqual({
      none: false,
      health: 'HEALTH_WARN',
      problems: [{ check: 'OSD_DOWN', severity: 'HEALTH_WARN', message: '1 osds down' }],
      monitors: ['a', 'b'],
      osds: { total: 4, up: 3, in: 4 },
      pools: [{ name: 'rbd', used: 10, fraction: 0.25 }],
      readAt: 1,
    });
    expect(
      parseCephStatus(
        {
          health: { status: 'HEALTH_OK' },
          osdmap: { num_osds: 2, num_up_osds: 2, num_in_osds: 2 },
        },
        [],
        2,
      ).osds,
    ).toEqual({ total: 2, up: 2, in: 2 });
  });
});
