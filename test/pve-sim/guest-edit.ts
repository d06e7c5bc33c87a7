// Edits of a guest beside its config: the pending changes (GET …/pending),
// disk growth (PUT …/resize, a worker in PVE 8 and 9, grow only as PVE
// allows) and Convert to template (POST …/template), as qemu-server and
// pve-container do them.
import { flag, PveError, type Ctx, type Handler } from './context';
import { fileDigest, pendingList } from './guest-file';
import { DISK_KEY, guestOf } from './guests';
import type { Guest, GuestKind } from './state';

const what = (kind: GuestKind) => (kind === 'qemu' ? 'VM' : 'CT');

/** PVE's check_lock: a guest under a lock (backup, migrate, clone…) refuses changes. */
export function checkLock(g: Guest, ctx?: Ctx): void {
  if (g.lock && !(ctx && flag(ctx.params.skiplock)))
    throw new PveError(500, `${what(g.kind)} is locked (${g.lock})\n`);
}

/** A size as PVE's parse_size reads it (`32G`, `512M`, `+8G`'s part after the +), in bytes. */
function bytesOf(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMGT])?$/.exec(text);
  if (!m)
    throw new PveError(400, 'Parameter verification failed.\n', { size: 'unable to parse size' });
  return Number(m[1]) * 1024 ** ' KMGT'.indexOf(m[2] ?? ' ');
}

const GiB = 1024 ** 3;

function resize(kind: GuestKind): Handler {
  return (ctx) => {
    const g = guestOf(ctx, kind);
    if (ctx.params.digest !== undefined && String(ctx.params.digest) !== fileDigest(g))
      throw new PveError(
        500,
        'detected modified configuration - file changed by other user? Try again.\n',
      );
    checkLock(g, ctx);
    const disk = String(ctx.params.disk);
    const value = g.config[disk];
    if (value === undefined || !DISK_KEY.test(disk))
      throw new PveError(500, `disk '${disk}' does not exist\n`);
    if (String(value).includes('media=cdrom'))
      throw new PveError(500, "you can't resize a cdrom\n");
    const m = /(?:^|,)size=(\d+(?:\.\d+)?[KMGT]?)/.exec(String(value));
    const now = m ? bytesOf(m[1]!) : 0;
    const asked = String(ctx.params.size);
    const to = asked.startsWith('+') ? now + bytesOf(asked.slice(1)) : bytesOf(asked);
    // qemu-server's and pve-container's resize: shrinking is refused.
    if (to < now)
      throw new PveError(
        500,
        kind === 'qemu' ? 'shrinking disks is not supported\n' : 'unable to shrink disk size\n',
      );
    const size = to % GiB === 0 ? `${to / GiB}G` : `${Math.ceil(to / 1024 ** 2)}M`;
    const volid = String(value).split(',')[0]!;
    return ctx.sim.tasks.start(g.node, 'resize', String(g.vmid), ctx.user, {
      lines: [`  Size of logical volume ${volid} changed from ${now} to ${to} bytes.`],
      finish: () => {
        const v = String(g.config[disk]);
        g.config[disk] = /(?:^|,)size=/.test(v)
          ? v.replace(/((?:^|,)size=)[^,]+/, `$1${size}`)
          : `${v},size=${size}`;
      },
    });
  };
}

/** Disk volumes of the guest become base volumes (`vm-100-disk-0` → `base-100-disk-0`). */
function toBase(g: Guest): void {
  for (const [k, v] of Object.entries(g.config)) {
    if (!DISK_KEY.test(k) || String(v).includes('media=cdrom')) continue;
    g.config[k] = String(v).replace(/\bvm-(\d+)-disk-/g, 'base-$1-disk-');
  }
  g.config.template = 1;
}

function template(kind: GuestKind): Handler {
  return (ctx) => {
    const g = guestOf(ctx, kind);
    checkLock(g);
    if (Number(g.config.template ?? 0) === 1)
      throw new PveError(500, `you can't convert a template to a template\n`);
    if (g.status === 'running')
      throw new PveError(
        500,
        kind === 'qemu'
          ? "you can't convert a VM to template if VM is running\n"
          : "you can't convert a CT to template if the CT is running\n",
      );
    if (kind === 'lxc') {
      // pve-container converts in the API call itself: no worker, null answered.
      toBase(g);
      return null;
    }
    g.lock = 'template';
    return ctx.sim.tasks.start(g.node, 'qmtemplate', String(g.vmid), ctx.user, {
      lines: Object.entries(g.config)
        .filter(([k, v]) => DISK_KEY.test(k) && !String(v).includes('media=cdrom'))
        .map(([, v]) => `  Renamed "${String(v).split(',')[0]!.split(':')[1]}" to base`),
      finish: () => {
        delete g.lock;
        toBase(g);
      },
      abort: () => void delete g.lock,
    });
  };
}

export function guestEditRoutes(kind: GuestKind): Record<string, Handler> {
  const base = `/nodes/{node}/${kind}/{vmid}`;
  return {
    [`GET ${base}/pending`]: (ctx) => pendingList(guestOf(ctx, kind)),
    [`PUT ${base}/resize`]: resize(kind),
    [`POST ${base}/template`]: template(kind),
  };
}
