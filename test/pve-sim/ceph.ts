// The cluster's Ceph as PVE's API reports it: `GET /cluster/ceph/status` is
// `ceph status --format json` (health with its checks, monitors in quorum,
// OSD counts, PG map), `GET /nodes/{node}/ceph/pool` the pools with their
// usage. A cluster without Ceph answers as a node without the packages does.
import { PveError, requireNode, type Ctx, type Handler } from './context';
import type { CephState } from './state';

export const NO_CEPH = 'binary not installed: /usr/bin/ceph-mon\n';

function cephOf(ctx: Ctx): CephState {
  const ceph = ctx.sim.state.ceph;
  if (!ceph) throw new PveError(500, NO_CEPH);
  return ceph;
}

function status(ctx: Ctx): Record<string, unknown> {
  const ceph = cephOf(ctx);
  const up = ceph.osds.filter((o) => o.up).length;
  const used = ceph.pools.reduce((a, p) => a + p.used * p.size, 0);
  const now = Math.floor(Date.now() / 1000);
  return {
    fsid: ceph.fsid,
    health: {
      status: ceph.health,
      checks: Object.fromEntries(
        Object.entries(ceph.checks).map(([k, c]) => [
          k,
          { severity: c.severity, summary: { message: c.message, count: c.count }, muted: false },
        ]),
      ),
      mutes: [],
    },
    election_epoch: 12,
    quorum: ceph.mons.map((_, i) => i),
    quorum_names: ceph.mons,
    quorum_age: 86_213,
    monmap: { epoch: 3, min_mon_release_name: 'squid', num_mons: ceph.mons.length },
    osdmap: {
      epoch: 211,
      num_osds: ceph.osds.length,
      num_up_osds: up,
      osd_up_since: now - 3600,
      num_in_osds: ceph.osds.filter((o) => o.in).length,
      osd_in_since: now - 86_000,
      num_remapped_pgs: 0,
    },
    pgmap: {
      pgs_by_state: [
        { state_name: 'active+clean', count: ceph.pools.reduce((a, p) => a + p.pgs, 0) },
      ],
      num_pgs: ceph.pools.reduce((a, p) => a + p.pgs, 0),
      num_pools: ceph.pools.length,
      num_objects: 1122,
      data_bytes: ceph.pools.reduce((a, p) => a + p.used, 0),
      bytes_used: used,
      bytes_avail: ceph.total - used,
      bytes_total: ceph.total,
    },
    fsmap: { epoch: 1, by_rank: [], up: 0, in: 0, max: 0 },
    mgrmap: { available: true, num_standbys: Math.max(0, ceph.mons.length - 1), modules: [] },
    servicemap: { epoch: 40, modified: new Date().toISOString(), services: {} },
  };
}

export const cephRoutes: Record<string, Handler> = {
  'GET /cluster/ceph/status': status,
  'GET /nodes/{node}/ceph/status': (ctx) => {
    requireNode(ctx);
    return status(ctx);
  },
  'GET /nodes/{node}/ceph/pool': (ctx) => {
    requireNode(ctx);
    const ceph = cephOf(ctx);
    return ceph.pools.map((p) => ({
      pool: p.id,
      pool_name: p.name,
      size: p.size,
      min_size: p.minSize,
      pg_num: p.pgs,
      pg_autoscale_mode: 'on',
      crush_rule: 0,
      crush_rule_name: 'replicated_rule',
      type: 'replicated',
      bytes_used: p.used * p.size,
      percent_used: (p.used * p.size) / ceph.total,
      application_metadata: { rbd: {} },
    }));
  },
};
