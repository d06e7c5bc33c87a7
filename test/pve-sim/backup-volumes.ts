// A storage volume removed or its attributes changed, as pve-storage's
// API2/Storage/Content.pm does it for the file-based storages the
// simulator has (Plugin.pm's parse_volname, DirPlugin's attributes):
// - DELETE …/content/{volume}: an `imgdel` worker (id `<vmid>@<storage>`)
//   whose vdisk_free refuses a protected volume ("cannot remove protected
//   volume '<volname>' on '<storage>'", the task's error, not the call's),
//   removes the archive with its notes, and prints "Removed volume"; a
//   missing file is only warned about, as free_image does.
// - PUT …/content/{volume} with `notes` then `protected` (that order, as the
//   handler loops), synchronous: only backups take either; protecting is
//   refused past the storage's `max-protected-backups` (root has no limit
//   unless the storage sets one).
// - GET …/content/{volume}: its path, size and format, with a backup's whole
//   notes (the content list has their first line only) and protection.
// Disk images of guests are not simulated here (501).
import { flag, paramError, PveError, requireNode, type Ctx, type Handler } from './context';
import { storageOn } from './content';
import { archivesOn, backupsOf } from './backups';
import { dumpDir } from './backup-run';
import { storageLab } from './storage-config';
import type { Storage } from './state';

/** Storages whose volumes Plugin.pm's directory layout names (the ones that hold backups here). */
const FILE_TYPES = ['dir', 'nfs', 'cifs', 'cephfs', 'glusterfs', 'btrfs'];

interface Volume {
  volid: string;
  storage: Storage;
  /** The name within the storage: `backup/vzdump-qemu-100-….vma.zst`. */
  volname: string;
  vtype: 'backup' | 'iso' | 'vztmpl' | 'images' | 'other';
  /** The file name (`vzdump-…`, `debian.iso`). */
  name: string;
  /** A backup's guest (`vzdump-qemu-100-…`), an image's owner. */
  vmid?: number;
  subtype?: string;
}

/** Content.pm's real_volume_id: the volume named by the path, checked against its storage. */
function realVolumeId(ctx: Ctx): string {
  const storeid = String(ctx.params.storage);
  const volume = String(ctx.params.volume);
  if (!volume.includes(':')) return `${storeid}:${volume}`;
  const m = /^([a-z][a-z0-9\-_.]*[a-z0-9]):(.+)$/i.exec(volume);
  if (!m) throw paramError({ volume: `unable to parse volume ID '${volume}'` });
  if (m[1] !== storeid) throw paramError({ volume: `storage ID mismatch (${m[1]} != ${storeid})` });
  return volume;
}

const BACKUP_EXT = /\.(tgz|(?:tar|vma)(?:\.(gz|lzo|zst|bz2))?)$/;

