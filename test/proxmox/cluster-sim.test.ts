// New Cluster, Remove node and the Ceph status of the Proxmox VE driver
// against the simulator: three bare nodes (each its own state, its own
// certificate) reached by the real API client with each certificate pinned,
// a local TCP connection standing in for the SSH-forwarded channel.
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PveApiClient } from '../../core/drivers/proxmox/api-client';
import { readCephStatus } from '../../core/drivers/proxmox/ceph';
import {
  pveClusterCalls,
  pveClusterPreflight,
  readNodeFacts,
  removePveNode,
  runPveCluster,
} from '../../core/drivers/proxmox/cluster-create';
import { startBareNet } from '../pve-sim/net';
import { PVE_VERSIONS, pveSchemasOrSkip } from '../pve-sim/schema';
import { startPveSim } from '../pve-sim/server';
import { seedCluster } from '../pve-sim/state';
import { taskContext, tunnelTo } from './sim-driver';

const haveSchemas = pveSchemasOrSkip('proxmox cluster');
const token = { tokenId: 'root@pam!clusterdeck', secret: '4a2b6c8d-1e3f-4a5b-9c7d-0e1f2a3b4c5d' };
const PASSWORD = 'correct horse';

let cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

function client(node: { name: string; port: number; fingerprint: string }): PveApiClient {
  const sockets: Socket[] = [];
  const c = new PveApiClient({
    node: node.name,
    fingerprint: node.fingerprint,
    token,
    openTunnel: tunnelTo(node.port, sockets),
  });
  cleanup.push(() => {
    c.close();
    for (const s of sockets) s.destroy();
  });
  return c;
}

describe.skipIf(!haveSchemas).each(PVE_VERSIONS)(
  'Proxmox VE New Cluster (%s simulator)',
  (version) => {
    it('makes a cluster of three bare nodes, refuses a join with guests, removes a node', async () => {
      const lab = await startBareNet(3, { version, rootPassword: PASSWORD, taskStepMs: 5 });
      cleanup.push(lab.close);
      lab.bare.tokens[token.tokenId] = token.secret;
      const apis = new Map(lab.nodes.map((n, i) => [`h${i + 1}`, client(n)]));
      const api = (id: string) => apis.get(id)!;
      const links = { h1: '192.0.2.11', h2: '192.0.2.12', h3: '192.0.2.13' };

      // A guest on pve3: the preflight says so, and PVE itself refuses the join.
      const t0 = taskContext();
      await api('h3').create('/nodes/pve3/qemu', { vmid: 150, name: 'stray' });
      await new Promise((r) => setTimeout(r, 100));
      const spec = { name: 'lab', hostIds: ['h1', 'h2', 'h3'], links };
      let facts = await Promise.all(spec.hostIds.map((id) => readNodeFacts(id, api(id))));
      expect(facts.map((f) => [f.node, f.guests, f.cluster])).toEqual([
        ['pve1', 0, undefined],
        ['pve2', 0, undefined],
        ['pve3', 1, undefined],
      ]);
      const findings = pveClusterPreflight(spec, facts, { h2: true, h3: true });
      expect(findings.filter((f) => f.level === 'problem').map((f) => f.check)).toEqual([
        'No guests on joining nodes',
      ]);
      // Run anyway (as if the guest came after the preflight): PVE's refusal is the task's error.
      const refused = pveClusterCalls(spec, facts);
      const err = (await runPveCluster(refused, api, PASSWORD, t0.ctx, 5).catch(
        (e: unknown) => e,
      )) as Error & {
        joined: string[];
      };
      expect(err.message).toMatch(
        /pve3: `pvesh create \/cluster\/config\/join .*--password <hidden>.*` failed: Check if node may join a cluster failed!/,
      );
      expect(err.joined).toEqual(['pve2']);
      expect(t0.details).toContain('pve3: * this host already contains virtual guests');
      // The secret is nowhere in what the task keeps.
      expect(JSON.stringify([t0.records, t0.details, err.message])).not.toContain(PASSWORD);
      expect(t0.states.at(-1)).toBe('3:failed');

      // Undo of the join that succeeded: removed from the first node.
      const t1 = taskContext();
      await removePveNode(api('h1'), 'pve2', t1.ctx);
      expect(t1.records.map((r) => r.command)).toEqual(['pvesh delete /cluster/config/nodes/pve2']);
      await expect(removePveNode(api('h1'), 'pve1', t1.ctx)).rejects.toThrow(
        /cannot remove itself/,
      );

      // Clear pve3, then all three nodes: create on the first (already done), joins.
      await api('h3').delete('/nodes/pve3/qemu/150');
      await new Promise((r) => setTimeout(r, 100));
      facts = await Promise.all(spec.hostIds.map((id) => readNodeFacts(id, api(id))));
      expect(facts[0]!.cluster).toBe('lab');
      const joins = pveClusterCalls(spec, facts).slice(1);
      const t2 = taskContext();
      expect(await runPveCluster(joins, api, PASSWORD, t2.ctx, 5)).toEqual(['pve2', 'pve3']);
      const status = (await api('h3').get('/cluster/status')) as Record<string, unknown>[];
      expect(status[0]).toMatchObject({ type: 'cluster', name: 'lab', nodes: 3, quorate: 1 });
      expect(status.filter((r) => r.type === 'node').map((r) => [r.name, r.ip])).toEqual([
        ['pve1', '192.0.2.11'],
        ['pve2', '192.0.2.12'],
        ['pve3', '192.0.2.13'],
      ]);

      // Remove node: refused while it has guests.
      await api('h1').create('/nodes/pve3/qemu', { vmid: 151, name: 'busy' });
      await new Promise((r) => setTimeout(r, 100));
      await expect(removePveNode(api('h1'), 'pve3', taskContext().ctx)).rejects.toThrow(
        /pve3 still has 1 VM/,
      );
      expect(lab.bare.violations).toEqual([]);
    });
  },
);

describe.skipIf(!haveSchemas).each(PVE_VERSIONS)(
  'Proxmox VE Ceph status (%s simulator)',
  (version) => {
    it('reads HEALTH_WARN with its checks, and nothing where there is no Ceph', async () => {
      const tokens = { [token.tokenId]: token.secret };
      const warn = await startPveSim({ version, tokens, state: seedCluster({ ceph: 'warn' }) });
      cleanup.push(() => warn.close());
      const s = await readCephStatus(
        client({ name: 'pve1', port: warn.port, fingerprint: warn.fingerprint }),
        'pve1',
      );
      expect(s).toMatchObject({
        none: false,
        health: 'HEALTH_WARN',
        monitors: ['pve1', 'pve2', 'pve3'],
        osds: { total: 6, up: 5, in: 6 },
      });
      if (s.none) throw new Error('no ceph');
      expect(s.problems.map((p) => p.message)).toContain('1 osds down');
      expect(s.pools.map((p) => p.name)).toEqual(['.mgr', 'ceph-vm']);
      const none = await startPveSim({ version, tokens });
      cleanup.push(() => none.close());
      expect(
        await readCephStatus(
          client({ name: 'pve1', port: none.port, fingerprint: none.fingerprint }),
          'pve1',
        ),
      ).toEqual({ none: true });
    });
  },
);
