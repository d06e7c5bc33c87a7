// The cluster's Ceph as its General tab shows it: `GET /cluster/ceph/status`
// (ceph status: health and one line per health check, monitors in quorum,
// OSDs up and in) and the pools with their usage (`GET
// /nodes/{node}/ceph/pool`). Read when asked (the tab opening, Refresh),
// never in the few-seconds poll: ceph status costs the monitors a round trip.
// A cluster without Ceph answers that Ceph is not installed or not
// initialized: that is `none`, shown as nothing.
import type { CephStatus } from '../../../shared/pve-cluster';
import { PveHttpError, type PveApiClient } from './api-client';

type Row = Record<string, unknown>;
const obj = (v: unknown): Row => (v && typeof v === 'object' ? (v as Row) : {});
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** PVE's answers where a node has no Ceph (pveceph: packages missing, or no ceph.conf yet). */
export function isNoCeph(err: unknown): boolean {
  return (
    err instanceof PveHttpError &&
    err.status === 500 &&
    /not (?:be )?(?:installed|initialized)|binary not installed|no such file/i.test(err.message)
  );
}

export function parseCephStatus(
  status: unknown,
  pools: unknown,
  readAt: number,
): Extract<CephStatus, { none: false }> {
  const s = obj(status);
  const health = obj(s.health);
  const checks = obj(health.checks);
  const osd = obj(s.osdmap);
  // Ceph before Nautilus nested the counts in osdmap.osdmap.
  const counts = obj(osd.osdmap).num_osds !== undefined ? obj(osd.osdmap) : osd;
  return {
    none: false,
    health: typeof health.status === 'string' ? health.status : 'unknown',
    problems: Object.entries(checks).map(([name, c]) => ({
      check: name,
      severity: String(obj(c).severity ?? ''),
      message: String(obj(obj(c).summary).message ?? name),
    })),
    monitors: Array.isArray(s.quorum_names) ? s.quorum_names.map(String) : [],
    osds: {
      total: num(counts.num_osds),
      up: num(counts.num_up_osds),
      in: num(counts.num_in_osds),
    },
    pools: (Array.isArray(pools) ? pools : []).map((p) => ({
      name: String(obj(p).pool_name ?? ''),
      used: num(obj(p).bytes_used),
      fraction: num(obj(p).percent_used),
    })),
    readAt,
  };
}

/** Reads the cluster's Ceph through one of its nodes (`node`: the one the pools are read on). */
export async function readCephStatus(api: PveApiClient, node: string): Promise<CephStatus> {
  let status: unknown;
  try {
    status = await api.get('/cluster/ceph/status');
  } catch (err) {
    if (isNoCeph(err)) return { none: true };
    throw err;
  }
  const pools = await api.get(`/nodes/${node}/ceph/pool`).catch((err: unknown) => {
    if (isNoCeph(err)) return [];
    throw err;
  });
  return parseCephStatus(status, pools, Date.now());
}