/** Plugin.pm's parse_volname for the layouts the simulator keeps. */
function parseVolume(ctx: Ctx, node: string): Volume {
  const volid = realVolumeId(ctx);
  const storage = storageOn(ctx, node, volid.slice(0, volid.indexOf(':')));
  if (!FILE_TYPES.includes(storage.type))
    throw new PveError(501, `volumes of ${storage.type} storages are not simulated\n`);
  const volname = volid.slice(volid.indexOf(':') + 1);
  const base = { volid, storage, volname };
  let m = /^backup\/([^/]+)$/.exec(volname);
  if (m && BACKUP_EXT.test(m[1]!)) {
    const g = /^vzdump-(openvz|lxc|qemu)-(\d+)-.+/.exec(m[1]!);
    return {
      ...base,
      vtype: 'backup',
      name: m[1]!,
      ...(g ? { vmid: Number(g[2]), subtype: g[1]! } : {}),
    };
  }
  if ((m = /^iso\/([^/]+\.(?:iso|img))$/i.exec(volname)))
    return { ...base, vtype: 'iso', name: m[1]! };
  if ((m = /^vztmpl\/([^/]+\.tar\.(?:gz|xz|zst|bz2))$/.exec(volname)))
    return { ...base, vtype: 'vztmpl', name: m[1]! };
  if ((m = /^(\d+)\/(\S+)$/.exec(volname)))
    return { ...base, vtype: 'images', name: m[2]!, vmid: Number(m[1]) };
  if (/^snippets\/[^/]+$/.test(volname) || /^import\//.test(volname))
    return { ...base, vtype: 'other', name: volname };
  throw new PveError(500, `unable to parse directory volume name '${volname}'\n`);
}

/** The file behind a volume on the node (messages only). */
function filePath(v: Volume): string {
  const root = v.storage.storage === 'local' ? '/var/lib/vz' : `/mnt/pve/${v.storage.storage}`;
  if (v.vtype === 'backup') return `${dumpDir(v.storage)}/${v.name}`;
  if (v.vtype === 'iso') return `${root}/template/iso/${v.name}`;
  if (v.vtype === 'vztmpl') return `${root}/template/cache/${v.name}`;
  return `${root}/${v.volname}`;
}

function deleteVolume(ctx: Ctx): string {
  const node = requireNode(ctx).name;
  const v = parseVolume(ctx, node);
  if (v.vtype === 'images' || v.vtype === 'other')
    throw new PveError(501, `removing ${v.vtype} volumes is not simulated\n`);
  const owner = v.vtype === 'backup' ? v.vmid : undefined;
  const id = `${owner !== undefined ? `${owner}@` : ''}${v.storage.storage}`;
  const task = ctx.sim.tasks.begin(node, 'imgdel', id, ctx.user);
  // The worker runs after the call answered: what it finds then decides.
  setTimeout(() => {
    if (!task.running()) return;
    const state = ctx.sim.state;
    if (v.vtype === 'backup') {
      const archive = archivesOn(ctx, node, v.storage.storage).find((a) => a.volid === v.volid);
      if (archive?.protected) {
        task.end(`cannot remove protected volume '${v.volname}' on '${v.storage.storage}'`);
        return;
      }
      if (archive) {
        const backups = backupsOf(state);
        backups.archives = backups.archives.filter((a) => a !== archive);
      } else task.log(`disk image '${filePath(v)}' does not exist`);
    } else {
      const at = state.volumes.findIndex(
        (x) => x.volid === v.volid && (!x.node || x.node === node),
      );
      if (at >= 0) state.volumes.splice(at, 1);
      else task.log(`disk image '${filePath(v)}' does not exist`);
    }
    task.log(`Removed volume '${v.volid}'`);
    task.end('OK');
  }, ctx.sim.tasks.stepMs);
  return task.upid;
}

function updateAttributes(ctx: Ctx): null {
  const node = requireNode(ctx).name;
  const v = parseVolume(ctx, node);
  const archive =
    v.vtype === 'backup'
      ? archivesOn(ctx, node, v.storage.storage).find((a) => a.volid === v.volid)
      : undefined;
  if (ctx.params.notes !== undefined) {
    if (v.vtype !== 'backup') throw new PveError(500, 'only backups can have notes\n');
    // DirPlugin writes (or, for '', removes) `<archive>.notes`.
    if (archive) {
      const notes = String(ctx.params.notes);
      if (notes) archive.notes = notes;
      else delete archive.notes;
    }
  }
  if (ctx.params.protected !== undefined) {
    if (v.vtype !== 'backup')
      throw new PveError(500, `only backups support attribute 'protected'\n`);
    const on = flag(ctx.params.protected);
    const limit = maxProtected(ctx, v.storage.storage);
    if (on && v.vmid !== undefined && !archive?.protected && limit > -1) {
      const count = archivesOn(ctx, node, v.storage.storage).filter(
        (a) =>
          a.protected &&
          a.vmid === v.vmid &&
          (!v.subtype || a.kind === (v.subtype === 'qemu' ? 'qemu' : 'lxc')),
      ).length;
      if (limit <= count)
        throw new PveError(
          500,
          `The number of protected backups per guest is limited to ${limit} on storage '${v.storage.storage}'\n`,
        );
    }
    // DirPlugin creates or removes `<archive>.protected`; a missing archive gets an orphan file, kept nowhere here.
    if (archive) {
      if (on) archive.protected = true;
      else delete archive.protected;
    }
  }
  return null;
}

/** get_max_protected_backups: the storage's setting, else unlimited for root (Datastore.Allocate). */
function maxProtected(ctx: Ctx, storage: string): number {
  const set = storageLab(ctx.sim.state).configs[storage]?.['max-protected-backups'];
  return set !== undefined ? Number(set) : -1;
}

/** Content.pm's info for a backup: volume_size_info, then the notes and protected attributes. */
function volumeInfo(ctx: Ctx): Record<string, unknown> {
  const node = requireNode(ctx).name;
  const v = parseVolume(ctx, node);
  if (v.vtype !== 'backup')
    throw new PveError(501, `info of ${v.vtype} volumes is not simulated\n`);
  const archive = archivesOn(ctx, node, v.storage.storage).find((a) => a.volid === v.volid);
  // file_size_info finds no file: no format.
  if (!archive) throw new PveError(500, `volume_size_info on '${v.volid}' failed - no format\n`);
  return {
    path: filePath(v),
    size: archive.size,
    used: archive.size,
    format: 'raw',
    ...(archive.notes ? { notes: archive.notes } : {}),
    protected: archive.protected ? 1 : 0,
  };
}

export const backupVolumeRoutes: Record<string, Handler> = {
  'GET /nodes/{node}/storage/{storage}/content/{volume}': volumeInfo,
  'DELETE /nodes/{node}/storage/{storage}/content/{volume}': deleteVolume,
  'PUT /nodes/{node}/storage/{storage}/content/{volume}': updateAttributes,
};
