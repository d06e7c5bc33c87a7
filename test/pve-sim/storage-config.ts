// /storage as pve-storage's API2::Storage::Config answers it: the cluster's
// storage.cfg. Each type's options as its plugin declares them (required,
// optional, the content it may hold and its default), a create activated on
// the answering node at once (so a wrong export, target, VG or password fails
// the create and nothing is kept, as PVE's eval around activate_storage
// does), a duplicate id refused, DELETE of an unknown one refused. The
// request itself was already checked against the schema by the server.
import { createHash } from 'node:crypto';
import { flag, PveError, type Ctx, type Handler } from './context';
import { splitList } from './formats';
import type { ClusterState, Storage } from './state';
import { seedStorageLab, type StorageLab } from './storage-lab';

const GiB = 1024 ** 3;

interface PluginDef {
  required: string[];
  optional: string[];
  contents: string[];
  defaultContent: string[];
  /** A path PVE sets itself on create (/mnt/pve/<id>) when none is given. */
  autoPath?: boolean;
  /** Shared by nature (PVE's @SHARED_STORAGE): reported shared whatever the config says. */
  shared?: boolean;
}

const FILE_OPTS = [
  'nodes',
  'disable',
  'maxfiles',
  'prune-backups',
  'max-protected-backups',
  'content',
  'format',
  'mkdir',
  'create-base-path',
  'create-subdirs',
  'bwlimit',
  'preallocation',
  'content-dirs',
  'snapshot-as-volume-chain',
];
const FILE_CONTENT = ['images', 'rootdir', 'vztmpl', 'iso', 'backup', 'snippets', 'import'];

/** Each plugin's options() and plugindata() (content types and their default). */
export const PLUGINS: Record<string, PluginDef> = {
  dir: {
    required: ['path'],
    optional: [...FILE_OPTS, 'shared', 'is_mountpoint'],
    contents: FILE_CONTENT,
    defaultContent: ['images', 'rootdir'],
  },
  nfs: {
    required: ['server', 'export'],
    optional: [...FILE_OPTS, 'path', 'options'],
    contents: FILE_CONTENT,
    defaultContent: ['images'],
    autoPath: true,
    shared: true,
  },
  cifs: {
    required: ['server', 'share'],
    optional: [
      ...FILE_OPTS,
      'path',
      'username',
      'password',
      'domain',
      'smbversion',
      'subdir',
      'options',
    ],
    contents: FILE_CONTENT,
    defaultContent: ['images'],
    autoPath: true,
    shared: true,
  },
  glusterfs: {
    required: ['server', 'volume'],
    optional: [
      'server2',
      'transport',
      'path',
      'nodes',
      'disable',
      'maxfiles',
      'prune-backups',
      'max-protected-backups',
      'content',
      'format',
      'mkdir',
      'bwlimit',
      'preallocation',
    ],
    contents: ['images', 'vztmpl', 'iso', 'backup', 'snippets'],
    defaultContent: ['images'],
    autoPath: true,
    shared: true,
  },
  iscsi: {
    required: ['portal', 'target'],
    optional: ['nodes', 'disable', 'content', 'bwlimit'],
    contents: ['images', 'none'],
    defaultContent: ['images'],
    shared: true,
  },
  lvm: {
    required: ['vgname'],
    optional: [
      'base',
      'nodes',
      'shared',
      'disable',
      'saferemove',
      'saferemove_throughput',
      'saferemove-stepsize',
      'content',
      'bwlimit',
      'tagged_only',
      'snapshot-as-volume-chain',
    ],
    contents: ['images', 'rootdir'],
    defaultContent: ['images'],
  },
  lvmthin: {
    required: ['vgname', 'thinpool'],
    optional: ['nodes', 'disable', 'content', 'bwlimit'],
    contents: ['images', 'rootdir'],
    defaultContent: ['images', 'rootdir'],
  },
  zfspool: {
    required: ['pool'],
    optional: ['blocksize', 'sparse', 'nodes', 'disable', 'content', 'bwlimit', 'mountpoint'],
    contents: ['images', 'rootdir'],
    defaultContent: ['images', 'rootdir'],
  },
  rbd: {
    required: [],
    optional: [
      'monhost',
      'pool',
      'data-pool',
      'namespace',
      'username',
      'content',
      'krbd',
      'keyring',
      'nodes',
      'disable',
      'bwlimit',
    ],
    contents: ['images', 'rootdir'],
    defaultContent: ['images'],
    shared: true,
  },
  cephfs: {
    required: [],
    optional: [
      'path',
      'monhost',
      'username',
      'subdir',
      'fs-name',
      'fuse',
      'keyring',
      'nodes',
      'disable',
      'content',
      'prune-backups',
      'max-protected-backups',
      'mkdir',
      'create-base-path',
      'create-subdirs',
      'bwlimit',
    ],
    contents: ['vztmpl', 'iso', 'backup', 'snippets', 'import'],
    defaultContent: ['backup'],
    autoPath: true,
    shared: true,
  },
};

