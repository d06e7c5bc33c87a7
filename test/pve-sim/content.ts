// What a new guest is made from: a storage's content (ISO images and
// container templates seeded in state.ts, guest volumes from the configs),
// a node's network interfaces (bridges, the NIC under them) and the next
// free guest id, as pvestatd's storage plugins, pve-manager's network API
// and /cluster/nextid answer.
import { paramError, PveError, requireNode, type Ctx, type Handler } from './context';
import type { Storage } from './state';

/** The storage as the node sees it, or PVE's refusal. */
export function storageOn(ctx: Ctx, node: string, id: string): Storage {
  const s = ctx.sim.state.storages.find((x) => x.storage === id);
  if (!s) throw new PveError(500, `storage '${id}' does not exist\n`);
  if (s.nodes && !s.nodes.includes(node))
    throw new PveError(500, `storage '${id}' is not available on node '${node}'\n`);
  return s;
}

/** Whether the volume (an ISO image or template) is on the storage as the node sees it. */
export function volumeExists(ctx: Ctx, node: string, volid: string): boolean {
  return ctx.sim.state.volumes.some((v) => v.volid === volid && (!v.node || v.node === node));
}

/** Guest volumes on a storage, from the configs (`local-lvm:vm-100-disk-0,size=32G`). */
function guestVolumes(ctx: Ctx, node: string, storage: Storage): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const g of ctx.sim.state.guests.values()) {
    if (!storage.shared && g.node !== node) continue;
    for (const [k, v] of Object.entries(g.config)) {
      if (!/^(scsi|virtio|sata|ide|rootfs|mp)\d*$/.test(k)) continue;
      const m = /^([^:,]+):([^,]+)(?:,.*?size=(\d+)G)?/.exec(String(v));
      if (!m || m[1] !== storage.storage || String(v).includes('media=cdrom')) continue;
      const volid = `${m[1]}:${m[2]}`;
      out.push({
        volid,
        content: g.kind === 'lxc' ? 'rootdir' : 'images',
        format: volid.endsWith('.qcow2') ? 'qcow2' : 'raw',
        size: Number(m[3] ?? 0) * 1024 ** 3,
        vmid: g.vmid,
      });
    }
  }
  return out;
}

export const contentRoutes: Record<string, Handler> = {
  'GET /nodes/{node}/storage/{storage}/content': (ctx) => {
    const node = requireNode(ctx);
    const storage = storageOn(ctx, node.name, String(ctx.params.storage));
    const only = ctx.params.content ? String(ctx.params.content) : undefined;
    const vmid = ctx.params.vmid === undefined ? undefined : Number(ctx.params.vmid);
    const kept = ctx.sim.state.volumes
      .filter((v) => v.volid.startsWith(`${storage.storage}:`))
      .filter((v) => !v.node || v.node === node.name)
      .map((v): Record<string, unknown> => ({
        volid: v.volid,
        content: v.content,
        format: v.format,
        size: v.size,
        ctime: v.ctime,
      }));
    return [...kept, ...guestVolumes(ctx, node.name, storage)]
      .filter((v) => storage.content.split(',').includes(String(v.content)))
      .filter((v) => !only || v.content === only)
      .filter((v) => vmid === undefined || v.vmid === vmid);
  },
  'GET /nodes/{node}/network': (ctx) => {
    const node = requireNode(ctx);
    const type = ctx.params.type ? String(ctx.params.type) : undefined;
    const nic = {
      iface: 'eno1',
      type: 'eth',
      method: 'manual',
      method6: 'manual',
      families: ['inet'],
      active: 1,
      exists: 1,
      priority: 3,
    };
    const bridges = node.bridges.map((b, i) => ({
      iface: b,
      type: 'bridge',
      method: i === 0 ? 'static' : 'manual',
      method6: 'manual',
      families: ['inet'],
      autostart: 1,
      active: 1,
      priority: 4 + i,
      bridge_ports: i === 0 ? 'eno1' : '',
      bridge_stp: 'off',
      bridge_fd: '0',
      ...(i === 0 ? { address: node.ip, netmask: '24', cidr: `${node.ip}/24` } : {}),
    }));
    const all = [nic, ...bridges];
    if (!type) return all;
    const bridgeTypes = ['bridge', 'OVSBridge'];
    return all.filter((i) =>
      type === 'any_bridge' || type === 'any_local_bridge'
        ? bridgeTypes.includes(i.type)
        : i.type === type,
    );
  },
  'GET /cluster/nextid': (ctx) => {
    const taken = ctx.sim.state.guests;
    if (ctx.params.vmid !== undefined) {
      const vmid = Number(ctx.params.vmid);
      // pve-manager's raise_param_exc: a 400 naming the parameter.
      if (taken.has(vmid)) throw paramError({ vmid: `VM ${vmid} already exists` });
      return vmid;
    }
    let id = 100;
    while (taken.has(id)) id++;
    return id;
  },
};
