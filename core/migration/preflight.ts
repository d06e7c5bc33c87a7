// Migrate VM's preflight: for each VM and the target node, what would stop
// the move or make it slow, with a reason and a fix. Whether a disk is on
// storage both nodes share is tested, not guessed: a marker file made next
// to it on the source must be visible on the target (then it is removed).
import { posix } from 'node:path';
import type { Finding } from '../../shared/cluster';
import type { Cluster } from '../../shared/cluster';
import type { MigrationTransport } from '../../shared/migration';
import type { Host, Network, StoragePool, Vm } from '../../shared/model';
import { formatBytes } from '../../shared/units';
import type { GuestNeeds } from '../drivers/capabilities';
import type { NodeAccess } from '../hosts/connection';

export interface MigrationWorld {
  hosts: (id: string) => Host | undefined;
  conn: (id: string) => NodeAccess;
  pools: StoragePool[];
  networks: Network[];
  clusters: Cluster[];
  inMaintenance: (hostId: string) => boolean;
  /** "Migrating to node2" while a task moves the VM already; undefined when it is free. */
  busy: (vm: Vm) => string | undefined;
}

/** Whether the host's driver moves VMs (a move also needs both nodes in one cluster). */
export const canMigrate = (h: Host) => !!h.capabilities?.includes('migration');

/** What the preflight decided for one VM. */
export interface VmPlan {
  vm: Vm;
  target: Host;
  live: boolean;
  copyStorage: boolean;
  /** The disk files the copy makes on the target (checked absent there beforehand). */
  newOnTarget: string[];
}

const sh = (script: string, ...args: string[]) => [
  'sh',
  '-c',
  script,
  'clusterdeck-migrate',
  ...args,
];

/** The memory a node can still give, in bytes; 0 when unknown. */
export async function memAvailable(conn: NodeAccess): Promise<number> {
  return conn.getDriver().memAvailable();
}

/**
 * Whether the guest's CPU runs on the target. A host-passthrough CPU is the
 * node's own, so only an identical CPU will do. A named model is asked of
 * the target's hypervisor; when the target refuses it but the source
 * refuses it too, the guest runs there without that check and the target
 * is no worse.
 */
async function cpuFinding(
  vm: Vm,
  needs: GuestNeeds,
  source: Host,
  target: Host,
  world: MigrationWorld,
): Promise<Omit<Finding, 'check'> | undefined> {
  const sconn = world.conn(source.id);
  const guest = needs.cpu;
  if (guest.kind === 'host') {
    if (source.info?.cpuModel === target.info?.cpuModel) return undefined;
    return {
      level: 'warning',
      detail: `${vm.name} uses ${source.name}’s own CPU (${source.info?.cpuModel ?? '?'}); ${target.name} has ${target.info?.cpuModel ?? '?'}.`,
      fix: 'A guest with a host-passthrough CPU may not start on another CPU; give it the cluster CPU (New VM offers it).',
    };
  }
  const runsOn = (conn: NodeAccess) =>
    conn
      .getDriver()
      .cpuRuns(needs)
      .catch(() => undefined);
  const tdriver = world.conn(target.id).getDriver();
  const there = await runsOn(world.conn(target.id));
  const model = guest.model;
  if (there === true)
    return { level: 'ok', detail: `${target.name} runs ${vm.name}’s CPU (${model}).` };
  if (there === undefined)
    return {
      level: 'warning',
      detail: `${tdriver.hypervisorName} on ${target.name} could not compare ${vm.name}’s CPU (${model}).`,
    };
  if ((await runsOn(sconn)) === false)
    return {
      level: 'ok',
      detail: `${tdriver.hypervisorName} rates ${vm.name}’s CPU (${model}) the same on ${target.name} as on ${source.name}, where it runs.`,
    };
  return {
    level: 'problem',
    detail: `${target.name}’s CPU lacks features ${vm.name}’s CPU (${model}) needs.`,
    fix: 'Give the guest a CPU model every node runs (the cluster CPU), or choose another node.',
  };
}

/** The guest's CPU and boot files against the target, as findings named after the VM. */
async function guestFindings(
  vm: Vm,
  source: Host,
  target: Host,
  world: MigrationWorld,
): Promise<Finding[]> {
  const needs = await world.conn(source.id).getDriver().guestNeeds(vm);
  const out: Finding[] = [];
  const cpu = await cpuFinding(vm, needs, source, target, world);
  if (cpu) out.push({ check: `${vm.name}: CPU`, ...cpu });
  const tconn = world.conn(target.id);
  for (const file of needs.bootFiles) {
    const r = await tconn.run(['test', '-f', file], { timeoutMs: 15_000 });
    if (r.code !== 0)
      out.push({
        check: `${vm.name}: boot files`,
        level: 'problem',
        detail: `${vm.name} boots from ${file}, which is not on ${target.name}.`,
        fix: `Copy it to the same path on ${target.name}, or keep such files on storage both nodes share.`,
      });
  }
  return out;
}

