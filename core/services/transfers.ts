// Transfers: a volume's download, an upload into a pool (bytes from the page,
// or a file chosen in the desktop app's own dialog). The only holder of the
// files chosen in that dialog.
import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { ClusterdeckError } from '../../shared/errors';
import { startDownload } from '../transfers/download';
import { openUploadReceiver } from '../transfers/upload-receiver';
import { uploadIntoPool, uploadPaths, type UploadSource } from '../transfers/upload-task';
import { startApiUpload } from './storage-api';
import { guardFor, poolOrThrow, type ServiceContext } from './context';
import type { HandlersOf } from './handlers';

export class TransferService {
  /** Files chosen in the native dialog, by the one-time id the page holds. */
  private readonly chosenFiles = new Map<string, { path: string; bytes: number }>();

  constructor(private readonly ctx: ServiceContext) {}

  readonly handlers: HandlersOf<'startDownload' | 'appInfo' | 'chooseLocalFile' | 'startUpload'> = {
    startDownload: async ({ poolId, volume }, caller) => {
      const pool = poolOrThrow(this.ctx, poolId);
      const conn = this.ctx.connection(pool.hostId);
      const vol = pool.volumes.find((v) => v.name === volume);
      if (!vol)
        throw new ClusterdeckError(
          'not-found',
          `${pool.name} on ${conn.config.name} has no volume ${volume}.`,
        );
      if (
        (pool.type !== 'dir' && pool.type !== 'netfs') ||
        !vol.path.startsWith(`${pool.targetPath}/`)
      ) {
        throw new ClusterdeckError(
          'unsupported',
          `${volume} is in a ${pool.type} pool; downloads come from directory and network file system pools for now.`,
        );
      }
      return startDownload(this.ctx.tasks, conn, pool, vol, guardFor(this.ctx, caller));
    },

    appInfo: async () => ({ nativeFilePicker: !!this.ctx.opts.pickFile }),

    chooseLocalFile: async () => {
      const { pickFile } = this.ctx.opts;
      if (!pickFile) {
        throw new ClusterdeckError('unsupported', 'This window has no file dialog of its own.');
      }
      const path = await pickFile();
      if (!path) return null;
      const st = await stat(path);
      if (!st.isFile()) throw new ClusterdeckError('invalid-input', `${path} is not a file.`);
      const fileId = randomUUID();
      // Kept for one upload only; the page knows the id, never the path.
      this.chosenFiles.set(fileId, { path, bytes: st.size });
      return { fileId, name: basename(path), bytes: st.size };
    },

    startUpload: async ({ poolId, name, bytes, fileId, content, checksum }, caller) => {
      const pool = poolOrThrow(this.ctx, poolId);
      const conn = this.ctx.connection(pool.hostId);
      const node = conn.config.name;
      // A storage the cluster's API defines (Proxmox VE): the upload goes through that API.
      if (conn.getDriver().capabilities.includes('storage-api')) {
        const job = { name, bytes, content, checksum };
        if (fileId) {
          const file = this.chosenFiles.get(fileId);
          this.chosenFiles.delete(fileId);
          if (!file) throw new ClusterdeckError('not-found', 'Choose the file again.');
          const source = { kind: 'file' as const, path: file.path };
          return { taskId: startApiUpload(this.ctx, pool, { ...job, bytes: file.bytes, source }) };
        }
        const receiver = await openUploadReceiver(bytes, guardFor(this.ctx, caller));
        try {
          const source = { kind: 'page' as const, receiver };
          return { taskId: startApiUpload(this.ctx, pool, { ...job, source }), url: receiver.url };
        } catch (err) {
          receiver.close();
          throw err;
        }
      }
      if ((pool.type !== 'dir' && pool.type !== 'netfs') || !pool.targetPath) {
        throw new ClusterdeckError(
          'unsupported',
          `${pool.name} on ${node} is a ${pool.type} pool; uploads go to directory and network file system pools for now.`,
        );
      }
      if (pool.state !== 'running') {
        throw new ClusterdeckError(
          'invalid-state',
          `${pool.name} on ${node} is not running; start it first.`,
        );
      }
      if (pool.volumes.some((v) => v.name === name)) {
        throw new ClusterdeckError(
          'invalid-input',
          `${pool.name} on ${node} already has a volume named ${name}.`,
        );
      }
      let file: { path: string; bytes: number } | undefined;
      if (fileId) {
        file = this.chosenFiles.get(fileId);
        this.chosenFiles.delete(fileId);
        if (!file) throw new ClusterdeckError('not-found', 'Choose the file again.');
      }
      const guard = guardFor(this.ctx, caller);
      const start = (source: UploadSource, size: number) =>
        this.ctx.tasks.start(`Upload ${name}`, `${node} / ${pool.name}`, (ctx) =>
          uploadIntoPool(ctx, { conn, pool, name, bytes: size, source }),
        );
      const size = file?.bytes ?? bytes;
      // The node's data worker moves the bytes where it can (core/dataplane).
      const worker = await conn.dataPlane();
      if (worker) {
        const upload = worker.upload({
          source: file ? { kind: 'file', path: file.path } : { kind: 'page', guard },
          bytes: size,
          ...uploadPaths(pool, name),
        });
        const url = file ? undefined : await upload.url;
        const taskId = start({ kind: 'worker', upload, fromPage: !file }, size);
        return url ? { taskId, url } : { taskId };
      }
      if (file) return { taskId: start({ kind: 'file', path: file.path }, file.bytes) };
      const receiver = await openUploadReceiver(bytes, guard);
      const taskId = start({ kind: 'page', receiver }, bytes);
      return { taskId, url: receiver.url };
    },
  };
}
