// Storage a cluster defines for its nodes through its own API (Proxmox VE's
// /storage: capability 'storage-api'): New Storage Pool with the stack's own
// types, each type's fields as the driver reads them from its stack (the
// API's parameter names, required or optional, secret or not), the content
// it may hold, which nodes, shared; the stack's scans; Remove; uploads of
// ISO images and container templates into a storage. libvirt's pool
// documents (storage.ts) do not fit such a stack, so it has its own shape.
import { z } from 'zod';

/** What a storage may hold, in the stack's words (PVE's content types). */
export const STORAGE_CONTENTS = [
  'images',
  'rootdir',
  'iso',
  'vztmpl',
  'backup',
  'snippets',
  'import',
  'none',
] as const;
export type StorageContent = (typeof STORAGE_CONTENTS)[number];

export const STORAGE_CONTENT_LABELS: Record<StorageContent, string> = {
  images: 'Disk images (VMs)',
  rootdir: 'Container volumes',
  iso: 'ISO images',
  vztmpl: 'Container templates',
  backup: 'Backups',
  snippets: 'Snippets',
  import: 'Import',
  none: 'None (LUNs used directly)',
};

/** One field of a storage type's form: the API parameter it sets. */
export const storageFieldSchema = z.object({
  /** The API's parameter name (`server`, `export`, `vgname`…). */
  name: z.string().regex(/^[a-z][a-z0-9_-]*$/),
  label: z.string(),
  kind: z.enum(['text', 'password', 'number', 'boolean', 'select']),
  required: z.boolean(),
  hint: z.string().optional(),
  /** A select's values (the first is the stack's default). */
  choices: z.array(z.string()).optional(),
  /** A pattern the value must match (the API's own format), with what to say otherwise. */
  pattern: z.string().optional(),
  patternMessage: z.string().optional(),
});
export type StorageField = z.infer<typeof storageFieldSchema>;

/** A scan that fills fields: what it asks (fields by name) and what it fills. */
export const storageScanKindSchema = z.enum([
  'nfs',
  'cifs',
  'iscsi',
  'lvm',
  'lvmthin',
  'zfs',
  'glusterfs',
]);
export type StorageScanKind = z.infer<typeof storageScanKindSchema>;

export const storageTypeInfoSchema = z.object({
  type: z.string().regex(/^[a-z]+$/),
  label: z.string(),
  fields: z.array(storageFieldSchema),
  contents: z.array(z.enum(STORAGE_CONTENTS)),
  defaultContent: z.array(z.enum(STORAGE_CONTENTS)),
  /** Network storage is one storage for every node; a local one may be marked shared. */
  shared: z.enum(['always', 'choice', 'never']),
  /** The scan offered beside the fields, and which fields it needs first. */
  scan: z.object({ kind: storageScanKindSchema, needs: z.array(z.string()) }).optional(),
});
export type StorageTypeInfo = z.infer<typeof storageTypeInfoSchema>;

export const storageOptionsSchema = z.object({
  /** The cluster's nodes, for "which nodes" and the scan's node. */
  nodes: z.array(z.object({ name: z.string(), online: z.boolean() })),
  /** Storage ids already defined (cluster-wide). */
  storages: z.array(z.string()),
  /** The types this node's release has, with their fields. */
  types: z.array(storageTypeInfoSchema),
});
export type StorageOptions = z.infer<typeof storageOptionsSchema>;

/** A storage id (`pve-storage-id`): letters, digits, - _ . inside, at least 2. */
export const storageIdSchema = z
  .string()
  .trim()
  .min(2, 'At least 2 characters.')
  .max(64)
  .regex(
    /^[a-z][a-z0-9\-_.]*[a-z0-9]$/i,
    'A letter first, then letters, digits and - _ . (not last).',
  );

const nodeNameSchema = z.string().regex(/^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/);