/** A disk's file on its node: a path, a volume of a pool there, or '' for network disks. */
function diskPath(vm: Vm, source: string, pools: StoragePool[]): string {
  if (source.startsWith('/')) return source;
  const vol = pools
    .filter((p) => p.hostId === vm.hostId)
    .flatMap((p) => p.volumes)
    .find((v) => v.name === source);
  return vol?.path ?? '';
}

async function sharedWithTarget(
  source: NodeAccess,
  target: NodeAccess,
  path: string,
): Promise<boolean | undefined> {
  const made = await source.run(
    sh('mktemp -p "$(dirname -- "$1")" .clusterdeck-shared.XXXXXX', path),
    { timeoutMs: 15_000 },
  );
  const marker = made.stdout.trim();
  if (made.code !== 0 || !marker.startsWith('/')) return undefined;
  try {
    const seen = await target.run(['test', '-e', marker], { timeoutMs: 15_000 });
    return seen.code === 0;
  } finally {
    await source.run(['rm', '-f', '--', marker], { timeoutMs: 15_000 }).catch(() => undefined);
  }
}

export async function migrationPreflight(
  world: MigrationWorld,
  vms: readonly Vm[],
  targetId: string,
  wantCopy: boolean | undefined,
  transport: MigrationTransport = 'plain',
): Promise<{ findings: Finding[]; plans: VmPlan[] }> {
  const findings: Finding[] = [];
  const plans: VmPlan[] = [];
  const target = world.hosts(targetId);
  if (!target || target.state !== 'connected' || !canMigrate(target)) {
    findings.push({
      check: 'Target node',
      level: 'problem',
      detail: `${target?.name ?? 'The target'} is not a connected node that takes migrated VMs.`,
    });
    return { findings, plans };
  }
  const tconn = world.conn(targetId);
  const tname = target.name;
  if (world.inMaintenance(targetId)) {
    findings.push({
      check: 'Target node',
      level: 'problem',
      detail: `${tname} is in maintenance mode.`,
      fix: `Choose another node, or take ${tname} out of maintenance mode first.`,
    });
    return { findings, plans };
  }

  // Memory: running guests need it at once; shut-off ones only when started there.
  // What each guest needs of the target (its CPU, the files it boots from),
  // asked of both nodes while the rest is checked.
  const needChecks = new Map(
    vms.map((vm) => {
      const source = world.hosts(vm.hostId);
      const check =
        source && vm.hostId !== targetId
          ? guestFindings(vm, source, target, world).catch(() => [])
          : Promise.resolve([]);
      return [vm.id, check] as const;
    }),
  );
  const available = await memAvailable(tconn);
  const isLive = (v: Vm) => v.state === 'running' || v.state === 'paused';
  const sum = (list: Vm[]) => list.reduce((n, v) => n + v.memoryKiB * 1024, 0);
  const live = vms.filter(isLive);
  const needed = sum(live);
  const later = needed + sum(vms.filter((v) => !isLive(v)));
  const totalBytes = (target.info?.memoryKiB ?? 0) * 1024;
  for (const v of vms.filter((x) => !isLive(x) && totalBytes && x.memoryKiB * 1024 > totalBytes))
    findings.push({
      check: 'Memory on the target',
      level: 'problem',
      detail: `${v.name} needs ${formatBytes(v.memoryKiB * 1024)}, more than ${tname} has in all (${formatBytes(totalBytes)}): it could never start there.`,
      fix: 'Choose a larger node, or give the VM less memory.',
    });
  findings.push(
    needed > available
      ? {
          check: 'Memory on the target',
          level: 'problem',
          detail: `${tname} has ${formatBytes(available)} available, less than the ${formatBytes(needed)} ${live.map((v) => v.name).join(', ')} need.`,
          fix: 'Choose another node, free memory there, or give the VM less memory.',
        }
      : later > available
        ? {
            check: 'Memory on the target',
            level: 'warning',
            detail: `${tname} has ${formatBytes(available)} available: enough for the running VMs (${formatBytes(needed)}), not for the shut-off ones too when started (${formatBytes(later)} in all).`,
            fix: 'Start them elsewhere, or free memory on the target first.',
          }
        : {
            check: 'Memory on the target',
            level: 'ok',
            detail: `${tname} has ${formatBytes(available)} available; the VMs need ${formatBytes(later)}${later > needed ? ' once all run' : ''}.`,
          },
  );

  for (const vm of vms) {
    const source = world.hosts(vm.hostId);
    const check = (what: string) => `${vm.name}: ${what}`;
    if (!source || vm.hostId === targetId) {
      findings.push({
        check: check('source'),
        level: 'problem',
        detail: `${vm.name} is already on ${tname}.`,
      });
      continue;
    }
    const sconn = world.conn(vm.hostId);
    const cluster = world.clusters.find(
      (c) => c.hostIds.includes(vm.hostId) && c.hostIds.includes(targetId),
    );
    if (!cluster) {
      findings.push({
        check: check('cluster'),
        level: 'problem',
        detail: `${source.name} and ${tname} are not in one cluster, so ${source.name} cannot log in to ${tname}.`,
        fix: 'Make them a cluster with New Cluster (it sets up the trust between them).',
      });
      continue;
    }
    const busy = world.busy(vm);
    if (busy) {
      findings.push({
        check: check('state'),
        level: 'problem',
        detail: `${vm.name} is busy: ${busy}.`,
        fix: 'Wait for that task to end, or cancel it in the Tasks pane.',
      });
      continue;
    }
    const live = vm.state === 'running' || vm.state === 'paused';
    if (!live && vm.state !== 'shutoff') {
      findings.push({
        check: check('state'),
        level: 'problem',
        detail: `${vm.name} is ${vm.state}; it migrates running, paused or shut off.`,
      });
      continue;
    }
    findings.push({
      check: check('kind of move'),
      level: 'ok',
      detail: live
        ? `Live: ${vm.name} keeps running while its memory is copied.`
        : `Offline: ${vm.name} is shut off, so only its definition moves.`,
    });

    findings.push(...((await needChecks.get(vm.id)) ?? []));

    // Networks the VM's interfaces use must be on the target (and active for a live move).
    for (const nic of vm.nics) {
      if (nic.type === 'network') {
        const net = world.networks.find((n) => n.hostId === targetId && n.name === nic.source);
        if (!net || (live && !net.active))
          findings.push({
            check: check('network'),
            level: 'problem',
            detail: net
              ? `The network ${nic.source} is not active on ${tname}.`
              : `The network ${nic.source} is not on ${tname}.`,
            fix: net
              ? `Start ${nic.source} on ${tname}.`
              : `Define ${nic.source} on ${tname} as on ${source.name}.`,
          });
      } else if (nic.type === 'bridge') {
        const r = await tconn.run(['test', '-d', `/sys/class/net/${nic.source}/bridge`], {
          timeoutMs: 15_000,
        });
        if (r.code !== 0)
          findings.push({
            check: check('network'),
            level: 'problem',
            detail: `The bridge ${nic.source} is not on ${tname}.`,
            fix: `Create the bridge ${nic.source} on ${tname}.`,
          });
      }
    }

    // Disks: shared storage, or copied with the move.
    const local: string[] = [];
    for (const d of vm.disks) {
      if (!d.source) continue;
      const path = diskPath(vm, d.source, world.pools);
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
      const pool = world.pools.find((p) => p.hostId === targetId && p.targetPath === dir);
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
        const size =
          world.pools.flatMap((p) => p.volumes).find((v) => v.path === path)?.capacity ?? 0;
        if (size > pool.available)
          findings.push({
            check: check(`disk ${d.target}`),
            level: 'problem',
            detail: `${pool.name} on ${tname} has ${formatBytes(pool.available)} free, less than the ${formatBytes(size)} disk.`,
          });
      }
    }
    let copy = local.length > 0;
    if (copy && !live) {
      findings.push({
        check: check('storage'),
        level: 'problem',
        detail: `${vm.name} is shut off and its disks are on ${source.name}'s own storage: an offline move copies no disks.`,
        fix: 'Start it and migrate it live with its storage, or move the disks to shared storage.',
      });
    } else if (copy && wantCopy === false) {
      findings.push({
        check: check('storage'),
        level: 'problem',
        detail: `${local.join(', ')} ${local.length === 1 ? 'is' : 'are'} not on storage ${tname} shares.`,
        fix: 'Tick “Copy the disks”.',
      });
    } else {
      findings.push({
        check: check('storage'),
        level: 'ok',
        detail: copy
          ? `Copied with the move (not on storage ${tname} shares): ${local.join(', ')}.`
          : vm.disks.length
            ? `Every disk is on storage ${tname} shares.`
            : 'No disks.',
      });
    }
    if (wantCopy === true && live) copy = true;
    if (live)
      findings.push(
        await sconn
          .getDriver()
          .transportFinding({ vm, source, target, transport, copy }, tconn.getDriver()),
      );
    plans.push({ vm, target, live, copyStorage: copy, newOnTarget: copy ? local : [] });
  }
  return { findings, plans };
}
