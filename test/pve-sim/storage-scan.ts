// /nodes/{node}/scan/* as pve-storage's API2::Storage::Scan answers them,
// from the lab's seeded servers and disks (storage-lab.ts): showmount's
// exports, smbclient's shares (a user and password where the server wants
// them), iscsiadm's discovery, gluster's volumes, the node's VGs, thin pools
// and zpools. An unknown server fails as the command would.
import { PveError, requireNode, type Handler } from './context';
import { storageLab } from './storage-config';

export const storageScanRoutes: Record<string, Handler> = {
  'GET /nodes/{node}/scan/nfs': (ctx) => {
    requireNode(ctx);
    const server = String(ctx.params.server);
    const exports = storageLab(ctx.sim.state).nfs[server];
    if (!exports)
      throw new PveError(
        500,
        `clnt_create: RPC: Unable to receive\ncommand '/sbin/showmount --no-headers --exports ${server}' failed: exit code 1\n`,
      );
    return exports.map((e) => ({ path: e.path, options: e.options }));
  },
  'GET /nodes/{node}/scan/cifs': (ctx) => {
    requireNode(ctx);
    const server = String(ctx.params.server);
    const cifs = storageLab(ctx.sim.state).cifs[server];
    if (!cifs)
      throw new PveError(
        500,
        `Connection to ${server} failed (Error NT_STATUS_HOST_UNREACHABLE)\n`,
      );
    // smbclient -L: a server that wants a user answers access denied to a guest.
    if (cifs.user && ctx.params.username !== cifs.user)
      throw new PveError(500, `session setup failed: NT_STATUS_LOGON_FAILURE\n`);
    return cifs.shares.map((s) => ({ share: s.share, description: s.description }));
  },
  'GET /nodes/{node}/scan/glusterfs': (ctx) => {
    requireNode(ctx);
    const server = String(ctx.params.server);
    const vols = storageLab(ctx.sim.state).glusterfs[server];
    if (!vols)
      throw new PveError(
        500,
        `command '/usr/sbin/gluster --mode=script --remote-host=${server} volume info' failed: exit code 1\n`,
      );
    return vols.map((volname) => ({ volname }));
  },
  'GET /nodes/{node}/scan/iscsi': (ctx) => {
    requireNode(ctx);
    const given = String(ctx.params.portal);
    const portal = /:\d+$/.test(given) ? given : `${given}:3260`;
    const targets = storageLab(ctx.sim.state).iscsi[portal];
    if (!targets)
      throw new PveError(
        500,
        `iscsiadm: cannot make connection to ${portal.replace(/:\d+$/, '')}: No route to host\ncommand '/usr/bin/iscsiadm --mode discovery --type sendtargets --portal ${portal}' failed: exit code 4\n`,
      );
    return targets.map((target) => ({ target, portal }));
  },
  'GET /nodes/{node}/scan/lvm': (ctx) => {
    const node = requireNode(ctx);
    return Object.keys(storageLab(ctx.sim.state).vgs[node.name] ?? {}).map((vg) => ({ vg }));
  },
  'GET /nodes/{node}/scan/lvmthin': (ctx) => {
    const node = requireNode(ctx);
    const pools = storageLab(ctx.sim.state).vgs[node.name]?.[String(ctx.params.vg)] ?? [];
    return pools.map((lv) => ({ lv }));
  },
  'GET /nodes/{node}/scan/zfs': (ctx) => {
    const node = requireNode(ctx);
    return (storageLab(ctx.sim.state).zpools[node.name] ?? []).map((pool) => ({ pool }));
  },
};
