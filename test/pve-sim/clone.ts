// Clone a VM or container (POST …/clone) as qemu-server and pve-container
// do: a full clone copies each disk onto the storage asked for (or its
// own), a linked clone makes each disk a copy-on-write child of the
// template's base volume (and so only from a template: on any other guest
// the storage has no base volume to clone, which PVE refuses), onto the
// target node (refused when a disk is on storage the target cannot see).
// The copy gets new MAC addresses and, a VM, a new SMBIOS UUID; its config
// is written at once under a 'clone' lock that the worker's end lifts.
import { randomUUID } from 'node:crypto';
import { storageOn } from './content';
import { flag, PveError, type Ctx, type Handler } from './context';
import { checkLock } from './guest-edit';
import { DISK_KEY, guestOf } from './guests';
import { findNode, type ConfigValue, type Guest, type GuestKind } from './state';

const mac = (): string =>
  ['BC', '24', '11', ...Array.from({ length: 3 }, () => Math.floor(Math.random() * 256))]
    .map((b) => (typeof b === 'string' ? b : b.toString(16).toUpperCase().padStart(2, '0')))
    .join(':');

/** The copy's options: the source's, with new hardware addresses and ids. */
function copiedConfig(src: Guest, ctx: Ctx): Record<string, ConfigValue> {
  const out: Record<string, ConfigValue> = {};
  for (const [k, v] of Object.entries(src.config)) {
    if (k === 'template' || DISK_KEY.test(k)) continue;
    let value = String(v);
    if (/^net\d+$/.test(k))
      value = value.replace(
        /([=,]|^)([0-9A-F]{2}(:[0-9A-F]{2}){5})/i,
        (_m, pre: string) => `${pre}${mac()}`,
      );
    out[k] = typeof v === 'number' ? v : value;
  }
  if (src.kind === 'qemu') {
    out.name = String(ctx.params.name ?? `Copy-of-VM-${String(src.config.name ?? src.vmid)}`);
    out.smbios1 =
      String(src.config.smbios1 ?? '').replace(/uuid=[0-9a-f-]+/, `uuid=${randomUUID()}`) ||
      `uuid=${randomUUID()}`;
    if (src.config.vmgenid !== undefined) out.vmgenid = randomUUID();
  } else if (ctx.params.hostname !== undefined) out.hostname = String(ctx.params.hostname);
  if (ctx.params.description !== undefined) out.description = String(ctx.params.description);
  return out;
}

function clone(kind: GuestKind): Handler {
  return (ctx) => {
    const src = guestOf(ctx, kind);
    const newid = Number(ctx.params.newid);
    const taken = ctx.sim.state.guests.get(newid);
    if (taken) throw new PveError(500, `VM ${newid} already exists on node '${taken.node}'\n`);
    const targetName = String(ctx.params.target ?? src.node);
    const target = findNode(ctx.sim.state, targetName);
    if (!target) throw new PveError(500, `no such cluster node '${targetName}'\n`);
    if (!target.online) throw new PveError(500, `target node '${targetName}' is not online\n`);
    checkLock(src);
    const template = Number(src.config.template ?? 0) === 1;
    const full = ctx.params.full === undefined ? !template : flag(ctx.params.full);
    const disks = Object.entries(src.config).filter(
      ([k, v]) => DISK_KEY.test(k) && !String(v).includes('media=cdrom'),
    );
    if (!full && ctx.params.storage !== undefined)
      throw new PveError(500, "parameter 'storage' not allowed for linked clones\n");
    for (const [k, v] of disks) {
      const volid = String(v).split(',')[0]!;
      const store = storageOn(ctx, src.node, volid.split(':')[0]!);
      if (
        targetName !== src.node &&
        !store.shared &&
        (full ? ctx.params.storage === undefined : true)
      )
        throw new PveError(500, `can't clone VM to node '${targetName}' (VM uses local storage)\n`);
      // Only a base volume (a template's) can be cloned copy-on-write.
      if (!full && !/(^|[:/])base-\d+-disk-\d+/.test(volid))
        throw new PveError(
          500,
          kind === 'qemu'
            ? `Linked clone feature is not supported for drive '${k}'\n`
            : `Linked clone feature for '${volid}' is not available\n`,
        );
    }
    if (kind === 'lxc' && full && src.status === 'running')
      throw new PveError(500, 'Cannot do full clones on a running container without snapshots\n');
    let into: string | undefined;
    if (ctx.params.storage !== undefined) {
      const s = storageOn(ctx, targetName, String(ctx.params.storage));
      const needs = kind === 'qemu' ? 'images' : 'rootdir';
      if (!s.content.split(',').includes(needs))
        throw new PveError(
          500,
          `storage '${s.storage}' does not support ${kind === 'qemu' ? 'vm images' : 'container directories'}\n`,
        );
      into = s.storage;
    }
    const config = copiedConfig(src, ctx);
    const lines: string[] = [];
    disks.forEach(([k, v], n) => {
      const [volid, ...opts] = String(v).split(',');
      const [store, volname] = [volid!.split(':')[0]!, volid!.split(':').slice(1).join(':')];
      const dest = into ?? store;
      const qcow2 = volname.endsWith('.qcow2');
      const own = qcow2 ? `${newid}/vm-${newid}-disk-${n}.qcow2` : `vm-${newid}-disk-${n}`;
      const made = full ? `${dest}:${own}` : `${store}:${volname}/${own}`;
      lines.push(
        full
          ? `create full clone of drive ${k} (${volid})`
          : `create linked clone of drive ${k} (${volid})`,
      );
      if (full) lines.push('transferred 100% of the disk');
      config[k] = [made, ...opts].join(',');
    });
    const copy: Guest = {
      vmid: newid,
      kind,
      node: targetName,
      status: 'stopped',
      config,
      lock: 'clone',
    };
    ctx.sim.state.guests.set(newid, copy);
    return ctx.sim.tasks.start(
      src.node,
      `${kind === 'qemu' ? 'qm' : 'vz'}clone`,
      String(src.vmid),
      ctx.user,
      {
        lines,
        finish: () => void delete copy.lock,
        abort: () => void ctx.sim.state.guests.delete(newid),
      },
    );
  };
}

export function cloneRoutes(kind: GuestKind): Record<string, Handler> {
  return { [`POST /nodes/{node}/${kind}/{vmid}/clone`]: clone(kind) };
}
