// A backup archive removed or (un)protected on Proxmox VE, as the web
// interface's Backups view does it: `DELETE /nodes/{node}/storage/{storage}/content/{volid}`
// starts an `imgdel` worker (followed by UPID; PVE 8 and 9 answer its UPID
// when no `delay` is asked), whose refusal of a protected archive ("cannot
// remove protected volume …") ends the task with PVE's words; `PUT` of the
// same path with `protected=1|0` (or `notes`) answers at once; GET of it
// has the whole notes, where the content list has their first line. The volid stays whole in
// the path (pve-storage mounts `content` with fragmentDelimiter '': the
// rest of the path is the volume), so the pvesh command is the one an
// administrator types.
import type { BackupRef } from '../../../shared/backups';
import { runAsOneStep } from '../../tasks/one-step';
import type { TaskContext } from '../../tasks/runner';
import type { PveApiClient } from './api-client';
import { runWorker } from './tasks';

const fileOf = (volid: string): string => volid.split('/').pop() ?? volid;

/** The archive's path on its node: the storage is the volid's prefix (`nfs-shared:backup/…`). */
function contentPath(b: BackupRef): string {
  const storage = b.volid.slice(0, b.volid.indexOf(':'));
  return `/nodes/${b.node}/storage/${storage}/content/${b.volid}`;
}

export async function deleteBackupVolume(
  api: PveApiClient,
  b: BackupRef,
  ctx: TaskContext,
  pollMs?: number,
): Promise<void> {
  await runAsOneStep(ctx, `Delete ${fileOf(b.volid)} on ${b.node}`, () =>
    runWorker(api, contentPath(b), {}, ctx, pollMs, [], 'DELETE'),
  );
}

export async function protectBackupVolume(
  api: PveApiClient,
  b: BackupRef,
  on: boolean,
  ctx: TaskContext,
): Promise<void> {
  await runAsOneStep(ctx, `${on ? 'Protect' : 'Unprotect'} ${fileOf(b.volid)}`, () =>
    api.set(contentPath(b), { protected: on ? 1 : 0 }, { log: ctx.log, signal: ctx.signal }),
  );
}

export async function backupVolumeNotes(api: PveApiClient, b: BackupRef): Promise<string> {
  const info = await api.get<{ notes?: unknown }>(contentPath(b));
  return typeof info?.notes === 'string' ? info.notes : '';
}

export async function setBackupVolumeNotes(
  api: PveApiClient,
  b: BackupRef,
  notes: string,
  ctx: TaskContext,
): Promise<void> {
  await runAsOneStep(ctx, `Set the notes of ${fileOf(b.volid)}`, () =>
    api.set(contentPath(b), { notes }, { log: ctx.log, signal: ctx.signal }),
  );
}
