// Cluster-wide and node endpoints: version, cluster status and resources,
// nodes, node status, storages, and the task list/status/log/cancel.
import { flag, PveError, requireNode, type Ctx, type Handler } from './context';
import { accessRoutes } from './access';
import { consoleRoutes } from './console';
import { contentRoutes } from './content';
import { cephRoutes } from './ceph';
import { clusterConfigRoutes } from './cluster-config';
import { guestRoutes } from './guests';
import { haRoutes } from './ha';
import { withHaGuests } from './ha-guests';
import { haRuleRoutes } from './ha-rules';
import { diskOf, memOf, quorate, type Storage } from './state';
import { parseUpid, type Task } from './tasks';
import { migrateRoutes } from './migrate';
import { guestEditRoutes } from './guest-edit';
import { snapshotRoutes } from './snapshots';
import { cloneRoutes } from './clone';
import { storageConfigRoutes } from './storage-config';
import { storageScanRoutes } from './storage-scan';
import { uploadRoutes } from './upload';
import { withBackups } from './backup-routes';

const versions = {
  pve8: { version: '8.4.1', release: '8.4', repoid: '2a5fa54a8503f96d', kernel: '6.8.12-11-pve' },
  pve9: { version: '9.1.1', release: '9.1', repoid: '42db4a6cf33dac83', kernel: '6.17.2-1-pve' },
};

function storagesOn(ctx: Ctx, node: string): Storage[] {
  return ctx.sim.state.storages.filter((s) => !s.nodes || s.nodes.includes(node));
}

function taskOf(ctx: Ctx): Task {
  const node = requireNode(ctx);
  const upid = String(ctx.params.upid);
  const parsed = parseUpid(upid);
  if (!parsed) throw new PveError(500, `unable to parse worker upid '${upid}'\n`);
  const task = ctx.sim.tasks.get(upid);
  if (!task || parsed.node !== node.name) {
    throw new PveError(500, `task '${upid}' does not exist\n`);
  }
  return task;
}

const taskListEntry = (t: Task): Record<string, unknown> => {
  const { upid, node, pid, pstart, starttime, type, id, user } = t;
  return t.status === 'running'
    ? { upid, node, pid, pstart, starttime, type, id, user }
    : {
        upid,
        node,
        pid,
        pstart,
        starttime,
        type,
        id,
        user,
        endtime: t.endtime,
        status: t.exitstatus,
      };
};

