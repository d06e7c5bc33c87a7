// VMs (qemu) and containers (lxc): list, create, config with digest check,
// status and the power actions as worker tasks, as qemu-server and pve-container do.
import { storageOn, volumeExists } from './content';
import {
  flag,
  paramError,
  PveError,
  requireNode,
  typedByschema,
  type Ctx,
  type Handler,
} from './context';
import { diskOf, memOf, type ConfigValue, type Guest, type GuestKind } from './state';
import { applyOrKeep, applyPending, fileDigest, shownConfig } from './guest-file';

/** Config keys that hold a volume. */
export const DISK_KEY = /^(scsi|virtio|sata|ide|efidisk|tpmstate|rootfs|mp)\d*$/;

const taskPrefix: Record<GuestKind, string> = { qemu: 'qm', lxc: 'vz' };
const confDir: Record<GuestKind, string> = { qemu: 'qemu-server', lxc: 'lxc' };

/** Parameters of create/config calls that are not config options. */
const notConfig = new Set([
  'node',
  'vmid',
  'digest',
  'delete',
  'revert',
  'skiplock',
  'force',
  'background_delay',
  'start',
  'pool',
  'storage',
  'archive',
  'unique',
  'live-restore',
  'ostemplate',
  'password',
  'ssh-public-keys',
  'restore',
  'ignore-unpack-errors',
  'bwlimit',
]);

export function guestOf(ctx: Ctx, kind: GuestKind): Guest {
  const node = requireNode(ctx);
  const vmid = Number(ctx.params.vmid);
  const g = ctx.sim.state.guests.get(vmid);
  if (!g || g.kind !== kind || g.node !== node.name) {
    throw new PveError(
      500,
      `Configuration file 'nodes/${node.name}/${confDir[kind]}/${vmid}.conf' does not exist\n`,
    );
  }
  return g;
}

function uptime(g: Guest): number {
  return g.status === 'running' && g.startedAt ? Math.floor(Date.now() / 1000) - g.startedAt : 0;
}

function summary(g: Guest): Record<string, unknown> {
  const running = g.status === 'running';
  const base: Record<string, unknown> = {
    vmid: g.vmid,
    name: String(
      g.kind === 'qemu' ? (g.config.name ?? `VM ${g.vmid}`) : (g.config.hostname ?? `CT${g.vmid}`),
    ),
    status: g.status,
    cpus: Number(g.config.cores ?? 1) * Number(g.config.sockets ?? 1),
    maxmem: memOf(g),
    mem: running ? Math.floor(memOf(g) * 0.41) : 0,
    maxdisk: diskOf(g),
    cpu: running ? 0.0211 : 0,
    uptime: uptime(g),
    netin: running ? 18_239_311 : 0,
    netout: running ? 2_103_552 : 0,
    diskread: running ? 412_113_920 : 0,
    diskwrite: running ? 96_468_992 : 0,
  };
  if (g.lock) base.lock = g.lock;
  if (g.kind === 'lxc') base.disk = running ? Math.floor(diskOf(g) * 0.18) : 0;
  if (g.kind === 'qemu' && running) base.pid = 100_000 + g.vmid;
  if (g.kind === 'qemu') base.qmpstatus = g.paused ? 'paused' : g.status;
  if (g.kind === 'lxc') base.type = 'lxc';
  return base;
}

/** `local-lvm:32` (allocate 32 GiB) becomes the volume PVE would create. */
function allocateDisks(kind: GuestKind, vmid: number, values: Record<string, ConfigValue>): void {
  let n = 0;
  for (const [k, v] of Object.entries(values)) {
    if (!DISK_KEY.test(k)) continue;
    const m = /^([a-z][a-z0-9\-_.]*[a-z0-9]):(\d+(?:\.\d+)?)(,.*)?$/i.exec(String(v));
    if (!m) continue;
    const name = kind === 'lxc' && k === 'rootfs' ? `vm-${vmid}-disk-${n}` : `vm-${vmid}-disk-${n}`;
    values[k] = `${m[1]}:${name}${m[3] ?? ''},size=${m[2]}G`;
    n++;
  }
}