/** The lab picture and storage.cfg options, seeded on first use. */
export function storageLab(state: ClusterState): StorageLab {
  state.storageLab ??= seedStorageLab(state.nodes.map((n) => n.name));
  return state.storageLab;
}

/** The node whose pveproxy answers (activation runs there). */
function answeringNode(ctx: Ctx): string {
  return ctx.local ?? ctx.sim.state.nodes[0]!.name;
}

/**
 * What activate_storage finds on the answering node: the export, share,
 * target, VG, thin pool or zpool must be there, as mount, iscsiadm, vgs and
 * zpool would say.
 */
function activationError(lab: StorageLab, node: string, id: string, o: Record<string, string>) {
  switch (o.type) {
    case 'nfs': {
      const exports = lab.nfs[o.server!];
      if (!exports) return `mount error: mount.nfs: No route to host\n`;
      if (!exports.some((e) => e.path === o.export))
        return `mount error: mount.nfs: access denied by server while mounting ${o.server}:${o.export}\n`;
      return undefined;
    }
    case 'cifs': {
      const server = lab.cifs[o.server!];
      if (!server) return `mount error: could not resolve address for ${o.server}: Unknown error\n`;
      if (server.user && o.username !== server.user)
        return `mount error(13): Permission denied\nRefer to the mount.cifs(8) manual page (e.g. man mount.cifs) and kernel log messages (dmesg)\n`;
      if (!server.shares.some((s) => s.share === o.share))
        return `mount error(2): No such file or directory\n`;
      return undefined;
    }
    case 'glusterfs':
      return lab.glusterfs[o.server!]?.includes(o.volume!)
        ? undefined
        : `mount error: Mount failed. Check the log file for more details.\n`;
    case 'iscsi': {
      const portal = o.portal!.includes(':') ? o.portal! : `${o.portal}:3260`;
      const targets = lab.iscsi[portal];
      if (!targets)
        return `iscsiadm: No portals found\ncommand '/usr/bin/iscsiadm --mode discovery --type sendtargets --portal ${portal}' failed: exit code 21\n`;
      return targets.includes(o.target!)
        ? undefined
        : `no such target '${o.target}' on ${portal}\n`;
    }
    case 'lvm':
      return lab.vgs[node]?.[o.vgname!] ? undefined : `volume group '${o.vgname}' not found\n`;
    case 'lvmthin': {
      const pools = lab.vgs[node]?.[o.vgname!];
      if (!pools) return `volume group '${o.vgname}' not found\n`;
      return pools.includes(o.thinpool!)
        ? undefined
        : `no such thin pool '${o.vgname}/${o.thinpool}'\n`;
    }
    case 'zfspool':
      return lab.zpools[node]?.includes(o.pool!.split('/')[0]!)
        ? undefined
        : `zfs error: cannot open '${o.pool}': dataset does not exist\n`;
    case 'dir':
      return undefined;
    default:
      return `storage '${id}' cannot be activated here\n`;
  }
}

