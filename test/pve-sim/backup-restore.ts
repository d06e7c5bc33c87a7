// Restore as qemu-server and pve-container do it: `POST /nodes/{node}/qemu`
// with `archive` (qmrestore) and `POST /nodes/{node}/lxc` with the backup as
// `ostemplate` and `restore=1` (vzrestore) make the guest from the archive's
// config, its disks allocated anew under the new vmid (on `storage` when
// given, else where they were). Applied to the route table, so guests.ts
// keeps making guests from nothing.
import { flag, PveError, requireNode, type Ctx, type Handler } from './context';
import { storageOn } from './content';
import { archiveOf } from './backups';
import type { ConfigValue, Guest, GuestKind } from './state';

const DISK_KEY = /^(scsi|virtio|sata|ide|efidisk|tpmstate|rootfs|mp)\d*$/;
const FILE_STORAGES = new Set(['dir', 'nfs', 'cifs', 'glusterfs', 'cephfs']);

function newMac(): string {
  const b = () =>
    Math.floor(Math.random() * 256)
      .toString(16)
      .padStart(2, '0')
      .toUpperCase();
  return `BC:24:11:${b()}:${b()}:${b()}`;
}

/** The archive's config for the new guest: disks renamed for `vmid`, MACs new when `unique`. */
function restoredConfig(
  ctx: Ctx,
  node: string,
  kind: GuestKind,
  vmid: number,
  from: Record<string, ConfigValue>,
): Record<string, ConfigValue> {
  const config: Record<string, ConfigValue> = {};
  let n = 0;
  const target = ctx.params.storage === undefined ? undefined : String(ctx.params.storage);
  for (const [k, v] of Object.entries(from)) {
    const value = String(v);
    const m = /^([a-z][a-z0-9\-_.]*[a-z0-9]):([^,]+)(,.*)?$/i.exec(value);
    if (DISK_KEY.test(k) && m && !value.includes('media=cdrom')) {
      const id = target ?? m[1]!;
      const storage = storageOn(ctx, node, id);
      const disk = `vm-${vmid}-disk-${n++}`;
      config[k] = FILE_STORAGES.has(storage.type)
        ? `${id}:${vmid}/${disk}.qcow2${m[3] ?? ''}`
        : `${id}:${disk}${m[3] ?? ''}`;
    } else if (/^net\d+$/.test(k) && (flag(ctx.params.unique) || kind === 'lxc')) {
      config[k] = value.replace(/([0-9A-F]{2}:){5}[0-9A-F]{2}/i, newMac());
    } else config[k] = v;
  }
  if (kind === 'qemu' && flag(ctx.params.unique)) config.smbios1 = `uuid=${crypto.randomUUID()}`;
  return config;
}

function restore(kind: GuestKind, volid: string, ctx: Ctx): string {
  const node = requireNode(ctx);
  const vmid = Number(ctx.params.vmid);
  const what = kind === 'qemu' ? 'VM' : 'CT';
  const existing = ctx.sim.state.guests.get(vmid);
  if (existing && !flag(ctx.params.force))
    throw new PveError(
      500,
      `unable to restore ${what} ${vmid} - ${what} ${vmid} already exists on node '${existing.node}'\n`,
    );
  if (existing)
    throw new PveError(
      500,
      `unable to restore ${what} ${vmid} - overwriting a guest is not simulated\n`,
    );
  const archive = archiveOf(ctx, node.name, volid);
  if (ctx.params.storage !== undefined) {
    const s = storageOn(ctx, node.name, String(ctx.params.storage));
    const needs = kind === 'qemu' ? 'images' : 'rootdir';
    if (!s.content.split(',').includes(needs))
      throw new PveError(
        500,
        `storage '${s.storage}' does not support ${kind === 'qemu' ? 'vm images' : 'container directories'}\n`,
      );
  }
  const wrongKind = archive.kind !== kind;
  const config = wrongKind ? {} : restoredConfig(ctx, node.name, kind, vmid, archive.config);
  const guest: Guest = { vmid, kind, node: node.name, status: 'stopped', config, lock: 'create' };
  ctx.sim.state.guests.set(vmid, guest);
  const path = `/mnt/pve/${archive.storage}/dump/${volid.split('/').pop()!}`;
  const disks = Object.entries(config).filter(
    ([k, v]) => DISK_KEY.test(k) && !String(v).includes('media=cdrom'),
  );
  const lines =
    kind === 'qemu'
      ? [
          `restore vma archive: zstd -q -d -c ${path} | vma extract -v -r /var/tmp/vzdumptmp${vmid}.fifo - /var/tmp/vzdumptmp${vmid}`,
          `CFG: size: ${Object.keys(config).length * 40} name: qemu-server.conf`,
          ...disks.map(([, v]) => `new volume ID is '${String(v).split(',')[0]}'`),
          'progress 50% (read 0 bytes, duration 0 sec)',
          'progress 100% (read 0 bytes, duration 1 sec)',
          'rescan volumes...',
        ]
      : [
          ...disks.map(
            ([k, v]) =>
              `recovering backed-up configuration from '${volid}' (${k}: ${String(v).split(',')[0]})`,
          ),
          `restoring '${volid}' now..`,
          'Total bytes read: 524288000 (500MiB, 210MiB/s)',
          'merging backed-up and given configuration..',
        ];
  return ctx.sim.tasks.start(
    node.name,
    kind === 'qemu' ? 'qmrestore' : 'vzrestore',
    String(vmid),
    ctx.user,
    {
      lines,
      finish: () => {
        // qmrestore reads a VMA, vzrestore a tar: the other kind's archive fails the worker.
        if (wrongKind)
          throw new Error(
            kind === 'qemu'
              ? `unable to restore VM ${vmid} - archive '${volid}' is not a VMA archive`
              : `unable to restore CT ${vmid} - archive '${volid}' is not a container backup`,
          );
        delete guest.lock;
        if (flag(ctx.params.start)) {
          guest.status = 'running';
          guest.startedAt = Math.floor(Date.now() / 1000);
        }
      },
      abort: () => void ctx.sim.state.guests.delete(vmid),
    },
  );
}

/** POST qemu with `archive`, POST lxc with `restore=1`: a restore; anything else as before. */
export function withBackupRestore(routes: Record<string, Handler>): void {
  for (const kind of ['qemu', 'lxc'] as const) {
    const key = `POST /nodes/{node}/${kind}`;
    const plain = routes[key];
    if (!plain) continue;
    routes[key] = (ctx) => {
      if (kind === 'qemu' && ctx.params.archive !== undefined)
        return restore(kind, String(ctx.params.archive), ctx);
      if (kind === 'lxc' && flag(ctx.params.restore))
        return restore(kind, String(ctx.params.ostemplate), ctx);
      return plain(ctx);
    };
  }
}
