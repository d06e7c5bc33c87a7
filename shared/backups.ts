// Backups of a cluster's guests (Proxmox VE: vzdump): the cluster's backup
// jobs (schedule, storage, which guests, mode, compression, retention),
// run now; a guest's backups, backed up now, a backup restored as a new
// guest, deleted, protected or unprotected, its notes edited. The methods are spread into
// shared/api.ts's table.
import { z } from 'zod';
import { idSchema } from './ids';

export const BACKUP_MODES = ['snapshot', 'suspend', 'stop'] as const;
export const BACKUP_MODE_LABELS: Record<(typeof BACKUP_MODES)[number], string> = {
  snapshot: 'Snapshot (the guest keeps running)',
  suspend: 'Suspend (paused while it is copied)',
  stop: 'Stop (shut down, backed up, started again)',
};
export const BACKUP_COMPRESSIONS = ['zstd', 'gzip', 'lzo', 'none'] as const;

/** A guest id as PVE has them (100 to 999999999). */
const vmid = z.number().int().min(100).max(999_999_999);
/** PVE's storage ids (pve-storage-id). */
const storageId = z
  .string()
  .regex(/^[a-z][a-z0-9\-_.]*[a-z0-9]$/i, 'Not a storage name.')
  .max(100);
const keep = z.number().int().min(0).max(99_999).optional();

/** prune-backups: how many to keep of each kind; none set = keep every backup. */
export const retentionSchema = z.object({
  keepLast: keep,
  keepDaily: keep,
  keepWeekly: keep,
  keepMonthly: keep,
});
export type Retention = z.infer<typeof retentionSchema>;

export const backupJobSpecSchema = z
  .object({
    /** A systemd-like calendar event, as PVE takes it: `02:30`, `sat 21:00`, `mon..fri 22:00`. */
    schedule: z
      .string()
      .trim()
      .min(1, 'Give a schedule, such as 02:30 or sat 21:00.')
      .max(128)
      .regex(
        /^[A-Za-z0-9 ,.:*/~-]+$/,
        'Use a calendar event such as 02:30, sat 21:00 or mon..fri 22:00.',
      ),
    storage: storageId,
    /** Every guest of the cluster (`all`), or the listed ones. */
    all: z.boolean(),
    vmids: z.array(vmid).max(10_000),
    mode: z.enum(BACKUP_MODES),
    compress: z.enum(BACKUP_COMPRESSIONS),
    retention: retentionSchema,
    enabled: z.boolean(),
    /** The job's comment. */
    comment: z
      .string()
      .max(512)
      .regex(/^[^\n\r]*$/, 'One line only.'),
    /** Notes each backup gets; {{guestname}}, {{vmid}}, {{node}}, {{cluster}} are filled in. */
    notesTemplate: z
      .string()
      .max(1024)
      .regex(/^[^\n\r]*$/, 'One line only.'),
  })
  .refine((j) => j.all || j.vmids.length > 0, {
    message: 'Choose the guests to back up, or all of them.',
    path: ['vmids'],
  });
export type BackupJobSpec = z.infer<typeof backupJobSpecSchema>;

export const backupJobSchema = z.object({
  id: z.string(),
  spec: backupJobSpecSchema,
  /** When it runs next (epoch seconds), as the cluster says. */
  nextRun: z.number().optional(),
  /** The one node it runs on, where it was limited to one (kept as it is by Edit). */
  node: z.string().optional(),
});
export type BackupJob = z.infer<typeof backupJobSchema>;

export const backupVolumeSchema = z.object({
  /** The storage's volume id, `nfs-shared:backup/vzdump-qemu-100-….vma.zst`. */
  volid: z.string(),
  storage: z.string(),
  /** A node that sees it (its own node for a node's local storage). */
  node: z.string(),
  shared: z.boolean(),
  vmid: z.number(),
  kind: z.enum(['vm', 'container']),
  /** Epoch seconds. */
  ctime: z.number(),
  size: z.number(),
  format: z.string(),
  notes: z.string().optional(),
  protected: z.boolean(),
});
export type BackupVolume = z.infer<typeof backupVolumeSchema>;

/** A storage that holds backups, and the nodes it is on. */
export const backupStorageSchema = z.object({
  id: z.string(),
  shared: z.boolean(),
  nodes: z.array(z.string()),
});

