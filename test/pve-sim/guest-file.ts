// What a guest's config file holds besides its current options, as
// qemu-server and pve-container write it: the [PENDING] section (changes to
// a running guest that wait for its next start), the snapshots' sections
// and `parent` (the snapshot the current state grew from). The digest PVE
// guards edits with is the SHA-1 of that whole file, so a snapshot or a
// pending change moves it as an option change does. Kept beside each Guest
// (a WeakMap: a removed guest takes its file with it; a migrated one keeps it).
import { createHash } from 'node:crypto';
import { configText, type ConfigValue, type Guest } from './state';

export interface SimSnapshot {
  name: string;
  parent?: string;
  description: string;
  snaptime: number;
  /** The options when it was taken. */
  config: Record<string, ConfigValue>;
  /** It holds the VM's RAM (`vmstate`): a rollback brings it back running. */
  vmstate?: string;
}

export interface GuestFile {
  pending: Record<string, ConfigValue>;
  /** Options a running guest drops at its next start. */
  pendingDelete: string[];
  snapshots: SimSnapshot[];
  parent?: string;
}

const files = new WeakMap<Guest, GuestFile>();

export function fileOf(g: Guest): GuestFile {
  let f = files.get(g);
  if (!f) {
    f = { pending: {}, pendingDelete: [], snapshots: [] };
    files.set(g, f);
  }
  return f;
}

/** The file's text: options (and parent), [PENDING], then each [snapshot]. */
export function fileText(g: Guest): string {
  const f = fileOf(g);
  let text = configText({ ...g.config, ...(f.parent ? { parent: f.parent } : {}) });
  if (Object.keys(f.pending).length || f.pendingDelete.length)
    text += `\n[PENDING]\n${configText({
      ...f.pending,
      ...(f.pendingDelete.length ? { delete: f.pendingDelete.join(',') } : {}),
    })}`;
  for (const s of f.snapshots)
    text += `\n[${s.name}]\n${configText({
      ...s.config,
      ...(s.parent ? { parent: s.parent } : {}),
      ...(s.description ? { description: s.description } : {}),
      snaptime: s.snaptime,
      ...(s.vmstate ? { vmstate: s.vmstate } : {}),
    })}`;
  return text;
}

/** PVE's digest of the config file (what GET …/config answers and PUT checks). */
export function fileDigest(g: Guest): string {
  return createHash('sha1').update(fileText(g)).digest('hex');
}

/**
 * Options a running guest applies at once (hotplug), by kind: qemu's
 * default hotplug (network, disk, usb) and what is no hardware; a
 * container's cgroup limits and network too. Everything else waits.
 */
const HOT: Record<Guest['kind'], RegExp> = {
  qemu: /^(name|description|onboot|tags|protection|startup|balloon|shares|lock|(net|scsi|virtio|sata|ide|unused|usb)\d+)$/,
  lxc: /^(hostname|description|onboot|tags|protection|startup|memory|swap|cores|cpulimit|cpuunits|nameserver|searchdomain|(net|mp|unused)\d+)$/,
};

/** Applies a config change: to a running guest, what it cannot take now goes to [PENDING]. */
export function applyOrKeep(
  g: Guest,
  values: Record<string, ConfigValue>,
  deletes: readonly string[],
): void {
  const f = fileOf(g);
  const waits = (k: string) => g.status === 'running' && !HOT[g.kind].test(k);
  for (const key of deletes) {
    if (waits(key)) {
      if (!f.pendingDelete.includes(key)) f.pendingDelete.push(key);
      delete f.pending[key];
    } else delete g.config[key];
  }
  for (const [k, v] of Object.entries(values)) {
    if (waits(k) && String(g.config[k]) !== String(v)) {
      f.pending[k] = v;
      f.pendingDelete = f.pendingDelete.filter((d) => d !== k);
    } else {
      g.config[k] = v;
      delete f.pending[k];
    }
  }
}

/** At a (re)start the pending changes become the options, as vm_start applies them. */
export function applyPending(g: Guest): void {
  const f = fileOf(g);
  for (const k of f.pendingDelete) delete g.config[k];
  Object.assign(g.config, f.pending);
  f.pending = {};
  f.pendingDelete = [];
}

/** GET …/config: the pending values unless `current` asks for the running ones. */
export function shownConfig(g: Guest, current: boolean): Record<string, ConfigValue> {
  if (current) return g.config;
  const f = fileOf(g);
  const out = { ...g.config, ...f.pending };
  for (const k of f.pendingDelete) delete out[k];
  return out;
}

/** GET …/pending: each option with its value and its pending value or delete, sorted. */
export function pendingList(g: Guest): Record<string, unknown>[] {
  const f = fileOf(g);
  const keys = [
    ...new Set([...Object.keys(g.config), ...Object.keys(f.pending), ...f.pendingDelete]),
  ];
  return keys.sort().map((key) => ({
    key,
    ...(g.config[key] !== undefined ? { value: String(g.config[key]) } : {}),
    ...(f.pending[key] !== undefined ? { pending: String(f.pending[key]) } : {}),
    ...(f.pendingDelete.includes(key) ? { delete: 1 } : {}),
  }));
}
