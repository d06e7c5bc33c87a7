// Migration of guests between nodes, as qemu-server and pve-container do it:
// the precondition check (GET …/migrate: local disks and resources, the
// nodes whose storages can take the disks), and the migration (POST) as a
// worker task on the source node: refused up front where PVE's API refuses
// (target unknown or the local node, a running guest without --online or
// --restart, a lock), failed in the task where PVE's migration fails
// (target offline, local devices, local disks of a running VM without
// --with-local-disks), with log lines like PVE's, the guest on the target
// at its end, and left where it was (unlocked) when cancelled.
import {
  flag,
  paramError,
  PveError,
  requireNode,
  type Ctx,
  type Handler,
  type Sim,
} from './context';
import { findNode, type Guest, type GuestKind, type Storage } from './state';

const confDir: Record<GuestKind, string> = { qemu: 'qemu-server', lxc: 'lxc' };

/** Config keys that hold volumes. */
const VOLUME_KEY = /^(scsi|virtio|sata|ide|efidisk|tpmstate|unused|rootfs|mp)\d*$/;
/** Config keys of devices only the node has (passthrough): they block a migration. */
const LOCAL_DEVICE = /^(hostpci|usb)\d+$/;

interface Volume {
  key: string;
  volid: string;
  storage: string;
  size: number;
  cdrom: boolean;
}

const UNITS = ' KMGT';

function volumesOf(g: Guest): Volume[] {
  const out: Volume[] = [];
  for (const [key, value] of Object.entries(g.config)) {
    if (!VOLUME_KEY.test(key)) continue;
    const text = String(value);
    const volid = text.split(',')[0]!;
    const m = /^([a-z][a-z0-9\-_.]*[a-z0-9]):/i.exec(volid);
    if (!m) continue; // `none`, `cdrom`: no volume
    const size = /(?:^|,)size=(\d+)([KMGT])?/.exec(text);
    out.push({
      key,
      volid,
      storage: m[1]!,
      size: size ? Number(size[1]) * 1024 ** UNITS.indexOf(size[2] ?? ' ') : 0,
      cdrom: /(?:^|,)media=cdrom/.test(text),
    });
  }
  return out;
}

function storageOf(sim: Sim, id: string): Storage | undefined {
  return sim.state.storages.find((s) => s.storage === id);
}

/** Volumes on storages only this node has. */
function localVolumes(sim: Sim, g: Guest): Volume[] {
  return volumesOf(g).filter((v) => !storageOf(sim, v.storage)?.shared);
}

/** Passthrough devices (hostpci, usb other than spice redirection or a cluster mapping). */
function localDevices(g: Guest): string[] {
  return Object.entries(g.config)
    .filter(([k, v]) => LOCAL_DEVICE.test(k) && !/^(spice|mapping=)/.test(String(v)))
    .map(([k]) => k);
}

/** The storages of local volumes a node does not have. */
function unavailableOn(sim: Sim, g: Guest, node: string): string[] {
  const missing = localVolumes(sim, g)
    .filter((v) => !v.cdrom)
    .map((v) => v.storage)
    .filter((id) => {
      const s = storageOf(sim, id);
      return !s || (s.nodes !== undefined && !s.nodes.includes(node));
    });
  return [...new Set(missing)];
}

function guestHere(ctx: Ctx, kind: GuestKind): Guest {
  const node = requireNode(ctx);
  const vmid = Number(ctx.params.vmid);
  const g = ctx.sim.state.guests.get(vmid);
  if (!g || g.kind !== kind || g.node !== node.name)
    throw new PveError(
      500,
      `Configuration file 'nodes/${node.name}/${confDir[kind]}/${vmid}.conf' does not exist\n`,
    );
  return g;
}

/** Every other node of the cluster (online or not, as PVE's node list) and whether it can take the disks. */
function nodeVerdicts(
  sim: Sim,
  g: Guest,
): { allowed: string[]; notAllowed: Record<string, unknown> } {
  const allowed: string[] = [];
  const notAllowed: Record<string, unknown> = {};
  for (const n of sim.state.nodes) {
    if (n.name === g.node) continue;
    const missing = unavailableOn(sim, g, n.name);
    if (missing.length) notAllowed[n.name] = { unavailable_storages: missing };
    else allowed.push(n.name);
  }
  return { allowed, notAllowed };
}