function configValues(params: Record<string, unknown>): Record<string, ConfigValue> {
  const out: Record<string, ConfigValue> = {};
  for (const [k, v] of Object.entries(params)) {
    if (!notConfig.has(k)) out[k] = typeof v === 'boolean' ? (v ? 1 : 0) : (v as ConfigValue);
  }
  return out;
}

type PowerAction = 'start' | 'stop' | 'shutdown' | 'reboot' | 'suspend' | 'resume';

/** Worker log lines of each power action, as qemu-server and pve-container write them. */
function powerLines(kind: GuestKind, action: PowerAction, vmid: number): string[] {
  const what = kind === 'qemu' ? 'VM' : 'CT';
  switch (action) {
    case 'start':
      return kind === 'qemu'
        ? [`generating cloud-init ISO`, `starting VM ${vmid}`]
        : [`starting CT ${vmid}`];
    case 'stop':
      return [`stopping ${what} ${vmid}`];
    case 'shutdown':
      return [`requesting shutdown of ${what} ${vmid}`, `waiting for the guest to power off`];
    case 'reboot':
      return [`requesting reboot of ${what} ${vmid}`, `waiting for the guest to come back`];
    case 'suspend':
      return [`suspending VM ${vmid}`];
    case 'resume':
      return [`resuming VM ${vmid}`];
  }
}

/** Default wait of a qemu shutdown, as vm_stop's (seconds). */
const SHUTDOWN_TIMEOUT = 60;

function powerTask(kind: GuestKind, action: PowerAction): Handler {
  return (ctx) => {
    const g = guestOf(ctx, kind);
    if (g.lock && !flag(ctx.params.skiplock)) throw new PveError(500, `VM is locked (${g.lock})\n`);
    // The API refuses these before any worker starts (qemu-server's vm_shutdown, vm_reboot).
    if (g.paused && (action === 'shutdown' || action === 'reboot') && !flag(ctx.params.forceStop))
      throw new PveError(500, `VM is paused - cannot ${action}\n`);
    // A guest that ignores the power button (ACPI off in its config) lets
    // the shutdown wait its whole timeout, then the worker fails as PVE's does.
    const deaf = kind === 'qemu' && action === 'shutdown' && Number(g.config.acpi ?? 1) === 0;
    const holdMs = deaf ? Number(ctx.params.timeout ?? SHUTDOWN_TIMEOUT) * 1000 : 0;
    return ctx.sim.tasks.start(g.node, `${taskPrefix[kind]}${action}`, String(g.vmid), ctx.user, {
      lines: powerLines(kind, action, g.vmid),
      holdMs,
      finish: () => {
        const notRunning = `VM ${g.vmid} not running`;
        if (action === 'start') {
          if (g.status === 'running') throw new Error(`VM ${g.vmid} already running`);
          g.status = 'running';
          g.startedAt = Math.floor(Date.now() / 1000);
          applyPending(g);
        } else if (action === 'stop') {
          g.status = 'stopped';
          delete g.paused;
          delete g.startedAt;
        } else if (g.status !== 'running') {
          throw new Error(notRunning);
        } else if (action === 'suspend') {
          g.paused = true;
        } else if (action === 'resume') {
          delete g.paused;
        } else if (deaf && !flag(ctx.params.forceStop)) {
          throw new Error('VM quit/powerdown failed - got timeout');
        } else if (action === 'shutdown') {
          g.status = 'stopped';
          delete g.startedAt;
        } else {
          // A reboot is a stop and a start: the pending changes apply.
          g.startedAt = Math.floor(Date.now() / 1000);
          applyPending(g);
        }
      },
    });
  };
}

