// ISO and template uploads as pveproxy and pve-storage take them. pveproxy
// (PVE::APIServer::AnyEvent) accepts a body on the upload path only as
// multipart/form-data with a Content-Length, writes the part named
// `filename` to /var/tmp/pveupload-<md5> and passes its client-side name as
// `filename` and the temporary file as `tmpfilename`; any other body over
// 64 KiB, chunked bodies and multipart elsewhere are refused. The API call
// (API2::Storage::Status upload) then checks the storage, the extension and
// the content type and starts an `imgcopy` worker that verifies the
// checksum and copies the file into the storage's template folder. Also
// `download-url`: a `download` worker fetching from the lab's web server.
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { storageOn } from './content';
import { PveError, requireNode, type Ctx, type Handler } from './context';
import { storageLab } from './storage-config';
import type { ClusterState, SimVolume } from './state';

const MAX_POST = 64 * 1024;
const UPLOAD_PATH = /^\/nodes\/[^/]+\/storage\/[^/]+\/upload$/;

/** Types whose storages have a path, so files can go into them (`$scfg->{path}`). */
const FILE_TYPES = ['dir', 'nfs', 'cifs', 'glusterfs', 'cephfs'];
const EXTENSIONS: Record<string, RegExp> = {
  iso: /[^/]+\.(?:iso|img)$/i,
  vztmpl: /[^/]+\.tar\.(?:gz|xz|zst|bz2)$/i,
};
const FOLDERS: Record<string, string> = { iso: 'template/iso', vztmpl: 'template/cache' };

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** A multipart body's parts: name, the client's file name, the bytes. */
function parseMultipart(
  body: Buffer,
  boundary: string,
): { name: string; filename?: string; data: Buffer }[] {
  const delim = Buffer.from(`--${boundary}`);
  const parts: { name: string; filename?: string; data: Buffer }[] = [];
  let at = body.indexOf(delim);
  while (at >= 0) {
    const start = at + delim.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const headEnd = body.indexOf('\r\n\r\n', start);
    if (headEnd < 0) break;
    const head = body.subarray(start, headEnd).toString('utf8');
    const next = body.indexOf(delim, headEnd + 4);
    if (next < 0) break;
    // The part ends with CRLF before the next delimiter.
    const data = body.subarray(headEnd + 4, next - 2);
    const disp = /content-disposition:\s*form-data\s*;([^\r\n]*)/i.exec(head)?.[1] ?? '';
    const name = /(?:^|;)\s*name="?([^";]+)"?/.exec(disp)?.[1];
    const filename = /filename="?([^";]+)"?/.exec(disp)?.[1];
    if (!name) throw new PveError(501, 'upload failed\n');
    parts.push({ name, ...(filename ? { filename } : {}), data });
    at = next;
  }
  return parts;
}

/**
 * The request's parameters the way pveproxy reads a body: the upload path
 * as multipart (its file kept as a temporary file), anything else as a form
 * or JSON of at most 64 KiB. Undefined: not a body this module reads.
 */
export async function readUploadBody(
  req: IncomingMessage,
  rel: string,
  state: ClusterState,
): Promise<Record<string, unknown> | undefined> {
  const ctype = String(req.headers['content-type'] ?? '');
  const [ct, ...rest] = ctype.split(/\s*;\s*/);
  const boundary = rest.find((p) => /^boundary=/i.test(p))?.replace(/^boundary="?|"?$/gi, '');
  const te = req.headers['transfer-encoding'];
  if (te)
    throw new PveError(
      501,
      te.toLowerCase() === 'chunked'
        ? 'chunked transfer encoding not supported'
        : `Unknown transfer encoding '${te}'`,
    );
  if (!UPLOAD_PATH.test(rel)) {
    if (Number(req.headers['content-length'] ?? 0) > MAX_POST)
      throw new PveError(501, 'for data too large');
    if (ct?.toLowerCase() === 'multipart/form-data')
      throw new PveError(506, `upload 'Content-Type '${ctype}' not implemented`);
    return undefined;
  }
  if (req.method !== 'POST' && req.method !== 'PUT') return undefined;
  if (!boundary || ct?.toLowerCase() !== 'multipart/form-data')
    throw new PveError(501, `upload 'Content-Type '${ctype}' not implemented`);
  if (!req.headers['content-length'])
    throw new PveError(501, 'upload without content length header not supported');
  const parts = parseMultipart(await readAll(req), boundary);
  const params: Record<string, unknown> = {};
  let tmp: string | undefined;
  for (const p of parts) {
    if (p.filename !== undefined) {
      if (p.name !== 'filename') throw new PveError(501, 'upload failed\n');
      tmp = `/var/tmp/pveupload-${createHash('md5').update(randomBytes(16)).digest('hex')}`;
      storageLab(state).tmpFiles.set(tmp, Buffer.from(p.data));
      params.filename = p.filename;
    } else {
      params[p.name] = p.data.toString('utf8');
    }
  }
  if (!tmp) throw new PveError(501, 'upload failed\n');
  params.tmpfilename = tmp;
  return params;
}

/** PVE's normalize_content_filename: the last path part, unsafe characters as `_`. */
export function normalizeFilename(name: string): string {
  return name.replace(/^.*[/\\]/, '').replace(/[^a-zA-Z0-9\-.+=_]/g, '_');
}

