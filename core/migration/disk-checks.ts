// Where each of a VM's disks lives, seen from the node it moves to: on storage
// both share (tested, not guessed: a marker file made next to the disk on the
// source must be visible on the target, then it is removed), a block device
// that should be the same on both, a medium the target needs its own copy of,
// or a local file the move copies into a pool with room for it.
import { posix } from 'node:path';
import type { Finding } from '../../shared/cluster';
import type { Host, StoragePool, Vm } from '../../shared/model';
import { formatBytes } from '../../shared/units';
import type { NodeAccess } from '../hosts/connection';
import { markerSeen } from '../storage/shared-storage';

/** A disk's file on its node: a path, a volume of a pool there, or '' for network disks. */
function diskPath(vm: Vm, source: string, pools: StoragePool[]): string {
  if (source.startsWith('/')) return source;
  const vol = pools
    .filter((p) => p.hostId === vm.hostId)
    .flatMap((p) => p.volumes)
    .find((v) => v.name === source);
  return vol?.path ?? '';
}

/** Whether `path` on the source is on storage the target sees too; undefined when untestable. */
function sharedWithTarget(
  source: NodeAccess,
  target: NodeAccess,
  path: string,
): Promise<boolean | undefined> {
  const dir = posix.dirname(path);
  return markerSeen(source, dir, target, dir);
}

/**
 * The findings for each disk of `vm`, and the local files (`local`) that only
 * a move with storage copy can take along.
 */
export async function diskFindings(
  vm: Vm,
  source: Host,
  target: Host,
  pools: StoragePool[],
  sconn: NodeAccess,
  tconn: NodeAccess,
): Promise<{ findings: Finding[]; local: string[] }> {
  const findings: Finding[] = [];
  const check = (what: string) => `${vm.name}: ${what}`;
  const { id: targetId, name: tname } = target;
  const local: string[] = [];
  for (const d of vm.disks) {
    if (!d.source) continue;
    const path = diskPath(vm, d.source, pools);
    if (!path) continue; // a network disk (Ceph, Gluster, iSCSI): reachable from both
    if (path.startsWith('/dev/')) {
      const r = await tconn.run(['test', '-b', path], { timeoutMs: 15_000 });
      findings.push(
        r.code === 0
          ? {
              check: check(`disk ${d.target}`),
              level: 'warning',
              detail: `${path} exists on ${tname}; Clusterdeck cannot tell whether it is the same device.`,
              fix: 'Make sure it is the same LUN or volume on both nodes.',
            }
          : {
              check: check(`disk ${d.target}`),
              level: 'problem',
              detail: `${path} is not on ${tname}.`,
            },
      );
      continue;
    }
    const shared = await sharedWithTarget(sconn, tconn, path);
    if (shared) continue;
    // Read-only media are not copied with the move: the target needs its own.
    if (d.device === 'cdrom' || d.device === 'floppy') {
      const there = (await tconn.run(['test', '-f', path], { timeoutMs: 15_000 })).code === 0;
      findings.push(
        there
          ? {
              check: check(`${d.device} ${d.target}`),
              level: 'warning',
              detail: `${path} is on ${source.name}'s own storage; ${tname} has a file at the same path, which Clusterdeck takes to be the same medium.`,
            }
          : {
              check: check(`${d.device} ${d.target}`),
              level: 'problem',
              detail: `${path} is on ${source.name}'s own storage and not on ${tname}; media are not copied with a move.`,
              fix: `Eject it, or copy it to the same path on ${tname}.`,
            },
      );
      continue;
    }
    local.push(path);
    const dir = posix.dirname(path);
    const pool = pools.find((p) => p.hostId === targetId && p.targetPath === dir);
    const exists = (await tconn.run(['test', '-e', path], { timeoutMs: 15_000 })).code === 0;
    if (!pool || exists) {
      findings.push({
        check: check(`disk ${d.target}`),
        level: 'problem',
        detail: exists
          ? `${path} is on ${source.name}'s own storage, and ${tname} already has a different file there.`
          : `${path} is on ${source.name}'s own storage, and ${tname} has no storage pool at ${dir} to copy it into.`,
        fix: exists
          ? `Rename or remove it on ${tname}, or put the disk on shared storage.`
          : `Define a pool at ${dir} on ${tname} (New Storage Pool), or put the disk on shared storage.`,
      });
    } else {
      const size = pools.flatMap((p) => p.volumes).find((v) => v.path === path)?.capacity ?? 0;
      if (size > pool.available)
        findings.push({
          check: check(`disk ${d.target}`),
          level: 'problem',
          detail: `${pool.name} on ${tname} has ${formatBytes(pool.available)} free, less than the ${formatBytes(size)} disk.`,
        });
    }
  }
  return { findings, local };
}
