// ISO images and container templates into a Proxmox VE storage, the way its
// web interface sends them: one multipart/form-data POST to
// /nodes/{node}/storage/{storage}/upload (content, the checksum when one is
// given, then the file as the part named `filename`), streamed through the
// API tunnel with its exact Content-Length and backpressure, progress by the
// bytes written; pveproxy keeps it as a temporary file and answers the UPID
// of an `imgcopy` worker that checks the checksum and copies it into the
// storage, followed as any worker (tasks.ts). Cancel while sending drops the
// connection (pveproxy deletes its temporary file); afterwards it stops the
// worker. Also Download from URL: the node fetches the file itself.
import type { Readable } from 'node:stream';
import { ClusterdeckError } from '../../../shared/errors';
import type { DownloadUrlSpec, UploadChecksum, UploadContent } from '../../../shared/storage-api';
import { transferLine } from '../../../shared/units';
import { commandRecorder } from '../../ssh/exec';
import type { TaskContext } from '../../tasks/runner';
import type { IncomingMessage } from 'node:http';
import { pveHttpError, readBody, type PveApiClient } from './api-client';
import { pveshCommand, type PveParams } from './pvesh';
import { followWorker, runWorker } from './tasks';

export interface UploadJob {
  node: string;
  storage: string;
  name: string;
  content: UploadContent;
  bytes: number;
  checksum?: UploadChecksum;
  /** The bytes, once they come (the page's PUT, or a file read here). */
  source: () => Promise<Readable>;
  /** Told when every byte reached the node (the page's request is answered then). */
  onSent?: () => void;
}