const qemuPrecondition: Handler = (ctx) => {
  const g = guestHere(ctx, 'qemu');
  const { allowed, notAllowed } = nodeVerdicts(ctx.sim, g);
  return {
    running: g.status === 'running' ? 1 : 0,
    allowed_nodes: allowed,
    not_allowed_nodes: notAllowed,
    local_disks: localVolumes(ctx.sim, g).map((v) => ({
      volid: v.volid,
      size: v.size,
      cdrom: v.cdrom ? 1 : 0,
      is_unused: v.key.startsWith('unused') ? 1 : 0,
    })),
    local_resources: localDevices(g),
    'mapped-resources': [],
    'mapped-resource-info': {},
    ...(ctx.sim.schema.version === 'pve9' ? { 'has-dbus-vmstate': 1 } : {}),
  };
};

/** pve-container's check (PVE 9; PVE 8 has no GET here and answers 501). */
const lxcPrecondition: Handler = (ctx) => {
  const g = guestHere(ctx, 'lxc');
  const { allowed, notAllowed } = nodeVerdicts(ctx.sim, g);
  return {
    running: g.status === 'running' ? 1 : 0,
    'allowed-nodes': allowed,
    'not-allowed-nodes': notAllowed,
  };
};

const stamp = (d: Date): string => d.toISOString().replace('T', ' ').slice(0, 19);
const GiB = 1024 ** 3;
const size = (bytes: number): string => `${(bytes / GiB).toFixed(1)} GiB`;

/** The log of the migration, each line stamped as PVE's migrations stamp theirs. */
function migrationLines(
  sim: Sim,
  g: Guest,
  target: string,
  how: MigrationMode,
): { lines: string[]; stopAt?: number } {
  const ip = findNode(sim.state, target)!.ip;
  const what = g.kind === 'qemu' ? 'VM' : 'CT';
  const now = new Date();
  const local = localVolumes(sim, g).filter((v) => !v.cdrom);
  const lines: string[] = [];
  let stopAt: number | undefined;
  if (how === 'restart') {
    stopAt = lines.length;
    lines.push(`shutdown CT ${g.vmid}`);
  }
  lines.push(`starting migration of ${what} ${g.vmid} to node '${target}' (${ip})`);
  for (const v of local)
    lines.push(
      `found local ${g.kind === 'qemu' ? 'disk' : 'volume'} '${v.volid}' (${g.kind === 'qemu' ? 'attached' : 'in current VM config'})`,
    );
  if (how === 'online') {
    lines.push(`starting VM ${g.vmid} on remote node '${target}'`);
    for (const v of local) {
      const drive = `drive-${v.key}`;
      lines.push(`${v.key}: start migration to nbd:unix:/run/qemu-server/${g.vmid}_nbd.migrate`);
      for (const pct of [0, 37.5, 81.25, 100])
        lines.push(
          `${drive}: transferred ${size((v.size * pct) / 100)} of ${size(v.size)} (${pct.toFixed(2)}%) in ${Math.round(pct / 10)}s${pct === 100 ? ', ready' : ''}`,
        );
    }
    lines.push(`starting online/live migration on unix:/run/qemu-server/${g.vmid}.migrate`);
    const mem = Number(g.config.memory ?? 512) / 1024;
    for (const part of [0.25, 0.6])
      lines.push(
        `migration active, transferred ${(mem * part).toFixed(1)} GiB of ${mem.toFixed(1)} GiB VM-state, 112.5 MiB/s`,
      );
    lines.push(
      'average migration speed: 113.2 MiB/s - downtime 37 ms',
      'migration status: completed',
    );
  } else {
    for (const v of local)
      lines.push(`copying local disk images`, `volume '${v.volid}' is '${v.volid}' on the target`);
    if (how === 'restart') lines.push('start container on target node');
  }
  lines.push('migration finished successfully (duration 00:00:07)');
  return { lines: lines.map((l) => `${stamp(now)} ${l}`), stopAt };
}