/** Sizes as the storage would report them once active. */
function sizesOf(type: string): { total: number; used: number } {
  if (type === 'nfs' || type === 'cifs' || type === 'glusterfs')
    return { total: 4000 * GiB, used: 1310 * GiB };
  if (type === 'iscsi') return { total: 0, used: 0 };
  return { total: 500 * GiB, used: 20 * GiB };
}

export const storageConfigRoutes: Record<string, Handler> = {
  'GET /storage': (ctx) => {
    const lab = storageLab(ctx.sim.state);
    const type = ctx.params.type ? String(ctx.params.type) : undefined;
    return ctx.sim.state.storages
      .filter((s) => !type || s.type === type)
      .map((s) => storageEntry(s, lab));
  },
  'GET /storage/{storage}': (ctx) => {
    const lab = storageLab(ctx.sim.state);
    const id = String(ctx.params.storage);
    const s = ctx.sim.state.storages.find((x) => x.storage === id);
    if (!s) throw new PveError(500, `storage '${id}' does not exist\n`);
    return { ...storageEntry(s, lab), digest: storageDigest(ctx.sim.state) };
  },
  'POST /storage': (ctx) => {
    const state = ctx.sim.state;
    const lab = storageLab(state);
    const { type, storage: id, ...rest } = ctx.params as Record<string, string>;
    const plugin = PLUGINS[type!];
    // The schema's enum has types this simulator does not model (pbs, esxi, btrfs…).
    if (!plugin) throw new PveError(500, `storage type '${type}' is not simulated\n`);
    if (state.storages.some((s) => s.storage === id))
      throw new PveError(500, `storage ID '${id}' already defined\n`);
    const opts: Record<string, string> = {};
    for (const [k, v] of Object.entries(rest)) {
      if (![...plugin.required, ...plugin.optional].includes(k))
        throw new PveError(500, `unexpected property '${k}'\n`);
      opts[k] = String(v);
    }
    for (const k of plugin.required)
      if (opts[k] === undefined)
        throw new PveError(500, `missing value for required option '${k}'\n`);
    const content = opts.content !== undefined ? splitList(opts.content) : plugin.defaultContent;
    for (const c of content)
      if (!plugin.contents.includes(c))
        throw new PveError(400, 'Parameter verification failed.\n', {
          content: `storage does not support content type '${c}'`,
        });
    if (opts.nodes !== undefined)
      for (const n of splitList(opts.nodes))
        if (!state.nodes.some((x) => x.name === n))
          throw new PveError(400, 'Parameter verification failed.\n', {
            nodes: `no such cluster node '${n}'`,
          });
    if (plugin.autoPath && opts.path === undefined) opts.path = `/mnt/pve/${id}`;
    const nodes = opts.nodes !== undefined ? splitList(opts.nodes) : undefined;
    const local = answeringNode(ctx);
    if (!flag(opts.disable) && (!nodes || nodes.includes(local))) {
      const err = activationError(lab, local, id!, { ...opts, type: type! });
      if (err) throw new PveError(500, err);
    }
    // The password goes to /etc/pve/priv/storage/<id>.pw, never into storage.cfg.
    // Content, nodes, disable and shared live on the storage (PUT changes them there).
    const { password: _secret, content: _c, nodes: _n, disable: _d, shared: _s, ...kept } = opts;
    void [_secret, _c, _n, _d, _s];
    lab.configs[id!] = kept;
    state.storages.push({
      storage: id!,
      type: type!,
      content: content.join(','),
      shared: !!plugin.shared || flag(opts.shared),
      ...sizesOf(type!),
      ...(nodes ? { nodes } : {}),
      ...(flag(opts.disable) ? { disabled: true } : {}),
    });
    return { storage: id, type };
  },
  // API2::Storage::Config update: the digest first, then what the plugin
  // takes (content a type cannot hold is dropped with a warning, as
  // decode_value does; none left is refused), `delete` checked against the
  // options. Past content, nodes, disable and shared it refuses every option
  // as fixed: PVE refuses its fixed ones (server, export, path, vgname…) so,
  // and this simulator models no other change (stricter than PVE there).
  'PUT /storage/{storage}': (ctx) => {
    const state = ctx.sim.state;
    const id = String(ctx.params.storage);
    const fail = (msg: string) => new PveError(500, `update storage failed: ${msg}`);
    const { storage: _id, digest, delete: del, ...rest } = ctx.params as Record<string, string>;
    void _id;
    if (digest !== undefined && digest !== storageDigest(state))
      throw fail('detected modified configuration - file changed by other user? Try again.\n');
    const s = state.storages.find((x) => x.storage === id);
    if (!s) throw fail(`storage '${id}' does not exist\n`);
    const plugin = PLUGINS[s.type];
    if (!plugin) throw fail(`storage type '${s.type}' is not simulated\n`);
    const changeable = ['content', 'nodes', 'disable', 'shared'];
    for (const k of Object.keys(rest))
      if (!changeable.includes(k)) throw fail(`can't change value of fixed parameter '${k}'\n`);
    const deleted = del !== undefined ? splitList(del) : [];
    for (const k of deleted) {
      if (![...plugin.required, ...plugin.optional, 'content'].includes(k))
        throw fail(`no such option '${k}'\n`);
      if (plugin.required.includes(k)) throw fail(`unable to delete required option '${k}'\n`);
      if (rest[k] !== undefined)
        throw fail(`cannot set and delete property '${k}' at the same time!\n`);
    }
    if (rest.nodes !== undefined)
      for (const n of splitList(rest.nodes))
        if (!state.nodes.some((x) => x.name === n))
          throw new PveError(400, 'Parameter verification failed.\n', {
            nodes: `no such cluster node '${n}'`,
          });
    if (rest.content !== undefined) {
      const content = splitList(rest.content).filter((c) => plugin.contents.includes(c));
      if (!content.length) throw fail("storage does not support content type 'none'\n");
      if (content.includes('none') && content.length > 1)
        throw fail("unable to combine 'none' with other content types\n");
      s.content = content.join(',');
    }
    if (rest.nodes !== undefined) s.nodes = splitList(rest.nodes);
    if (deleted.includes('nodes')) delete s.nodes;
    if (rest.disable !== undefined) s.disabled = flag(rest.disable);
    if (deleted.includes('disable')) s.disabled = false;
    if (rest.shared !== undefined && !plugin.shared) s.shared = flag(rest.shared);
    if (deleted.includes('shared') && !plugin.shared) s.shared = false;
    return { storage: id, type: s.type };
  },
  'DELETE /storage/{storage}': (ctx) => {
    const state = ctx.sim.state;
    const lab = storageLab(state);
    const id = String(ctx.params.storage);
    const at = state.storages.findIndex((s) => s.storage === id);
    if (at < 0) throw new PveError(500, `storage '${id}' does not exist\n`);
    const base = Object.entries(lab.configs).find(([, o]) =>
      String(o.base ?? '').startsWith(`${id}:`),
    );
    if (base)
      throw new PveError(
        500,
        `can't remove storage - storage is used as base of another storage\n`,
      );
    state.storages.splice(at, 1);
    delete lab.configs[id];
    // Its volumes stay where they are; PVE only forgets the storage.
    return null;
  },
};

/** storage.cfg's digest (PVE: the SHA-1 of the file): moves with every change. */
export function storageDigest(state: ClusterState): string {
  const cfg = storageLab(state).configs;
  return createHash('sha1')
    .update(JSON.stringify([state.storages, cfg]))
    .digest('hex');
}

/** A storage as GET /storage lists it: type, content, its options, digest left out. */
function storageEntry(s: Storage, lab: StorageLab): Record<string, unknown> {
  const o = lab.configs[s.storage] ?? {};
  return {
    storage: s.storage,
    type: s.type,
    content: s.content,
    ...(s.shared && !PLUGINS[s.type]?.shared ? { shared: 1 } : {}),
    ...(s.nodes ? { nodes: s.nodes.join(',') } : {}),
    ...(s.disabled ? { disable: 1 } : {}),
    ...o,
  };
}
