// Which same-named pools of a cluster's nodes are one storage: tested with a
// marker file (made in the pool's folder on one node, looked for in the
// other node's pool, removed), the test Migrate VM makes for a disk. Local
// folders that happen to share a name, or sit on the same kind of disk, are
// each node's own; shared storage counts once.
import { posix } from 'node:path';
import type { ClusterStorage, SharedStorage } from '../../shared/cluster-storage';
import type { StoragePool } from '../../shared/model';
import type { NodeAccess } from '../hosts/connection';

/** Network storage with no folder on the node to mark: the same name and type is the same storage. */
const NETWORK_TYPES = new Set(['rbd', 'iscsi', 'iscsi-direct', 'gluster', 'sheepdog', 'vstorage']);

/**
 * Whether a file made in `dir` on `source` shows in `targetDir` on `target`;
 * undefined when it cannot be tested (no folder, a failed command).
 */
export async function markerSeen(
  source: NodeAccess,
  dir: string,
  target: NodeAccess,
  targetDir: string,
): Promise<boolean | undefined> {
  const made = await source.run(['mktemp', '-p', dir, '.clusterdeck-shared.XXXXXX'], {
    timeoutMs: 15_000,
  });
  const marker = made.stdout.trim();
  if (made.code !== 0 || !marker.startsWith('/')) return undefined;
  try {
    const there = posix.join(targetDir, posix.basename(marker));
    const seen = await target.run(['test', '-e', there], { timeoutMs: 15_000 });
    return seen.code === 0;
  } finally {
    await source.run(['rm', '-f', '--', marker], { timeoutMs: 15_000 }).catch(() => undefined);
  }
}

/** Whether pool `b` is the same storage as pool `a` (undefined: cannot tell). */
export type SameStorage = (a: StoragePool, b: StoragePool) => Promise<boolean | undefined>;

const sameCeph = (a: StoragePool, b: StoragePool) =>
  !!a.ceph &&
  !!b.ceph &&
  a.ceph.pool === b.ceph.pool &&
  a.ceph.monitors.some((m) => b.ceph!.monitors.some((n) => n.host === m.host && n.port === m.port));

/**
 * Which filesystem each of a node's folders is on (`stat -c %d`, the device
 * number: reliable within one node, meaningless across nodes); undefined for
 * a folder that cannot be read.
 */
export async function filesystemsOf(
  node: NodeAccess,
  dirs: readonly string[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!dirs.length) return out;
  const r = await node.run(
    [
      'sh',
      '-c',
      'for d; do stat -c %d -- "$d" 2>/dev/null || echo -; done',
      'clusterdeck-fs',
      ...dirs,
    ],
    { timeoutMs: 15_000 },
  );
  const lines = r.stdout.split('\n');
  dirs.forEach((d, i) => {
    const dev = lines[i]?.trim();
    if (dev && dev !== '-') out.set(d, dev);
  });
  return out;
}

/**
 * The members' pools sorted into shared storage (each counted once) and each
 * node's own, whose free space counts each filesystem once (`filesystem`:
 * the node's pools by the filesystem they are on). Only running pools can be
 * tested; the others are their node's.
 */
export async function clusterStorage(
  hostIds: readonly string[],
  pools: readonly StoragePool[],
  same: SameStorage,
  filesystem: (hostId: string, own: readonly StoragePool[]) => Promise<Map<string, string>> = () =>
    Promise.resolve(new Map()),
): Promise<ClusterStorage> {
  const members = pools.filter((p) => hostIds.includes(p.hostId));
  const sharedPools = new Set<string>();
  const shared: SharedStorage[] = [];
  const names = [...new Set(members.map((p) => p.name))];
  for (const name of names) {
    let rest = members.filter((p) => p.name === name && p.state === 'running');
    // One group per reference pool, for the rare case of two different shares under one name.
    while (rest.length > 1) {
      const [ref, ...others] = rest as [StoragePool, ...StoragePool[]];
      const group = [ref];
      const network = !ref.targetPath && NETWORK_TYPES.has(ref.type);
      for (const p of others) {
        if (p.hostId === ref.hostId || p.type !== ref.type) continue;
        const isSame = network
          ? ref.type !== 'rbd' || sameCeph(ref, p)
          : !!ref.targetPath && !!p.targetPath && (await same(ref, p).catch(() => undefined));
        if (isSame) group.push(p);
      }
      rest = others.filter((p) => !group.includes(p));
      if (group.length < 2) continue;
      for (const p of group) sharedPools.add(p.id);
      // In the cluster's order of its nodes, whichever answered first.
      group.sort((a, b) => hostIds.indexOf(a.hostId) - hostIds.indexOf(b.hostId));
      shared.push({
        name,
        type: ref.type,
        hostIds: group.map((p) => p.hostId),
        poolIds: group.map((p) => p.id),
        capacity: ref.capacity,
        available: ref.available,
        proof: network ? 'network' : 'marker',
      });
    }
  }
  const local = await Promise.all(
    hostIds.map(async (hostId) => {
      const own = members.filter((p) => p.hostId === hostId && !sharedPools.has(p.id));
      const running = own.filter((p) => p.state === 'running');
      const fs = await filesystem(
        hostId,
        running.filter((p) => p.targetPath),
      ).catch(() => new Map<string, string>());
      // Two pools in folders of one filesystem offer the same free space: count it once.
      const counted = new Map<string, number>();
      for (const p of running) counted.set(fs.get(p.targetPath) ?? `pool:${p.id}`, p.available);
      return {
        hostId,
        poolIds: own.map((p) => p.id),
        available: [...counted.values()].reduce((n, b) => n + b, 0),
      };
    }),
  );
  return { shared, local };
}
