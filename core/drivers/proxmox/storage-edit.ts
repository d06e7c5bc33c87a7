// Edit storage on a Proxmox VE cluster: the settings an administrator changes
// after the fact (what the storage may hold, which nodes it is for, enabled
// or not), read with GET /storage/{id} and written with PUT /storage/{id}
// carrying the digest they were read with, so a change made meanwhile by
// another admin is refused ("detected modified configuration") instead of
// overwritten. A setting going back to its default is deleted (`delete`),
// as PVE's own GUI does: `nodes` gone means every node, `disable` gone means
// enabled. Its type's other settings (server, export, pool…) are fixed by
// PVE once made and are not offered here.
import type { StoragePool } from '../../../shared/model';
import {
  STORAGE_CONTENTS,
  type StorageContent,
  type StorageEdit,
  type StorageSettings,
} from '../../../shared/storage-api';
import type { TaskContext } from '../../tasks/runner';
import type { PveApiClient } from './api-client';
import { splitList } from './parse';
import { pveshCommand, type PveParams } from './pvesh';
import { poolRef } from './storage-config';
import { storageTypes } from './storage-types';

const listOf = (v: unknown): string[] => (typeof v === 'string' ? splitList(v) : []);

const isContent = (c: string): c is StorageContent =>
  (STORAGE_CONTENTS as readonly string[]).includes(c);

export async function readStorageSettings(
  api: PveApiClient,
  pool: StoragePool,
  major: number | undefined,
): Promise<StorageSettings> {
  const { storage } = poolRef(pool);
  const [cfg, nodes] = await Promise.all([
    api.get<Record<string, unknown>>(`/storage/${storage}`),
    api.get<{ node: string }[]>('/nodes'),
  ]);
  const type = String(cfg.type ?? '');
  const info = storageTypes(major).find((t) => t.type === type);
  return {
    storage,
    type,
    typeLabel: info?.label ?? type,
    // A type this app does not model keeps the content it has, and no more.
    contents: info?.contents ?? listOf(cfg.content).filter(isContent),
    content: listOf(cfg.content).filter(isContent),
    nodes: listOf(cfg.nodes).sort(),
    clusterNodes: (nodes ?? []).map((n) => n.node).sort(),
    disabled: cfg.disable === 1 || cfg.disable === true || cfg.disable === '1',
    digest: String(cfg.digest ?? ''),
  };
}

const same = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join(',') === [...b].sort().join(',');

/** PUT's parameters for the edit: only what changes, defaults deleted, the digest. */
export function storageEditParams(now: StorageSettings, edit: StorageEdit): PveParams {
  const params: Record<string, string | boolean> = {};
  const deleted: string[] = [];
  if (!same(now.content, edit.content)) params.content = edit.content.join(',');
  if (!same(now.nodes, edit.nodes)) {
    if (edit.nodes.length) params.nodes = [...edit.nodes].sort().join(',');
    else deleted.push('nodes');
  }
  if (now.disabled !== edit.disabled) {
    if (edit.disabled) params.disable = true;
    else deleted.push('disable');
  }
  if (deleted.length) params.delete = deleted.join(',');
  if (edit.digest) params.digest = edit.digest;
  return params;
}

export function planStorageEdit(
  now: StorageSettings,
  edit: StorageEdit,
): { steps: { title: string; command: string }[]; problems: string[] } {
  const problems: string[] = [];
  for (const c of edit.content)
    if (!now.contents.includes(c)) problems.push(`${now.typeLabel} storage cannot hold ${c}.`);
  if (edit.content.includes('none') && edit.content.length > 1)
    problems.push('"None" cannot go with other content types.');
  for (const n of edit.nodes)
    if (!now.clusterNodes.includes(n)) problems.push(`The cluster has no node ${n}.`);
  if (edit.digest !== now.digest)
    problems.push(
      `${now.storage} was changed since these settings were read (by another admin?): open Edit storage again.`,
    );
  const params = storageEditParams(now, edit);
  const changes = Object.keys(params).filter((k) => k !== 'digest');
  if (!changes.length) problems.push('Nothing changes.');
  const command = pveshCommand('PUT', `/storage/${now.storage}`, params);
  return { steps: [{ title: `Change storage ${now.storage}`, command }], problems };
}

/** The PUT itself; PVE refuses it when the digest no longer matches. */
export async function editStorage(
  api: PveApiClient,
  now: StorageSettings,
  edit: StorageEdit,
  ctx: TaskContext,
): Promise<void> {
  await api.set(`/storage/${now.storage}`, storageEditParams(now, edit), {
    log: ctx.log,
    signal: ctx.signal,
  });
}
