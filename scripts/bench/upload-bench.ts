// Uploads: Clusterdeck's whole path, run by the node's data worker as in the
// app (the file read by the worker, or the page's PUT to the worker's
// loopback receiver in the browser shell;
// SFTP with writes in flight, the node's SHA-256 check as the file grows,
// the rename) against
// OpenSSH's sftp and scp putting the same 200 MiB file on the node.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { measure, ms, type BenchContext, type Measure } from './common';

const MIB = 2 ** 20;
const SIZE = 200 * MIB;
const RUNS = 3;
const DIR = '/var/lib/libvirt/images';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** PUTs a file from a child process, as the page's fetch does from the renderer. */
function sendFromChild(url: string, file: string): Promise<void> {
  const script = `
    const http = require('node:http');
    const fs = require('node:fs');
    const [url, file, size] = process.argv.slice(1);
    const req = http.request(url, { method: 'PUT', headers: { 'content-length': size } });
    req.on('response', (res) => { res.resume(); process.exit(res.statusCode === 204 ? 0 : 1); });
    req.on('error', () => process.exit(2));
    fs.createReadStream(file, { highWaterMark: 1 << 20 }).pipe(req);
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script, url, file, String(SIZE)], {
      stdio: 'ignore',
    });
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`sender exited ${code}`)),
    );
  });
}

export async function benchUpload(ctx: BenchContext): Promise<Measure[]> {
  const file = join(ctx.tmp, 'bench-200.img');
  writeFileSync(file, randomBytes(SIZE));
  const ssh = (cmd: string) => execFileSync('ssh', [...ctx.sshBase, ctx.target, cmd]);
  const clean = () => ssh(`rm -f ${DIR}/bench-upload-* ${DIR}/.bench-upload-*`);
  // The app's path: the node's data worker moves the bytes on its own connection.
  const worker = await ctx.dataWorker();
  const hooks = { signal: new AbortController().signal, onProgress: () => undefined };
  const into = (name: string) => ({
    tmpPath: `${DIR}/.${name}.part`,
    finalPath: `${DIR}/${name}`,
    bytes: SIZE,
  });
  const checked = (r: { sha256: string; nodeSha256: string }) => {
    if (r.nodeSha256 !== r.sha256) throw new Error('upload bench: checksum mismatch');
  };

  /** The desktop app's path: a file chosen in its own dialog, read by the worker. */
  const clusterdeckFile = async (i: number): Promise<number> => {
    const t = process.hrtime.bigint();
    const up = worker.upload({
      source: { kind: 'file', path: file },
      ...into(`bench-upload-cdf-${i}.img`),
    });
    checked(await up.run(hooks));
    return ms(t);
  };

  /** The page's path (the browser shell): an HTTP PUT to the worker's loopback receiver. */
  const clusterdeck = async (i: number): Promise<number> => {
    const t = process.hrtime.bigint();
    const up = worker.upload({
      source: { kind: 'page', guard: {} },
      ...into(`bench-upload-cd-${i}.img`),
    });
    // The page is another process; so is the sender here.
    const sent = sendFromChild(await up.url, file);
    checked(await up.run(hooks));
    await sent;
    return ms(t);
  };

  const sftpPut = (i: number): number => {
    const batch = join(ctx.tmp, 'sftp-batch');
    writeFileSync(batch, `put ${file} ${DIR}/bench-upload-sftp-${i}.img\n`);
    const t = process.hrtime.bigint();
    execFileSync(
      'sftp',
      [...ctx.sshBase.map((a) => (a === '-p' ? '-P' : a)), '-b', batch, ctx.target],
      {
        stdio: 'ignore',
      },
    );
    return ms(t);
  };

  const scpPut = (i: number): number => {
    const t = process.hrtime.bigint();
    execFileSync(
      'scp',
      [
        ...ctx.sshBase.map((a) => (a === '-p' ? '-P' : a)),
        file,
        `${ctx.target}:${DIR}/bench-upload-scp-${i}.img`,
      ],
      { stdio: 'ignore' },
    );
    return ms(t);
  };

  const cdf: number[] = [];
  const cd: number[] = [];
  const sf: number[] = [];
  const sc: number[] = [];
  try {
    clean();
    for (let i = 0; i < RUNS; i++) {
      cdf.push(await clusterdeckFile(i));
      cd.push(await clusterdeck(i));
      sf.push(sftpPut(i));
      sc.push(scpPut(i));
      clean();
    }
  } finally {
    clean();
    worker.close();
  }
  const rate = (msTaken: number) => SIZE / MIB / (msTaken / 1000);
  const app = 'upload 200 MiB (checked), desktop app, median of 3';
  const page = 'upload 200 MiB (checked), sent by the page, median of 3';
  return [
    measure(app, 'MiB/s', rate(median(cdf)), 'OpenSSH sftp', rate(median(sf))),
    measure(app, 'MiB/s', rate(median(cdf)), 'OpenSSH scp', rate(median(sc))),
    measure(page, 'MiB/s', rate(median(cd)), 'OpenSSH sftp', rate(median(sf))),
  ];
}