/**
 * What PVE checks before it forks the create worker: each new volume's
 * storage exists on the node and may hold that content (qemu-server's and
 * pve-container's check_storage_access), the CD's ISO image and the
 * container's template exist.
 */
function checkSources(ctx: Ctx, kind: GuestKind, node: string): void {
  for (const [k, v] of Object.entries(ctx.params)) {
    if (!DISK_KEY.test(k)) continue;
    const value = String(v);
    const volid = value.split(',')[0]!;
    if (volid === 'none' || volid === 'cdrom') continue;
    const m = /^([a-z][a-z0-9\-_.]*[a-z0-9]):(.+)$/i.exec(volid);
    if (!m) continue;
    const storage = storageOn(ctx, node, m[1]!);
    const content = storage.content.split(',');
    if (value.includes('media=cdrom')) {
      if (!volumeExists(ctx, node, volid))
        throw new PveError(500, `volume '${volid}' does not exist\n`);
      continue;
    }
    const needs = kind === 'qemu' ? 'images' : 'rootdir';
    if (/^\d+(\.\d+)?$/.test(m[2]!) && !content.includes(needs))
      throw paramError({
        storage: `storage '${storage.storage}' does not support ${kind === 'qemu' ? 'vm images' : 'container directories'}`,
      });
  }
  if (kind === 'lxc') {
    const template = String(ctx.params.ostemplate);
    if (!volumeExists(ctx, node, template))
      throw new PveError(500, `can't find file '${template}'\n`);
  }
}

function create(kind: GuestKind): Handler {
  return (ctx) => {
    const node = requireNode(ctx);
    const vmid = Number(ctx.params.vmid);
    const existing = ctx.sim.state.guests.get(vmid);
    if (existing) {
      throw new PveError(
        500,
        `unable to create ${kind === 'qemu' ? 'VM' : 'CT'} ${vmid} - VM ${vmid} already exists on node '${existing.node}'\n`,
      );
    }
    checkSources(ctx, kind, node.name);
    const config = configValues(ctx.params);
    if (kind === 'lxc' && config.rootfs === undefined)
      config.rootfs = `${String(ctx.params.storage ?? 'local')}:4`;
    allocateDisks(kind, vmid, config);
    if (kind === 'qemu') config.smbios1 ??= `uuid=${crypto.randomUUID()}`;
    const guest: Guest = { vmid, kind, node: node.name, status: 'stopped', config, lock: 'create' };
    ctx.sim.state.guests.set(vmid, guest);
    const lines =
      kind === 'qemu'
        ? Object.entries(config)
            .filter(([k]) => /^(scsi|virtio|sata|ide|efidisk)\d+$/.test(k))
            .map(([k, v]) => `${k}: successfully created disk '${String(v)}'`)
        : [
            `extracting archive '${String(ctx.params.ostemplate)}'`,
            'Total bytes read: 126781440 (121MiB, 98MiB/s)',
            'Detected container architecture: amd64',
          ];
    return ctx.sim.tasks.start(node.name, `${taskPrefix[kind]}create`, String(vmid), ctx.user, {
      lines,
      finish: () => {
        delete guest.lock;
        if (flag(ctx.params.start)) {
          guest.status = 'running';
          guest.startedAt = Math.floor(Date.now() / 1000);
        }
      },
      abort: () => void ctx.sim.state.guests.delete(vmid),
    });
  };
}

/**
 * Removal, as `qm destroy` / `pct destroy --purge --destroy-unreferenced-disks`:
 * refused while the guest runs (a container's `force` stops it first) or is locked.
 */