export const routes: Record<string, Handler> = {
  'GET /version': (ctx) => {
    const v = versions[ctx.sim.schema.version];
    return { version: v.version, release: v.release, repoid: v.repoid };
  },
  'GET /cluster/status': (ctx) => {
    const { state } = ctx.sim;
    // A node in no cluster lists itself only (nodeid 0), as PVE does.
    const head =
      state.name === undefined
        ? []
        : [
            {
              type: 'cluster',
              id: 'cluster',
              name: state.name,
              nodes: state.nodes.length,
              quorate: quorate(state) ? 1 : 0,
              version: state.version,
            },
          ];
    return [
      ...head,
      ...state.nodes.map((n) => ({
        type: 'node',
        id: `node/${n.name}`,
        name: n.name,
        nodeid: n.nodeid,
        ip: n.ip,
        online: n.online ? 1 : 0,
        local: n.name === (ctx.local ?? state.nodes[0]?.name) ? 1 : 0,
        level: '',
      })),
    ];
  },
  'GET /cluster/resources': (ctx) => {
    const { state } = ctx.sim;
    const type = ctx.params.type as string | undefined;
    const now = Math.floor(Date.now() / 1000);
    const out: Record<string, unknown>[] = [];
    if (!type || type === 'node') {
      for (const n of state.nodes) {
        out.push({
          id: `node/${n.name}`,
          type: 'node',
          node: n.name,
          status: n.online ? 'online' : 'offline',
          level: '',
          ...(n.online
            ? {
                cpu: n.cpu,
                maxcpu: n.maxcpu,
                mem: n.mem,
                maxmem: n.maxmem,
                disk: 9_245_626_368,
                maxdisk: 100_861_726_720,
                uptime: now - n.bootedAt,
                'cgroup-mode': 2,
              }
            : {}),
        });
      }
    }
    if (!type || type === 'vm') {
      for (const g of state.guests.values()) {
        const running = g.status === 'running';
        out.push({
          id: `${g.kind}/${g.vmid}`,
          type: g.kind,
          vmid: g.vmid,
          node: g.node,
          // pvestatd reports a qemu guest's QMP status where it has one (paused).
          status: g.paused ? 'paused' : g.status,
          name: String(
            g.kind === 'qemu'
              ? (g.config.name ?? `VM ${g.vmid}`)
              : (g.config.hostname ?? `CT${g.vmid}`),
          ),
          template: Number(g.config.template ?? 0),
          maxcpu: Number(g.config.cores ?? 1) * Number(g.config.sockets ?? 1),
          cpu: running ? 0.0211 : 0,
          maxmem: memOf(g),
          mem: running ? Math.floor(memOf(g) * 0.41) : 0,
          maxdisk: diskOf(g),
          disk: 0,
          uptime: running && g.startedAt ? now - g.startedAt : 0,
          netin: 0,
          netout: 0,
          diskread: 0,
          diskwrite: 0,
          ...(g.lock ? { lock: g.lock } : {}),
        });
      }
    }
    if (!type || type === 'storage') {
      for (const n of state.nodes) {
        for (const s of storagesOn(ctx, n.name)) {
          out.push({
            id: `storage/${n.name}/${s.storage}`,
            type: 'storage',
            storage: s.storage,
            node: n.name,
            // A disabled storage is listed but not activated: pvestatd has no figures for it.
            status: n.online && !s.disabled ? 'available' : 'unknown',
            plugintype: s.type,
            content: s.content,
            shared: s.shared ? 1 : 0,
            disk: s.used,
            maxdisk: s.total,
          });
        }
      }
    }
    return out.map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)));
  },
  'GET /nodes': (ctx) =>
    ctx.sim.state.nodes.map((n) => ({
      node: n.name,
      status: n.online ? 'online' : 'offline',
      level: '',
      ...(n.online
        ? {
            cpu: n.cpu,
            maxcpu: n.maxcpu,
            mem: n.mem,
            maxmem: n.maxmem,
            uptime: Math.floor(Date.now() / 1000) - n.bootedAt,
          }
        : {}),
    })),
  'GET /nodes/{node}/status': (ctx) => {
    const n = requireNode(ctx);
    const v = versions[ctx.sim.schema.version];
    return {
      cpu: n.cpu,
      uptime: Math.floor(Date.now() / 1000) - n.bootedAt,
      loadavg: ['0.12', '0.18', '0.21'],
      idle: 0,
      wait: 0.0009,
      kversion: `Linux ${v.kernel} #1 SMP PREEMPT_DYNAMIC PMX ${v.kernel}`,
      pveversion: `pve-manager/${v.version}/${v.repoid}`,
      cpuinfo: {
        model: 'Intel(R) Core(TM) i7-10700 CPU @ 2.90GHz',
        sockets: 1,
        cores: n.maxcpu,
        cpus: n.maxcpu,
        mhz: '2903.998',
        hvm: '1',
        flags: 'fpu vme de pse tsc msr pae mce',
        user_hz: 100,
      },
      'current-kernel': {
        sysname: 'Linux',
        release: v.kernel,
        version: `#1 SMP PREEMPT_DYNAMIC PMX ${v.kernel}`,
        machine: 'x86_64',
      },
      'boot-info': { mode: 'efi', secureboot: 0 },
      memory: { total: n.maxmem, used: n.mem, free: n.maxmem - n.mem, available: n.maxmem - n.mem },
      swap: { total: 8_589_930_496, used: 0, free: 8_589_930_496 },
      rootfs: {
        total: 100_861_726_720,
        used: 9_245_626_368,
        free: 91_616_100_352,
        avail: 86_430_310_400,
      },
      ksm: { shared: 0 },
    };
  },
  'GET /nodes/{node}/storage': (ctx) => {
    const n = requireNode(ctx);
    const only = ctx.params.storage as string | undefined;
    const content = ctx.params.content ? String(ctx.params.content).split(/[,;\s]+/) : undefined;
    return storagesOn(ctx, n.name)
      .filter((s) => !only || s.storage === only)
      .filter((s) => !content || content.some((c) => s.content.split(',').includes(c)))
      .map((s) => ({
        storage: s.storage,
        type: s.type,
        content: s.content,
        shared: s.shared ? 1 : 0,
        enabled: 1,
        active: 1,
        total: s.total,
        used: s.used,
        avail: s.total - s.used,
        used_fraction: s.used / s.total,
      }));
  },
  'GET /nodes/{node}/tasks': (ctx) => {
    const n = requireNode(ctx);
    const source = String(ctx.params.source ?? 'archive');
    const vmid = ctx.params.vmid === undefined ? undefined : String(ctx.params.vmid);
    const start = Number(ctx.params.start ?? 0);
    const limit = Number(ctx.params.limit ?? 50);
    const matching = ctx.sim.tasks
      .list(n.name)
      .filter((t) => source === 'all' || (source === 'active') === (t.status === 'running'))
      .filter((t) => vmid === undefined || t.id === vmid)
      .filter((t) => !flag(ctx.params.errors) || (t.status === 'stopped' && t.exitstatus !== 'OK'))
      .filter((t) => !ctx.params.typefilter || t.type === String(ctx.params.typefilter));
    ctx.total = matching.length;
    return matching.slice(start, start + limit).map(taskListEntry);
  },
  'GET /nodes/{node}/tasks/{upid}/status': (ctx) => {
    const t = taskOf(ctx);
    const { upid, node, pid, pstart, starttime, type, id, user, status } = t;
    return {
      upid,
      node,
      pid,
      pstart,
      starttime,
      type,
      id,
      user,
      status,
      ...(t.exitstatus ? { exitstatus: t.exitstatus } : {}),
    };
  },
  'GET /nodes/{node}/tasks/{upid}/log': (ctx) => {
    const t = taskOf(ctx);
    const start = Number(ctx.params.start ?? 0);
    const limit = Number(ctx.params.limit ?? 50);
    ctx.total = t.log.length;
    return t.log.slice(start, start + limit).map((line, i) => ({ n: start + i + 1, t: line }));
  },
  'DELETE /nodes/{node}/tasks/{upid}': (ctx) => {
    ctx.sim.tasks.cancel(taskOf(ctx).upid);
    return null;
  },
  ...migrateRoutes,
  ...guestRoutes('qemu'),
  ...guestRoutes('lxc'),
  ...consoleRoutes('qemu'),
  ...consoleRoutes('lxc'),
  ...contentRoutes,
  ...accessRoutes,
  ...haRoutes,
  ...haRuleRoutes,
  ...clusterConfigRoutes,
  ...cephRoutes,
  ...guestEditRoutes('qemu'),
  ...guestEditRoutes('lxc'),
  ...snapshotRoutes('qemu'),
  ...snapshotRoutes('lxc'),
  ...cloneRoutes('qemu'),
  ...cloneRoutes('lxc'),
  ...storageConfigRoutes,
  ...storageScanRoutes,
  ...uploadRoutes,
};

withHaGuests(routes);
withBackups(routes);
