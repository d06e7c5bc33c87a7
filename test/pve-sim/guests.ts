// VMs (qemu) and containers (lxc): list, create, config with digest check,
// status and the power actions as worker tasks, as qemu-server and pve-container do.
import { flag, PveError, requireNode, typedByschema, type Ctx, type Handler } from './context';
import { configDigest, diskOf, memOf, type ConfigValue, type Guest, type GuestKind } from './state';

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

function guestOf(ctx: Ctx, kind: GuestKind): Guest {
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
  if (g.kind === 'qemu') base.qmpstatus = g.status;
  if (g.kind === 'lxc') base.type = 'lxc';
  return base;
}

/** `local-lvm:32` (allocate 32 GiB) becomes the volume PVE would create. */
function allocateDisks(kind: GuestKind, vmid: number, values: Record<string, ConfigValue>): void {
  let n = 0;
  for (const [k, v] of Object.entries(values)) {
    if (!/^(scsi|virtio|sata|ide|efidisk|tpmstate|rootfs|mp)\d*$/.test(k)) continue;
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

function powerTask(kind: GuestKind, action: 'start' | 'stop' | 'shutdown' | 'reboot'): Handler {
  return (ctx) => {
    const g = guestOf(ctx, kind);
    if (g.lock && !flag(ctx.params.skiplock)) throw new PveError(500, `VM is locked (${g.lock})\n`);
    const what = kind === 'qemu' ? 'VM' : 'CT';
    const lines: Record<typeof action, string[]> = {
      start:
        kind === 'qemu'
          ? [`generating cloud-init ISO`, `starting VM ${g.vmid}`]
          : [`starting CT ${g.vmid}`],
      stop: [`stopping ${what} ${g.vmid}`],
      shutdown: [`requesting shutdown of ${what} ${g.vmid}`, `waiting for the guest to power off`],
      reboot: [`requesting reboot of ${what} ${g.vmid}`, `waiting for the guest to come back`],
    };
    return ctx.sim.tasks.start(g.node, `${taskPrefix[kind]}${action}`, String(g.vmid), ctx.user, {
      lines: lines[action],
      finish: () => {
        if (action === 'start') {
          if (g.status === 'running') throw new Error(`VM ${g.vmid} already running`);
          g.status = 'running';
          g.startedAt = Math.floor(Date.now() / 1000);
        } else if (action === 'stop') {
          g.status = 'stopped';
          delete g.startedAt;
        } else {
          if (g.status !== 'running') throw new Error(`VM ${g.vmid} not running`);
          if (action === 'shutdown') {
            g.status = 'stopped';
            delete g.startedAt;
          } else g.startedAt = Math.floor(Date.now() / 1000);
        }
      },
    });
  };
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

/** Applies a config change: digest checked first, as PVE's assert_if_modified. */
function applyConfig(ctx: Ctx, g: Guest): void {
  const digest = ctx.params.digest;
  if (digest !== undefined && String(digest) !== configDigest(g.config)) {
    throw new PveError(
      500,
      'detected modified configuration - file changed by other user? Try again.\n',
    );
  }
  if (g.lock && !flag(ctx.params.skiplock)) throw new PveError(500, `VM is locked (${g.lock})\n`);
  const values = configValues(ctx.params);
  allocateDisks(g.kind, g.vmid, values);
  for (const key of String(ctx.params.delete ?? '')
    .split(/[,;\s]+/)
    .filter(Boolean)) {
    if (values[key] !== undefined)
      throw new PveError(500, `cannot set and delete '${key}' at the same time\n`);
    delete g.config[key];
  }
  Object.assign(g.config, values);
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
    [`GET ${base}/{vmid}/config`]: (ctx) => {
      const g = guestOf(ctx, kind);
      const out = typedByschema(g.config, ctx.returns);
      if (g.lock) out.lock = g.lock;
      return { ...out, digest: configDigest(g.config) };
    },
    [`PUT ${base}/{vmid}/config`]: (ctx) => {
      applyConfig(ctx, guestOf(ctx, kind));
      return null;
    },
    [`DELETE ${base}/{vmid}`]: (ctx) => {
      const g = guestOf(ctx, kind);
      if (g.status === 'running')
        throw new PveError(
          500,
          `unable to destroy ${kind === 'qemu' ? 'VM' : 'CT'} ${g.vmid} - VM is running\n`,
        );
      if (g.lock) throw new PveError(500, `VM is locked (${g.lock})\n`);
      g.lock = 'destroyed';
      return ctx.sim.tasks.start(g.node, `${taskPrefix[kind]}destroy`, String(g.vmid), ctx.user, {
        lines: [`Removing image: 100% complete...done.`],
        finish: () => void ctx.sim.state.guests.delete(g.vmid),
        abort: () => void delete g.lock,
      });
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
  return routes;
}