function destroy(kind: GuestKind): Handler {
  return (ctx) => {
    const g = guestOf(ctx, kind);
    if (g.lock && !flag(ctx.params.skiplock)) throw new PveError(500, `VM is locked (${g.lock})\n`);
    if (g.status === 'running' && !(kind === 'lxc' && flag(ctx.params.force)))
      throw new PveError(
        500,
        kind === 'qemu'
          ? `VM ${g.vmid} is running - destroy failed\n`
          : `unable to destroy CT ${g.vmid} - container is running\n`,
      );
    const volumes = Object.entries(g.config)
      .filter(([k, v]) => DISK_KEY.test(k) && !String(v).includes('media=cdrom'))
      .map(([, v]) => String(v).split(',')[0]!);
    const lines = [
      ...(g.status === 'running' ? [`stopping CT ${g.vmid}`] : []),
      ...volumes.map((v) => `Removing volume '${v}'`),
      ...(flag(ctx.params.purge) ? [`purging ${g.vmid} from backup jobs, replication and HA`] : []),
    ];
    return ctx.sim.tasks.start(g.node, `${taskPrefix[kind]}destroy`, String(g.vmid), ctx.user, {
      lines,
      finish: () => void ctx.sim.state.guests.delete(g.vmid),
    });
  };
}

/** Applies a config change: digest checked first, as PVE's assert_if_modified. */
function applyConfig(ctx: Ctx, g: Guest): void {
  const digest = ctx.params.digest;
  if (digest !== undefined && String(digest) !== fileDigest(g)) {
    throw new PveError(
      500,
      'detected modified configuration - file changed by other user? Try again.\n',
    );
  }
  if (g.lock && !flag(ctx.params.skiplock)) throw new PveError(500, `VM is locked (${g.lock})\n`);
  const values = configValues(ctx.params);
  allocateDisks(g.kind, g.vmid, values);
  const deletes = String(ctx.params.delete ?? '')
    .split(/[,;\s]+/)
    .filter(Boolean);
  for (const key of deletes) {
    if (values[key] !== undefined)
      throw new PveError(500, `cannot set and delete '${key}' at the same time\n`);
  }
  // A running guest keeps what it cannot take now in [PENDING] (guest-file.ts).
  applyOrKeep(g, values, deletes);
}

export function guestRoutes(kind: GuestKind): Record<string, Handler> {
  const base = `/nodes/{node}/${kind}`;
  const routes: Record<string, Handler> = {
    [`GET ${base}`]: (ctx) => {
      const node = requireNode(ctx);
      return [...ctx.sim.state.guests.values()]
        .filter((g) => g.kind === kind && g.node === node.name)
        .map(summary);
    },
    [`POST ${base}`]: create(kind),
    [`DELETE ${base}/{vmid}`]: destroy(kind),
    [`GET ${base}/{vmid}/config`]: (ctx) => {
      const g = guestOf(ctx, kind);
      const out = typedByschema(shownConfig(g, flag(ctx.params.current)), ctx.returns);
      if (g.lock) out.lock = g.lock;
      return { ...out, digest: fileDigest(g) };
    },
    [`PUT ${base}/{vmid}/config`]: (ctx) => {
      applyConfig(ctx, guestOf(ctx, kind));
      return null;
    },
    [`GET ${base}/{vmid}/status/current`]: (ctx) => ({
      ...summary(guestOf(ctx, kind)),
      ha: { managed: 0 },
    }),
  };
  if (kind === 'qemu') {
    // The asynchronous variant: a worker task (qmconfig) applies the change.
    routes[`POST ${base}/{vmid}/config`] = (ctx) => {
      const g = guestOf(ctx, kind);
      applyConfig(ctx, g);
      return ctx.sim.tasks.start(g.node, 'qmconfig', String(g.vmid), ctx.user, {
        lines: ['update VM config'],
        finish: () => {},
      });
    };
  }
  for (const action of ['start', 'stop', 'shutdown', 'reboot'] as const) {
    routes[`POST ${base}/{vmid}/status/${action}`] = powerTask(kind, action);
  }
  // Containers' suspend is PVE's experimental CRIU checkpoint: not simulated.
  if (kind === 'qemu')
    for (const action of ['suspend', 'resume'] as const)
      routes[`POST ${base}/{vmid}/status/${action}`] = powerTask(kind, action);
  return routes;
}