export const backupOverviewSchema = z.object({
  jobs: z.array(backupJobSchema),
  storages: z.array(backupStorageSchema),
  /** The guests a job can name. */
  guests: z.array(
    z.object({
      vmid: z.number(),
      name: z.string(),
      node: z.string(),
      kind: z.enum(['vm', 'container']),
    }),
  ),
  backups: z.array(backupVolumeSchema),
});
export type BackupOverview = z.infer<typeof backupOverviewSchema>;

export const guestBackupsSchema = z.object({
  backups: z.array(backupVolumeSchema),
  /** Where Back up now can write (storages with backup content on the guest's node). */
  storages: z.array(z.string()),
});
export type GuestBackups = z.infer<typeof guestBackupsSchema>;

export const backupNowSchema = z.object({
  vmId: idSchema,
  storage: storageId,
  mode: z.enum(BACKUP_MODES),
  compress: z.enum(BACKUP_COMPRESSIONS),
});
export type BackupNow = z.infer<typeof backupNowSchema>;

/** Which backup, seen from which node (the restore runs there). */
export const restoreSourceSchema = z.object({
  hostId: idSchema,
  volid: z
    .string()
    .min(1)
    .max(255)
    .regex(/^[a-z][a-z0-9\-_.]*[a-z0-9]:backup\/[^\s/]+$/i),
  node: z
    .string()
    .regex(/^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/)
    .max(63),
});

/** A backup archive as delete and protect name it: its volid, seen from that node. */
export const backupRefSchema = restoreSourceSchema;
export type BackupRef = z.infer<typeof backupRefSchema>;

/** A backup's notes (Proxmox keeps them beside the archive; the list shows their first line). */
export const backupNotesSchema = z.string().max(4096, 'At most 4096 characters.');

export const restorePlanSchema = z.object({
  kind: z.enum(['vm', 'container']),
  /** The guest id /cluster/nextid proposes. */
  nextVmid: z.number(),
  /** What the archive holds (its config): name, CPUs, memory, disks, networks. */
  summary: z.array(z.tuple([z.string(), z.string()])),
  /** Where the disks can go on that node ('' = where they were). */
  storages: z.array(z.string()),
});
export type RestorePlan = z.infer<typeof restorePlanSchema>;

export const restoreSpecSchema = restoreSourceSchema.extend({
  vmid,
  /** Storage for the disks; absent: where they were backed up from. */
  storage: storageId.optional(),
  start: z.boolean(),
});
export type RestoreSpec = z.infer<typeof restoreSpecSchema>;

const taskStarted = z.object({ taskId: z.string() });
const onHost = z.object({ hostId: idSchema });
const jobId = z.string().min(1).max(50).regex(/^\S+$/);

export const backupMethods = {
  /** The cluster's backup jobs, backup storages, guests and backups (read through one node). */
  backupOverview: { params: onHost, result: backupOverviewSchema },
  /** Create (no id) or change a backup job. */
  saveBackupJob: {
    params: onHost.extend({ id: jobId.optional(), job: backupJobSpecSchema }),
    result: taskStarted,
  },
  deleteBackupJob: { params: onHost.extend({ id: jobId }), result: taskStarted },
  /** The job's backups now (vzdump on each node with its guests). */
  runBackupJob: { params: onHost.extend({ id: jobId }), result: taskStarted },
  guestBackups: { params: z.object({ vmId: idSchema }), result: guestBackupsSchema },
  backupGuestNow: { params: backupNowSchema, result: taskStarted },
  planRestore: { params: restoreSourceSchema, result: restorePlanSchema },
  restoreBackup: { params: restoreSpecSchema, result: taskStarted },
  /** Removes the archive (a protected one is refused by the stack). */
  deleteBackup: { params: backupRefSchema, result: taskStarted },
  /** Protects the archive from deletion and pruning, or lifts that. */
  protectBackup: {
    params: backupRefSchema.extend({ protected: z.boolean() }),
    result: taskStarted,
  },
  /** The archive's whole notes (what Edit notes starts from). */
  backupNotes: { params: backupRefSchema, result: z.object({ notes: z.string() }) },
  /** Replaces them ('' removes them). */
  setBackupNotes: {
    params: backupRefSchema.extend({ notes: backupNotesSchema }),
    result: taskStarted,
  },
} as const;
