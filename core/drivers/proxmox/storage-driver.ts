// The Proxmox driver's storage ('storage-api'): New Storage Pool, Remove,
// Scan (storage-config.ts), uploads and Download from URL
// (storage-upload.ts), each run as the task's steps with the cluster read
// again after; and the ISO images and templates each of the connected
// node's storages holds (GET …/storage/{s}/content), read with every full
// load (start, after a task), not with the 3 s poll, and kept as the pools'
// volumes in between.
import { ClusterdeckError } from '../../../shared/errors';
import type { StoragePool, Volume } from '../../../shared/model';
import type {
  DownloadUrlSpec,
  StorageOptions,
  StorageEdit,
  StorageScanRequest,
  StorageSettings,
  StorageSpec,
} from '../../../shared/storage-api';
import { runAsOneStep } from '../../tasks/one-step';
import type { TaskContext } from '../../tasks/runner';
import type { StorageApi, StorageUpload } from '../capabilities';
import type { PveApiClient } from './api-client';
import type { PveStorage } from './parse';
import {
  createStorage,
  planStorage,
  poolRef,
  readStorageOptions,
  removeStorage,
  scanStorage,
} from './storage-config';
import { downloadToStorage, uploadToStorage } from './storage-upload';
import { editStorage, planStorageEdit, readStorageSettings } from './storage-edit';

export interface ProxmoxStorageDeps {
  client: () => PveApiClient;
  major: () => number | undefined;
  /** Reads the cluster (and the contents) again. */
  load: () => Promise<unknown>;
  pollMs?: number;
}

interface ContentRow {
  volid: string;
  content?: string;
  format?: string;
  size?: number;
  used?: number;
}

/** What the pool view lists: ISO images and templates (guest disks are the guests'). */
const LISTED = ['iso', 'vztmpl'];

export class ProxmoxStorage implements StorageApi {
  /** Volumes by storage id, on the connected node. */
  private readonly contents = new Map<string, Volume[]>();

  constructor(private readonly d: ProxmoxStorageDeps) {}

  /** Reads the content of the node's active storages that may hold ISO images or templates. */
  async readContents(node: string, storages: readonly PveStorage[]): Promise<void> {
    const mine = storages.filter(
      (s) =>
        s.node === node && s.status === 'available' && s.content.some((c) => LISTED.includes(c)),
    );
    const read = await Promise.all(
      mine.map(async (s) => {
        const rows = await this.d
          .client()
          .get<ContentRow[]>(`/nodes/${node}/storage/${s.storage}/content`)
          .catch(() => undefined);
        return [s.storage, rows] as const;
      }),
    );
    this.contents.clear();
    for (const [storage, rows] of read) {
      if (!rows) continue;
      this.contents.set(
        storage,
        rows
          .filter((r) => LISTED.includes(r.content ?? ''))
          .map((r) => ({
            name: r.volid.replace(/^[^:]+:(?:iso|vztmpl)\//, ''),
            path: r.volid,
            type: r.content ?? '',
            format: r.format ?? '',
            capacity: r.size ?? 0,
            allocation: r.used ?? r.size ?? 0,
          }))
          .sort((a, b) => a.name.localeCompare(b.name)),
      );
    }
  }

  /** The pool with what it may hold and the volumes last read. */
  withContent(pool: StoragePool, s: PveStorage | undefined): StoragePool {
    return {
      ...pool,
      volumes: this.contents.get(pool.name) ?? [],
      ...(s ? { content: s.content } : {}),
    };
  }

  readStorageOptions(): Promise<StorageOptions> {
    return readStorageOptions(this.d.client(), this.d.major());
  }

  planStorage(spec: StorageSpec, options: StorageOptions) {
    return planStorage(spec, options);
  }

  createStorage(spec: StorageSpec, ctx: TaskContext): Promise<void> {
    return this.step(`Add storage ${spec.storage}`, ctx, () =>
      createStorage(this.d.client(), spec, ctx),
    );
  }

  removeStorage(pool: StoragePool, ctx: TaskContext): Promise<void> {
    return this.step(`Remove storage ${pool.name}`, ctx, () =>
      removeStorage(this.d.client(), pool, ctx),
    );
  }

  readStorageSettings(pool: StoragePool): Promise<StorageSettings> {
    return readStorageSettings(this.d.client(), pool, this.d.major());
  }

  planStorageEdit(now: StorageSettings, edit: StorageEdit) {
    return planStorageEdit(now, edit);
  }

  editStorage(now: StorageSettings, edit: StorageEdit, ctx: TaskContext): Promise<void> {
    return this.step(`Change storage ${now.storage}`, ctx, () =>
      editStorage(this.d.client(), now, edit, ctx),
    );
  }

  scanStorage(request: StorageScanRequest) {
    return scanStorage(this.d.client(), request);
  }

  async uploadToStorage(pool: StoragePool, job: StorageUpload, ctx: TaskContext): Promise<void> {
    const { node, storage } = poolRef(pool);
    this.mayHold(pool, job.content);
    try {
      await uploadToStorage(this.d.client(), { ...job, node, storage }, ctx, this.d.pollMs);
    } finally {
      await this.d.load().catch(() => undefined);
    }
  }

  async downloadToStorage(
    pool: StoragePool,
    spec: DownloadUrlSpec,
    ctx: TaskContext,
  ): Promise<void> {
    const { node, storage } = poolRef(pool);
    this.mayHold(pool, spec.content);
    try {
      await downloadToStorage(this.d.client(), node, storage, spec, ctx, this.d.pollMs);
    } finally {
      await this.d.load().catch(() => undefined);
    }
  }

  /** Said before a byte is sent: PVE would refuse it only after the whole file. */
  private mayHold(pool: StoragePool, content: string): void {
    if (pool.content && !pool.content.includes(content))
      throw new ClusterdeckError(
        'invalid-input',
        `${pool.name} does not hold ${content === 'iso' ? 'ISO images' : 'container templates'} (its content: ${pool.content.join(', ') || 'none'}). Choose another storage, or add that content type to it with Edit storage.`,
      );
  }

  private step(title: string, ctx: TaskContext, run: () => Promise<void>): Promise<void> {
    return runAsOneStep(ctx, title, run, () => this.d.load());
  }
}
