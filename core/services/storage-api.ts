// Storage the cluster defines through its API (a driver with `storageApi`,
// Proxmox VE, capability 'storage-api'): New Storage Pool's choices, plan
// and create; Remove; the stack's scans; uploads (from TransferService) and
// Download from URL into a storage. Each change runs as one task, the plan
// made again on Create and refused on any problem.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { ClusterdeckError, toErrorPayload } from '../../shared/errors';
import type { StoragePool } from '../../shared/model';
import {
  UPLOAD_EXTENSIONS,
  type StorageEdit,
  type StorageOptions,
  type StorageSpec,
  type UploadChecksum,
  type UploadContent,
} from '../../shared/storage-api';
import type { StorageApi } from '../drivers/capabilities';
import { taskTarget } from '../tasks/runner';
import type { UploadReceiver } from '../transfers/upload-receiver';
import { poolOrThrow, type ServiceContext } from './context';
import type { HandlersOf } from './handlers';
import { refuseProblems } from './planned-operation';

/** How long a plan and Create reuse the options the wizard read. */
const OPTIONS_FRESH_MS = 30_000;

/** The driver's storage API of a host, or the reason it has none. */
export function storageApiOf(ctx: ServiceContext, hostId: string): StorageApi {
  const conn = ctx.connection(hostId);
  const api = conn.getDriver().storageApi;
  if (!api || !conn.getDriver().capabilities.includes('storage-api'))
    throw new ClusterdeckError(
      'unsupported',
      `${conn.config.name} defines no storage through its cluster's API; use New Storage Pool's own steps.`,
    );
  return api;
}