/** Where a file of that content goes on the storage, and its volid; or PVE's refusal. */
function target(ctx: Ctx, content: string, given: string, notFileMessage: string) {
  const node = requireNode(ctx);
  const storage = storageOn(ctx, node.name, String(ctx.params.storage));
  if (!FILE_TYPES.includes(storage.type))
    throw new PveError(500, notFileMessage.replace('%s', storage.type));
  const filename = normalizeFilename(given);
  const ext = EXTENSIONS[content];
  if (!ext) throw new PveError(500, `content type '${content}' is not simulated\n`);
  if (!ext.test(filename))
    throw new PveError(400, 'Parameter verification failed.\n', {
      filename: 'wrong file extension',
    });
  const path = String(
    storageLab(ctx.sim.state).configs[storage.storage]?.path ?? `/mnt/pve/${storage.storage}`,
  );
  return {
    node,
    storage,
    filename,
    dest: `${path}/${FOLDERS[content]}/${filename}`,
    volid: `${storage.storage}:${content}/${filename}`,
  };
}

/** The volume the worker leaves: replaces a file of that name (PVE overwrites it). */
function keep(state: ClusterState, v: SimVolume): void {
  state.volumes = state.volumes.filter((x) => !(x.volid === v.volid && x.node === v.node));
  state.volumes.push(v);
}

const FORMATS: Record<string, string> = { gz: 'tgz', xz: 'txz', zst: 'tzst', bz2: 'tbz2' };
const formatOf = (content: string, filename: string): string =>
  content === 'iso' ? 'iso' : (FORMATS[/\.tar\.(\w+)$/.exec(filename)?.[1] ?? ''] ?? 'tgz');

function hash(algorithm: unknown, data: Buffer): string | undefined {
  return algorithm ? createHash(String(algorithm)).update(data).digest('hex') : undefined;
}

export const uploadRoutes: Record<string, Handler> = {
  'POST /nodes/{node}/storage/{storage}/upload': (ctx) => {
    const lab = storageLab(ctx.sim.state);
    const content = String(ctx.params.content);
    const tmp = ctx.params.tmpfilename ? String(ctx.params.tmpfilename) : undefined;
    const t = target(
      ctx,
      content,
      String(ctx.params.filename),
      "can't upload to storage type '%s'\n",
    );
    if (!tmp) throw new PveError(500, 'missing temporary file name\n');
    const data = lab.tmpFiles.get(tmp);
    if (!data) throw new PveError(500, `temporary file '${tmp}' does not exist\n`);
    if (!t.storage.content.split(',').includes(content))
      throw new PveError(
        500,
        `storage '${t.storage.storage}' does not support '${content}' content\n`,
      );
    const got = hash(ctx.params['checksum-algorithm'], data);
    const expected = ctx.params.checksum ? String(ctx.params.checksum).toLowerCase() : undefined;
    const mismatch = got !== undefined && got !== expected;
    const lines = [`starting file import from: ${tmp}`];
    if (got) lines.push(`calculating checksum...${mismatch ? '' : 'OK, checksum verified'}`);
    if (!mismatch)
      lines.push(
        `target node: ${t.node.name}`,
        `target file: ${t.dest}`,
        `file size is: ${data.length}`,
        `command: cp -- ${tmp} ${t.dest}`,
        'finished file import successfully',
      );
    return ctx.sim.tasks.start(t.node.name, 'imgcopy', '', ctx.user, {
      lines,
      finish: () => {
        lab.tmpFiles.delete(tmp);
        if (mismatch) throw new Error(`checksum mismatch: got '${got}' != expect '${expected}'`);
        keep(ctx.sim.state, {
          volid: t.volid,
          content: content as SimVolume['content'],
          format: formatOf(content, t.filename),
          size: data.length,
          ctime: Math.floor(Date.now() / 1000),
          ...(t.storage.shared ? {} : { node: t.node.name }),
        });
      },
      abort: () => void lab.tmpFiles.delete(tmp),
    });
  },
  'POST /nodes/{node}/storage/{storage}/download-url': (ctx) => {
    const lab = storageLab(ctx.sim.state);
    const content = String(ctx.params.content);
    const url = String(ctx.params.url);
    // This call checks the content type before the file name (upload the other way round).
    const storage = storageOn(ctx, requireNode(ctx).name, String(ctx.params.storage));
    if (FILE_TYPES.includes(storage.type) && !storage.content.split(',').includes(content))
      throw new PveError(
        500,
        `storage '${storage.storage}' is not configured for content-type '${content}'\n`,
      );
    const t = target(
      ctx,
      content,
      String(ctx.params.filename),
      "can't upload to storage type '%s', not a file based storage!\n",
    );
    const data = lab.urls[url];
    const got = data && hash(ctx.params['checksum-algorithm'], data);
    const expected = ctx.params.checksum ? String(ctx.params.checksum).toLowerCase() : undefined;
    // download_file_from_url: an existing file is kept when its checksum matches, else refused.
    const existing = ctx.sim.state.volumes.find(
      (v) => v.volid === t.volid && (!v.node || v.node === t.node.name),
    );
    return ctx.sim.tasks.start(
      t.node.name,
      'download',
      encodeURIComponent(t.filename).replace(/%/g, '\\x'),
      ctx.user,
      {
        lines: [`downloading ${url} to ${t.dest}`, ...(data ? [`${data.length} bytes`] : [])],
        finish: () => {
          if (existing && !expected)
            throw new Error(`refusing to override existing file '${t.dest}'`);
          if (existing && expected) return; // "OK, got correct file already" (the simulator keeps no bytes)
          if (!data) throw new Error(`download failed: 404 Not Found`);
          if (got && got !== expected)
            throw new Error(`checksum mismatch: got '${got}' != expect '${expected}'`);
          keep(ctx.sim.state, {
            volid: t.volid,
            content: content as SimVolume['content'],
            format: formatOf(content, t.filename),
            size: data.length,
            ctime: Math.floor(Date.now() / 1000),
            ...(t.storage.shared ? {} : { node: t.node.name }),
          });
        },
      },
    );
  },
};