/** A form field's value in a multipart body: no line breaks or quotes can reach it. */
function field(boundary: string, name: string, value: string): string {
  if (/[\r\n"]/.test(value)) throw new ClusterdeckError('invalid-input', `Not a valid ${name}.`);
  return `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
}

/** An answer's `data`, or the error naming the node and the call (as every call's). */
async function readAnswer(node: string, res: IncomingMessage, command: string): Promise<unknown> {
  const body = await readBody(res);
  const status = res.statusCode ?? 0;
  if (status < 200 || status > 299)
    throw pveHttpError(node, command, status, res.statusMessage ?? '', body);
  return (JSON.parse(body) as { data?: unknown }).data ?? null;
}

/** Sends the file and answers the worker's UPID. */
async function send(
  api: PveApiClient,
  job: UploadJob,
  ctx: TaskContext,
  command: string,
  path: string,
): Promise<string> {
  // The name goes into a header line of the body: no quote, backslash or line break.
  if (/["\\\r\n]/.test(job.name))
    throw new ClusterdeckError('invalid-input', `Not a file name Proxmox VE takes: ${job.name}`);
  const boundary = `----clusterdeck${Math.random().toString(16).slice(2)}${Date.now().toString(16)}`;
  const head =
    field(boundary, 'content', job.content) +
    (job.checksum
      ? field(boundary, 'checksum-algorithm', job.checksum.algorithm) +
        field(boundary, 'checksum', job.checksum.value.toLowerCase())
      : '') +
    `--${boundary}\r\nContent-Disposition: form-data; name="filename"; filename="${job.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  const tail = `\r\n--${boundary}--\r\n`;
  const length = Buffer.byteLength(head) + job.bytes + Buffer.byteLength(tail);
  const source = await job.source();
  const req = api.streamRequest(path, {
    'Content-Type': `multipart/form-data; boundary=${boundary}`,
    'Content-Length': String(length),
  });
  const started = Date.now();
  let sent = 0;
  let shown = 0;
  return new Promise<string>((resolve, reject) => {
    let settled = false;
    const finish = (err?: Error, upid?: string) => {
      if (settled) return;
      settled = true;
      ctx.signal.removeEventListener('abort', onAbort);
      if (err) {
        source.destroy();
        req.destroy();
        reject(err);
      } else resolve(upid!);
    };
    const onAbort = () =>
      finish(
        new ClusterdeckError('cancelled', `Cancelled the upload of ${job.name} to ${job.node}.`),
      );
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    req.on('response', (res) => {
      readAnswer(api.node, res, command).then(
        (data) =>
          typeof data === 'string'
            ? finish(undefined, data)
            : finish(
                new ClusterdeckError(
                  'command-failed',
                  `${job.node}: \`${command}\` gave no task id.`,
                ),
              ),
        (err: Error) => finish(err),
      );
    });
    req.on('error', (err) =>
      finish(
        err instanceof ClusterdeckError
          ? err
          : new ClusterdeckError('unreachable', `${job.node}: \`${command}\`: ${err.message}.`),
      ),
    );
    source.on('error', (err) =>
      finish(new ClusterdeckError('command-failed', `Reading ${job.name} failed: ${err.message}.`)),
    );
    req.write(head);
    source.on('data', (chunk: Buffer) => {
      sent += chunk.length;
      if (sent > job.bytes) {
        finish(new ClusterdeckError('invalid-input', `${job.name} is larger than announced.`));
        return;
      }
      if (!req.write(chunk)) {
        source.pause();
        req.once('drain', () => source.resume());
      }
      const now = Date.now();
      if (now - shown >= 200 || sent === job.bytes) {
        shown = now;
        ctx.progress((sent / job.bytes) * 0.9);
        ctx.detail(transferLine(sent, job.bytes, now - started));
      }
    });
    source.on('end', () => {
      if (sent !== job.bytes) {
        finish(
          new ClusterdeckError(
            'invalid-input',
            `${job.name} ended after ${sent} of ${job.bytes} bytes.`,
          ),
        );
        return;
      }
      req.end(tail);
      job.onSent?.();
    });
  });
}

export async function uploadToStorage(
  api: PveApiClient,
  job: UploadJob,
  ctx: TaskContext,
  pollMs?: number,
): Promise<void> {
  const path = `/nodes/${job.node}/storage/${job.storage}/upload`;
  const params: PveParams = {
    content: job.content,
    filename: job.name,
    'checksum-algorithm': job.checksum?.algorithm,
    checksum: job.checksum?.value.toLowerCase(),
  };
  const command = pveshCommand('POST', path, params);
  const record = commandRecorder(job.node, command, ctx.log);
  ctx.setSteps([
    `${job.node}: Send ${job.name} to ${job.storage}`,
    `${job.node}: ${job.checksum ? 'Check its checksum and copy' : 'Copy'} it into ${job.storage}`,
  ]);
  let step = 0;
  try {
    ctx.stepState(0, 'running');
    ctx.detail('Waiting for the file…');
    let upid: string;
    try {
      upid = await send(api, job, ctx, command, path);
      record(0, '');
    } catch (err) {
      record(
        err instanceof ClusterdeckError && err.code === 'cancelled' ? null : 1,
        (err as Error).message,
      );
      throw err;
    }
    ctx.stepState(0, 'done');
    step = 1;
    ctx.stepState(1, 'running');
    await followWorker(api, upid, command, ctx, pollMs);
    ctx.progress(1);
    ctx.stepState(1, 'done');
  } catch (err) {
    ctx.stepState(step, 'failed');
    // Dropped while sending: pveproxy deletes its temporary file, the storage never saw it.
    if (step === 0 && err instanceof ClusterdeckError && err.code === 'cancelled')
      ctx.detail('Cancelled; nothing was kept on the node.');
    throw err;
  }
}

/** Download from URL: a `download` worker on the node, followed to its end. */
export async function downloadToStorage(
  api: PveApiClient,
  node: string,
  storage: string,
  spec: DownloadUrlSpec,
  ctx: TaskContext,
  pollMs?: number,
): Promise<void> {
  ctx.setSteps([`${node}: Download ${spec.filename} into ${storage}`]);
  ctx.stepState(0, 'running');
  try {
    await runWorker(
      api,
      `/nodes/${node}/storage/${storage}/download-url`,
      {
        url: spec.url,
        content: spec.content,
        filename: spec.filename,
        'checksum-algorithm': spec.checksum?.algorithm,
        checksum: spec.checksum?.value.toLowerCase(),
      },
      ctx,
      pollMs,
    );
    ctx.stepState(0, 'done');
  } catch (err) {
    ctx.stepState(0, 'failed');
    throw err;
  }
}