function migrate(kind: GuestKind): Handler {
  return (ctx) => {
    const g = guestHere(ctx, kind);
    const target = String(ctx.params.target);
    if (target === g.node) throw paramError({ target: 'target is local node.' });
    if (!findNode(ctx.sim.state, target))
      throw new PveError(500, `no such cluster node '${target}'\n`);
    if (g.lock) throw new PveError(500, `VM is locked (${g.lock})\n`);
    const running = g.status === 'running';
    let how: MigrationMode = 'offline';
    if (kind === 'qemu') {
      if (running && !flag(ctx.params.online))
        throw new PveError(500, "can't migrate running VM without --online\n");
      if (running) how = 'online';
    } else if (running) {
      if (flag(ctx.params.online))
        throw new PveError(500, 'lxc live migration is currently not implemented\n');
      if (!flag(ctx.params.restart))
        throw new PveError(500, "can't migrate running container without --online or --restart\n");
      how = 'restart';
    }
    return startMigration(ctx.sim, g, target, how, ctx.user, {
      force: flag(ctx.params.force),
      withLocalDisks: flag(ctx.params['with-local-disks']),
    });
  };
}

export type MigrationMode = 'online' | 'offline' | 'restart';

/**
 * The migration worker on the guest's node (the API's, or HA's CRM's): the
 * guest locked meanwhile, on the target at the end; PVE's preparation
 * refusing in the task's first seconds.
 */
export function startMigration(
  sim: Sim,
  g: Guest,
  target: string,
  how: MigrationMode,
  user: string,
  opts: { force?: boolean; withLocalDisks?: boolean } = {},
): string {
  const source = g.node;
  const to = findNode(sim.state, target)!;
  const running = g.status === 'running';
  const refusal = prepareRefusal(sim, g, target, how, opts);
  const planned = migrationLines(sim, g, target, how);
  // A refused one logs its start only (a restart migration's shutdown comes after the checks).
  const first = planned.stopAt === 0 ? 1 : 0;
  const lines = refusal ? planned.lines.slice(first, first + 1) : planned.lines;
  const stopAt = refusal ? undefined : planned.stopAt;
  const aborted = (why: string) => new Error(`migration aborted (duration 00:00:03): ${why}`);
  g.lock = 'migrate';
  const startedAt = g.startedAt;
  const type = g.kind === 'qemu' ? 'qmigrate' : 'vzmigrate';
  return sim.tasks.start(source, type, String(g.vmid), user, {
    lines,
    onLine: (i) => {
      if (i !== stopAt) return;
      g.status = 'stopped';
      delete g.startedAt;
    },
    finish: () => {
      if (refusal) throw aborted(refusal);
      // A target that went away meanwhile.
      if (!to.online) throw aborted(`Can't connect to destination address using public key`);
      g.node = target;
      delete g.lock;
      if (how === 'restart') {
        g.status = 'running';
        g.startedAt = Math.floor(Date.now() / 1000);
      }
    },
    abort: () => {
      delete g.lock;
      // A restart migration that did not get through starts the container again where it was.
      if (running && g.status !== 'running') {
        g.status = 'running';
        g.startedAt = startedAt ?? Math.floor(Date.now() / 1000);
      }
    },
  });
}

/** Why the migration's preparation stops it, as PVE's log says it. */
function prepareRefusal(
  sim: Sim,
  g: Guest,
  target: string,
  how: MigrationMode,
  opts: { force?: boolean; withLocalDisks?: boolean },
): string | undefined {
  if (!findNode(sim.state, target)!.online)
    return `Can't connect to destination address using public key`;
  const devices = localDevices(g);
  if (devices.length && (how === 'online' || !opts.force))
    return `can't migrate VM which uses local devices: ${devices.join(', ')}`;
  const local = localVolumes(sim, g).filter((v) => !v.cdrom);
  if (how === 'online' && local.length && !opts.withLocalDisks)
    return "can't live migrate attached local disks without with-local-disks option";
  const missing = unavailableOn(sim, g, target);
  if (missing.length) return `storage '${missing[0]}' is not available on node '${target}'`;
  return undefined;
}

export const migrateRoutes: Record<string, Handler> = {
  'GET /nodes/{node}/qemu/{vmid}/migrate': qemuPrecondition,
  'POST /nodes/{node}/qemu/{vmid}/migrate': migrate('qemu'),
  'GET /nodes/{node}/lxc/{vmid}/migrate': lxcPrecondition,
  'POST /nodes/{node}/lxc/{vmid}/migrate': migrate('lxc'),
};
