// New Storage Pool, Remove storage and Scan on a Proxmox VE cluster: the
// wizard's choices (the release's types, the cluster's nodes and existing
// storage ids), the plan (the exact `pvesh create /storage …`, secrets shown
// as <hidden>, and what stands in the way), the call itself, DELETE
// /storage/{id}, and the scans of /nodes/{n}/scan/* read into the fields
// they fill. PVE activates a new storage on the node that answers, so a
// wrong export, target, VG or password is refused by the call and nothing
// is kept.
import { ClusterdeckError } from '../../../shared/errors';
import type { StoragePool } from '../../../shared/model';
import type {
  StorageFound,
  StorageOptions,
  StorageScanRequest,
  StorageSpec,
} from '../../../shared/storage-api';
import type { TaskContext } from '../../tasks/runner';
import type { PveApiClient } from './api-client';
import { pveshCommand, type PveParams } from './pvesh';
import { SECRET_FIELDS, storageTypes } from './storage-types';

/** The node and storage id of a pool the inventory holds (`…:pool:<node>:<storage>`). */
export function poolRef(pool: StoragePool): { node: string; storage: string } {
  const m = /:pool:([^:]+):([^:]+)$/.exec(pool.id);
  if (!m) throw new ClusterdeckError('not-found', `${pool.name} is not a Proxmox VE storage.`);
  return { node: m[1]!, storage: m[2]! };
}

export async function readStorageOptions(
  api: PveApiClient,
  major: number | undefined,
): Promise<StorageOptions> {
  const [nodes, storages] = await Promise.all([
    api.get<{ node: string; status?: string }[]>('/nodes'),
    api.get<{ storage: string }[]>('/storage'),
  ]);
  return {
    nodes: (nodes ?? [])
      .map((n) => ({ name: n.node, online: n.status === 'online' }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    storages: (storages ?? []).map((s) => s.storage),
    types: storageTypes(major),
  };
}

/** The API parameters of the spec: its type's fields that are set, content, nodes, shared. */
export function storageParams(spec: StorageSpec): PveParams {
  const params: Record<string, string | boolean> = { storage: spec.storage, type: spec.type };
  for (const [k, v] of Object.entries(spec.values)) {
    if (v === '' || v === false) continue;
    params[k] = typeof v === 'string' ? v.trim() : v;
  }
  params.content = spec.content.join(',');
  if (spec.nodes.length) params.nodes = spec.nodes.join(',');
  if (spec.shared) params.shared = true;
  return params;
}

export function planStorage(
  spec: StorageSpec,
  options: StorageOptions,
): { steps: { title: string; command: string }[]; problems: string[] } {
  const problems: string[] = [];
  const type = options.types.find((t) => t.type === spec.type);
  if (!type) {
    problems.push(`This cluster's Proxmox VE has no ${spec.type} storage type.`);
    return { steps: [], problems };
  }
  if (options.storages.includes(spec.storage))
    problems.push(`The cluster already has a storage named ${spec.storage}.`);
  for (const f of type.fields) {
    const v = spec.values[f.name];
    const given = typeof v === 'string' ? v.trim() !== '' : v === true;
    if (f.required && !given) problems.push(`${f.label}: enter a value.`);
    if (typeof v === 'string' && v.trim() && f.pattern && !new RegExp(f.pattern).test(v.trim()))
      problems.push(`${f.label}: ${f.patternMessage ?? 'not a valid value.'}`);
    if (f.choices && typeof v === 'string' && v && !f.choices.includes(v))
      problems.push(`${f.label}: one of ${f.choices.join(', ')}.`);
  }
  for (const k of Object.keys(spec.values))
    if (!type.fields.some((f) => f.name === k))
      problems.push(`${type.label} storage has no setting ${k}.`);
  for (const c of spec.content)
    if (!type.contents.includes(c)) problems.push(`${type.label} storage cannot hold ${c}.`);
  for (const n of spec.nodes)
    if (!options.nodes.some((x) => x.name === n)) problems.push(`The cluster has no node ${n}.`);
  if (spec.shared && type.shared !== 'choice')
    problems.push(
      `${type.label} storage is ${type.shared === 'always' ? 'shared by nature' : 'local to each node'}; it takes no shared flag.`,
    );
  const command = pveshCommand('POST', '/storage', storageParams(spec), SECRET_FIELDS);
  return {
    steps: [{ title: `Add ${type.label} storage ${spec.storage} to the cluster`, command }],
    problems,
  };
}

export async function createStorage(
  api: PveApiClient,
  spec: StorageSpec,
  ctx: TaskContext,
): Promise<void> {
  await api.create('/storage', storageParams(spec), {
    log: ctx.log,
    signal: ctx.signal,
    hidden: SECRET_FIELDS,
    // PVE mounts or logs in to the storage before it answers.
    timeoutMs: 120_000,
  });
}

/** Remove storage: PVE forgets it cluster-wide; its data stays where it is. */
export async function removeStorage(
  api: PveApiClient,
  pool: StoragePool,
  ctx: TaskContext,
): Promise<void> {
  const { storage } = poolRef(pool);
  await api.delete(`/storage/${storage}`, {}, { log: ctx.log, signal: ctx.signal });
}

type ScanRow = Record<string, string | undefined>;

/** Each scan: its API parameters from the fields, and what a row fills. */
const SCANS: Record<
  StorageScanRequest['kind'],
  {
    params: (v: Record<string, string>) => PveParams;
    found: (r: ScanRow) => StorageFound;
  }
> = {
  nfs: {
    params: (v) => ({ server: v.server }),
    found: (r) => ({
      label: `${r.path}${r.options ? ` (${r.options})` : ''}`,
      values: { export: r.path ?? '' },
    }),
  },
  cifs: {
    params: (v) => ({
      server: v.server,
      username: v.username || undefined,
      password: v.password || undefined,
      domain: v.domain || undefined,
    }),
    found: (r) => ({
      label: `${r.share}${r.description ? ` — ${r.description}` : ''}`,
      values: { share: r.share ?? '' },
    }),
  },
  iscsi: {
    params: (v) => ({ portal: v.portal }),
    found: (r) => ({
      label: `${r.target} (${r.portal})`,
      values: { target: r.target ?? '', portal: r.portal ?? '' },
    }),
  },
  lvm: {
    params: () => ({}),
    found: (r) => ({ label: r.vg ?? '', values: { vgname: r.vg ?? '' } }),
  },
  lvmthin: {
    params: (v) => ({ vg: v.vgname }),
    found: (r) => ({ label: r.lv ?? '', values: { thinpool: r.lv ?? '' } }),
  },
  zfs: {
    params: () => ({}),
    found: (r) => ({ label: r.pool ?? '', values: { pool: r.pool ?? '' } }),
  },
  glusterfs: {
    params: (v) => ({ server: v.server }),
    found: (r) => ({ label: r.volname ?? '', values: { volume: r.volname ?? '' } }),
  },
};

export async function scanStorage(
  api: PveApiClient,
  request: StorageScanRequest,
): Promise<{ command: string; sources: StorageFound[] }> {
  const scan = SCANS[request.kind];
  const params = scan.params(request.values);
  const path = `/nodes/${request.node}/scan/${request.kind}`;
  const command = pveshCommand('GET', path, params, SECRET_FIELDS);
  const rows = await api.get<ScanRow[]>(path, params, { hidden: SECRET_FIELDS, timeoutMs: 60_000 });
  return { command, sources: (rows ?? []).map(scan.found) };
}
