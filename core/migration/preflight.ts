// Migrate VM's preflight: for each VM and the target node, what would stop
// the move or make it slow, with a reason and a fix, and what the move will
// be (live or offline, with or without a storage copy). The checks of the
// target, its memory, the VM's state and networks are here; what the guest
// needs of the target (guest-checks.ts) and where its disks live
// (disk-checks.ts) are beside it.
import type { Finding } from '../../shared/cluster';
import type { Cluster } from '../../shared/cluster';
import type { MigrationTransport } from '../../shared/migration';
import type { Host, Network, StoragePool, Vm } from '../../shared/model';
import { formatBytes } from '../../shared/units';
import type { NodeAccess } from '../hosts/connection';
import { diskFindings } from './disk-checks';
import { guestFindings } from './guest-checks';

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

/** The memory a node can still give, in bytes; 0 when unknown. */
export async function memAvailable(conn: NodeAccess): Promise<number> {
  return conn.getDriver().memAvailable();
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
          ? guestFindings(vm, source, target, world.conn(vm.hostId), tconn).catch(() => [])
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
      detail: `${v.name} needs ${formatBytes(v.memoryKiB * 1024)}, more than ${tname}'s total memory (${formatBytes(totalBytes)}): it could never start there.`,
      fix: 'Choose a larger node, or give the VM less memory.',
    });
  findings.push(
    needed > available
      ? {
          check: 'Memory on the target',
          level: 'problem',
          detail: `${tname} has ${formatBytes(available)} memory available to new guests, less than the ${formatBytes(needed)} ${live.map((v) => v.name).join(', ')} need.`,
          fix: 'Choose another node, free memory there, or give the VM less memory.',
        }
      : later > available
        ? {
            check: 'Memory on the target',
            level: 'warning',
            detail: `${tname} has ${formatBytes(available)} memory available to new guests: enough for the running VMs (${formatBytes(needed)}), not for the shut-off ones too when started (${formatBytes(later)} in all).`,
            fix: 'Start them elsewhere, or free memory on the target first.',
          }
        : {
            check: 'Memory on the target',
            level: 'ok',
            detail: `${tname} has ${formatBytes(available)} memory available to new guests; the VMs need ${formatBytes(later)}${later > needed ? ' once all run' : ''}.`,
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
    const disks = await diskFindings(vm, source, target, world.pools, sconn, tconn);
    findings.push(...disks.findings);
    const local = disks.local;
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