export const storageSpecSchema = z.object({
  storage: storageIdSchema,
  type: z.string().regex(/^[a-z]+$/),
  /** The type's fields by API name; empty ones are left out. */
  values: z.record(
    z.string().regex(/^[a-z][a-z0-9_-]*$/),
    z.union([z.string().max(4096), z.boolean()]),
  ),
  content: z.array(z.enum(STORAGE_CONTENTS)).min(1, 'Choose what it may hold.'),
  /** The nodes it is for; none: every node of the cluster. */
  nodes: z.array(nodeNameSchema).max(64),
  /** For a local type that each node reaches the same way (a shared LUN's VG, a mounted folder). */
  shared: z.boolean().optional(),
});
export type StorageSpec = z.infer<typeof storageSpecSchema>;

export const storageScanRequestSchema = z.object({
  /** The node that runs the scan. */
  node: nodeNameSchema,
  kind: storageScanKindSchema,
  /** The fields the scan needs, by API name (server, portal, vg, username, password). */
  values: z.record(z.string().regex(/^[a-z][a-z0-9_-]*$/), z.string().max(1024)),
});
export type StorageScanRequest = z.infer<typeof storageScanRequestSchema>;

/** What a scan found, as the fields (by API name) it fills. */
export const storageFoundSchema = z.object({
  label: z.string(),
  values: z.record(z.string(), z.string()),
});
export type StorageFound = z.infer<typeof storageFoundSchema>;

/** What an upload into such a storage is: an ISO image or a container template. */
export const UPLOAD_CONTENTS = ['iso', 'vztmpl'] as const;
export type UploadContent = (typeof UPLOAD_CONTENTS)[number];

/** The file name extensions the stack takes for each (PVE refuses others). */
export const UPLOAD_EXTENSIONS: Record<UploadContent, RegExp> = {
  iso: /\.(?:iso|img)$/i,
  vztmpl: /\.tar\.(?:gz|xz|zst|bz2)$/i,
};

/** A checksum the node verifies before it keeps the file. */
export const uploadChecksumSchema = z.object({
  algorithm: z.enum(['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512']),
  value: z
    .string()
    .trim()
    .regex(/^[0-9a-fA-F]{32,128}$/, 'The checksum in hexadecimal, as sha256sum prints it.'),
});
export type UploadChecksum = z.infer<typeof uploadChecksumSchema>;

/** Download from URL: the node fetches the file itself. */
export const downloadUrlSpecSchema = z.object({
  url: z
    .string()
    .trim()
    .max(2048)
    .regex(/^https?:\/\/[^\s]+$/, 'An http:// or https:// address.'),
  filename: z
    .string()
    .trim()
    .min(1)
    .max(255)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._+=-]*$/, 'Letters, digits and . _ + = - only.'),
  content: z.enum(UPLOAD_CONTENTS),
  checksum: uploadChecksumSchema.optional(),
});
export type DownloadUrlSpec = z.infer<typeof downloadUrlSpecSchema>;

/**
 * Edit storage: what a defined storage's settings are now (PVE's GET
 * /storage/{id}), with what its type may hold and the cluster's nodes to
 * choose from; the config digest guards the change against another admin's.
 */
export const storageSettingsSchema = z.object({
  storage: z.string(),
  type: z.string(),
  typeLabel: z.string(),
  /** What the type may hold. */
  contents: z.array(z.enum(STORAGE_CONTENTS)),
  content: z.array(z.enum(STORAGE_CONTENTS)),
  /** The nodes it is for; none: every node of the cluster. */
  nodes: z.array(z.string()),
  clusterNodes: z.array(z.string()),
  disabled: z.boolean(),
  digest: z.string(),
});
export type StorageSettings = z.infer<typeof storageSettingsSchema>;

/** The settings Edit storage changes, as they should be after it. */
export const storageEditSchema = z.object({
  content: z.array(z.enum(STORAGE_CONTENTS)).min(1, 'Choose what it may hold.'),
  nodes: z.array(nodeNameSchema).max(64),
  disabled: z.boolean(),
  /** The digest the settings were read with. */
  digest: z
    .string()
    .max(64)
    .regex(/^[0-9a-f]*$/),
});
export type StorageEdit = z.infer<typeof storageEditSchema>;
