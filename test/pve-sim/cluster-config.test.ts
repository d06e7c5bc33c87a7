// The simulator's cluster making (create, join info, join, node removal) and
// the cluster's Ceph status, over HTTPS as a client sees them, every request
// and answer checked against the pinned schema.
import { afterEach, describe, expect, it } from 'vitest';
import { pveCall, taskEnded } from './client';
import { startBareNet, type RunningBareNode } from './net';
import { PVE_VERSIONS, pveSchemasOrSkip } from './schema';
import { startPveSim } from './server';
import { seedCluster } from './state';

const haveSchemas = pveSchemasOrSkip('pve-sim cluster config');
const tokenId = 'root@pam!clusterdeck';
const secret = '4a2b6c8d-1e3f-4a5b-9c7d-0e1f2a3b4c5d';
const token = `${tokenId}=${secret}`;

let closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers) await c();
  closers = [];
});

type Node = RunningBareNode;
const call = (
  n: Node,
  method: string,
  path: string,
  params: Record<string, string | number> = {},
) => pveCall(n, method, path, params, { token });

const task = (n: Node, upid: string) =>
  taskEnded((method, path, params) => call(n, method, path, params), n.name, upid);

async function worker(n: Node, path: string, params: Record<string, string | number>) {
  const r = await call(n, 'POST', path, params);
  expect(r.body.message ?? '').toBe('');
  expect(r.status).toBe(200);
  return task(n, r.body.data as string);
}

describe.skipIf(!haveSchemas).each(PVE_VERSIONS)('%s: a cluster of bare nodes', (version) => {
  it('creates, refuses bad joins as PVE does, joins and removes a node', async () => {
    const lab = await startBareNet(3, { version, rootPassword: 's3cret' });
    closers.push(lab.close);
    lab.bare.tokens[tokenId] = secret;
    const [pve1, pve2, pve3] = lab.nodes as [Node, Node, Node];

    // In no cluster: only the node itself, and no join info.
    const alone = await call(pve2, 'GET', '/cluster/status');
    expect(alone.body.data).toEqual([
      expect.objectContaining({ type: 'node', name: 'pve2', nodeid: 0, local: 1 }),
    ]);
    expect((await call(pve1, 'GET', '/cluster/config/join')).body.message).toMatch(
      /not in a cluster/,
    );

    const made = await worker(pve1, '/cluster/config', { clustername: 'lab', link0: '192.0.2.11' });
    expect(made.exit).toBe('OK');
    expect(made.log).toContain('Writing corosync config to /etc/pve/corosync.conf');
    const again = await call(pve1, 'POST', '/cluster/config', { clustername: 'other' });
    expect(again.status).toBe(500);
    expect(again.body.message).toMatch(/already exists/);

    const info = (await call(pve1, 'GET', '/cluster/config/join')).body.data as {
      nodelist: { name: string; pve_fp: string; pve_addr: string }[];
      totem: { cluster_name: string };
    };
    expect(info.totem.cluster_name).toBe('lab');
    expect(info.nodelist).toEqual([
      expect.objectContaining({ name: 'pve1', pve_fp: pve1.fingerprint, pve_addr: '192.0.2.11' }),
    ]);
    const joinParams = {
      hostname: '192.0.2.11',
      fingerprint: pve1.fingerprint,
      password: 's3cret',
    };

    const wrongPassword = await worker(pve2, '/cluster/config/join', {
      ...joinParams,
      password: 'nope',
    });
    expect(wrongPassword.exit).toBe('401 authentication failure');
    const wrongFp = await worker(pve2, '/cluster/config/join', {
      ...joinParams,
      fingerprint: pve2.fingerprint,
    });
    expect(wrongFp.exit).toMatch(/certificate verify failed/);

    // A guest on the joining node: refused before anything is changed.
    const vm = await worker(pve3, '/nodes/pve3/qemu', { vmid: 150, name: 'stray', memory: 512 });
    expect(vm.exit).toBe('OK');
    const guests = await worker(pve3, '/cluster/config/join', joinParams);
    expect(guests.exit).toBe('Check if node may join a cluster failed!');
    expect(guests.log).toContain('* this host already contains virtual guests');

    const joined = await worker(pve2, '/cluster/config/join', {
      ...joinParams,
      link0: '192.0.2.12',
    });
    expect(joined.exit).toBe('OK');
    expect(joined.log).toContain("successfully added node 'pve2' to cluster.");
    const seen = (await call(pve2, 'GET', '/cluster/status')).body.data as Record<
      string,
      unknown
    >[];
    expect(seen[0]).toMatchObject({ type: 'cluster', name: 'lab', nodes: 2, quorate: 1 });
    expect(seen.find((r) => r.name === 'pve2')).toMatchObject({
      local: 1,
      nodeid: 2,
      ip: '192.0.2.12',
    });
    expect((await call(pve1, 'GET', '/cluster/config/nodes')).body.data).toEqual([
      { node: 'pve1' },
      { node: 'pve2' },
    ]);
    const twice = await worker(pve2, '/cluster/config/join', joinParams);
    expect(twice.log).toContain("* cluster config '/etc/pve/corosync.conf' already exists");

    expect((await call(pve1, 'DELETE', '/cluster/config/nodes/pve1')).body.message).toBe(
      'Cannot delete myself from cluster!\n',
    );
    const del = await call(pve1, 'DELETE', '/cluster/config/nodes/pve2');
    expect(del.status).toBe(200);
    expect((await call(pve1, 'GET', '/cluster/config/nodes')).body.data).toEqual([
      { node: 'pve1' },
    ]);
    // The lab separates the removed node: alone again.
    expect(((await call(pve2, 'GET', '/cluster/status')).body.data as unknown[]).length).toBe(1);
    expect(lab.bare.violations).toEqual([]);
  });
});

describe.skipIf(!haveSchemas).each(PVE_VERSIONS)('%s: the cluster Ceph status', (version) => {
  it('reports health, checks, monitors, OSDs and pools; no Ceph is an error', async () => {
    const warn = await startPveSim({
      version,
      tokens: { [tokenId]: secret },
      state: seedCluster({ ceph: 'warn' }),
    });
    closers.push(warn.close);
    const s = (await pveCall(warn, 'GET', '/cluster/ceph/status', {}, { token })).body.data as {
      health: { status: string; checks: Record<string, { summary: { message: string } }> };
      osdmap: { num_osds: number; num_up_osds: number };
      quorum_names: string[];
    };
    expect(s.health.status).toBe('HEALTH_WARN');
    expect(s.health.checks.OSD_DOWN?.summary.message).toBe('1 osds down');
    expect(s.osdmap).toMatchObject({ num_osds: 6, num_up_osds: 5 });
    expect(s.quorum_names).toEqual(['pve1', 'pve2', 'pve3']);
    const pools = (await pveCall(warn, 'GET', '/nodes/pve1/ceph/pool', {}, { token })).body
      .data as { pool_name: string }[];
    expect(pools.map((p) => p.pool_name)).toEqual(['.mgr', 'ceph-vm']);
    expect(warn.violations).toEqual([]);

    const none = await startPveSim({ version, tokens: { [tokenId]: secret } });
    closers.push(none.close);
    const r = await pveCall(none, 'GET', '/cluster/ceph/status', {}, { token });
    expect(r.status).toBe(500);
    expect(r.body.message).toMatch(/not installed/);
  });
});