/** Rejects when the signal aborts (a page that never sends is the receiver's to time out). */
function unlessCancelled<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new ClusterdeckError('cancelled', 'The upload was cancelled.'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * An upload into such a storage as a task: the bytes from the page's PUT or
 * a file chosen in the desktop dialog, through the driver. What PVE would
 * refuse only after the whole file (content, extension, a name the storage
 * already has: PVE would overwrite it) is refused before.
 */
export function startApiUpload(
  ctx: ServiceContext,
  pool: StoragePool,
  job: {
    name: string;
    bytes: number;
    content: UploadContent | undefined;
    checksum: UploadChecksum | undefined;
    source: { kind: 'page'; receiver: UploadReceiver } | { kind: 'file'; path: string };
  },
): string {
  const conn = ctx.connection(pool.hostId);
  const api = storageApiOf(ctx, pool.hostId);
  const { content, name } = job;
  if (!content)
    throw new ClusterdeckError(
      'invalid-input',
      'Say whether the file is an ISO image or a container template.',
    );
  if (!UPLOAD_EXTENSIONS[content].test(name))
    throw new ClusterdeckError(
      'invalid-input',
      content === 'iso'
        ? `${name}: an ISO image's name ends in .iso or .img.`
        : `${name}: a container template's name ends in .tar.gz, .tar.xz, .tar.zst or .tar.bz2.`,
    );
  if (pool.volumes.some((v) => v.name === name))
    throw new ClusterdeckError(
      'invalid-input',
      `${pool.name} on ${conn.config.name} already has ${name}; Proxmox VE would overwrite it. Choose another name, or delete that one first.`,
    );
  const receiver = job.source.kind === 'page' ? job.source.receiver : undefined;
  const path = job.source.kind === 'file' ? job.source.path : undefined;
  return ctx.tasks.start(`Upload ${name}`, `${conn.config.name} / ${pool.name}`, async (t) => {
    try {
      await api.uploadToStorage(
        pool,
        {
          name,
          content,
          bytes: job.bytes,
          ...(job.checksum ? { checksum: job.checksum } : {}),
          source: (): Promise<Readable> =>
            receiver
              ? unlessCancelled(receiver.request, t.signal)
              : Promise.resolve(createReadStream(path!, { highWaterMark: 1024 * 1024 })),
          onSent: () => receiver?.finish(204),
        },
        t,
      );
    } catch (err) {
      const p = toErrorPayload(err);
      receiver?.finish(p.code === 'cancelled' ? 499 : 500, p.message);
      throw err;
    }
  });
}

export class StorageApiService {
  private readonly options = new Map<string, { at: number; read: Promise<StorageOptions> }>();

  constructor(private readonly ctx: ServiceContext) {}

  private readOptions(hostId: string, reuse: boolean): Promise<StorageOptions> {
    const had = this.options.get(hostId);
    if (reuse && had && Date.now() - had.at < OPTIONS_FRESH_MS) return had.read;
    const read = storageApiOf(this.ctx, hostId).readStorageOptions();
    this.options.set(hostId, { at: Date.now(), read });
    read.catch(() => this.options.delete(hostId));
    return read;
  }

  private async plan(hostId: string, spec: StorageSpec, reuse: boolean) {
    const options = await this.readOptions(hostId, reuse);
    const { steps, problems } = storageApiOf(this.ctx, hostId).planStorage(spec, options);
    const node = this.ctx.connection(hostId).config.name;
    return {
      problems,
      steps: steps.map((s) => ({ hostId, node, title: s.title, command: s.command })),
    };
  }

  /** Edit storage's plan against the settings as they are now. */
  private async planEdit(poolId: string, edit: StorageEdit) {
    const pool = poolOrThrow(this.ctx, poolId);
    const api = storageApiOf(this.ctx, pool.hostId);
    const node = this.ctx.connection(pool.hostId).config.name;
    const now = await api.readStorageSettings(pool);
    const { steps, problems } = api.planStorageEdit(now, edit);
    const plan = {
      problems,
      steps: steps.map((s) => ({ hostId: pool.hostId, node, title: s.title, command: s.command })),
    };
    return { plan, now, pool, api, node };
  }

  readonly handlers: HandlersOf<
    | 'getStorageOptions'
    | 'planStorage'
    | 'createStorage'
    | 'removeStorage'
    | 'getStorageSettings'
    | 'planStorageEdit'
    | 'editStorage'
    | 'scanStorage'
    | 'downloadToStorage'
  > = {
    getStorageOptions: ({ hostId }) => this.readOptions(hostId, false),
    planStorage: ({ hostId, spec }) => this.plan(hostId, spec, true),
    createStorage: async ({ hostId, spec }) => {
      // Read again: another admin may have added that id meanwhile.
      const plan = await this.plan(hostId, spec, false);
      refuseProblems(plan.problems);
      this.options.delete(hostId);
      const api = storageApiOf(this.ctx, hostId);
      const node = this.ctx.connection(hostId).config.name;
      const taskId = this.ctx.tasks.start(
        `New storage ${spec.storage}`,
        taskTarget(node, spec.storage),
        (t) => api.createStorage(spec, t),
      );
      return { taskId };
    },
    removeStorage: async ({ poolId }) => {
      const pool = poolOrThrow(this.ctx, poolId);
      const api = storageApiOf(this.ctx, pool.hostId);
      this.options.delete(pool.hostId);
      const node = this.ctx.connection(pool.hostId).config.name;
      const taskId = this.ctx.tasks.start(
        `Remove storage ${pool.name}`,
        taskTarget(node, pool.name),
        (t) => api.removeStorage(pool, t),
      );
      return { taskId };
    },
    getStorageSettings: ({ poolId }) => {
      const pool = poolOrThrow(this.ctx, poolId);
      return storageApiOf(this.ctx, pool.hostId).readStorageSettings(pool);
    },
    planStorageEdit: ({ poolId, edit }) => this.planEdit(poolId, edit).then((p) => p.plan),
    editStorage: async ({ poolId, edit }) => {
      // Read again: the digest in the edit must still be the cluster's.
      const { plan, now, pool, api, node } = await this.planEdit(poolId, edit);
      refuseProblems(plan.problems);
      this.options.delete(pool.hostId);
      const taskId = this.ctx.tasks.start(
        `Change storage ${pool.name}`,
        taskTarget(node, pool.name),
        (t) => api.editStorage(now, edit, t),
      );
      return { taskId };
    },
    scanStorage: ({ hostId, request }) => storageApiOf(this.ctx, hostId).scanStorage(request),
    downloadToStorage: async ({ poolId, spec }) => {
      const pool = poolOrThrow(this.ctx, poolId);
      const api = storageApiOf(this.ctx, pool.hostId);
      if (pool.volumes.some((v) => v.name === spec.filename))
        throw new ClusterdeckError(
          'invalid-input',
          `${pool.name} already has ${spec.filename}; choose another name.`,
        );
      if (!UPLOAD_EXTENSIONS[spec.content].test(spec.filename))
        throw new ClusterdeckError(
          'invalid-input',
          `${spec.filename} does not end as ${spec.content === 'iso' ? 'an ISO image (.iso, .img)' : 'a container template (.tar.gz, .tar.xz, .tar.zst)'} does.`,
        );
      const node = this.ctx.connection(pool.hostId).config.name;
      const taskId = this.ctx.tasks.start(
        `Download ${spec.filename}`,
        `${node} / ${pool.name}`,
        (t) => api.downloadToStorage(pool, spec, t),
      );
      return { taskId };
    },
  };
}
