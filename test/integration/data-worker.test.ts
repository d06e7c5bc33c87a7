// A node's data worker (core/dataplane) against a lab node's real sshd: it
// logs in on a connection of its own accepting only the host key the main
// session accepted, carries a console's bytes both ways through its own
// loopback WebSocket, uploads a file and the page's PUT with the node's
// SHA-256 agreeing, reports a cancelled upload, and ends every job when closed.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DataWorker } from '../../core/dataplane/data-worker';
import type { DataLogin } from '../../core/dataplane/protocol';
import type { SshSession } from '../../core/ssh/session';
import { labExec, openLabSession, readLab } from '../lab';

const MIB = 2 ** 20;
const DIR = '/var/lib/libvirt/images';
let session: SshSession;
let login: DataLogin;
let echo: Server;
let home: string;
const workers: DataWorker[] = [];

const clean = () => labExec('node1', ['sh', '-c', `rm -f ${DIR}/dw-* ${DIR}/.dw-*`]);

beforeAll(async () => {
  clean();
  session = await openLabSession();
  const lab = readLab();
  login = {
    target: session.target,
    creds: { user: lab.user, privateKey: readFileSync(lab.keyPath) },
    hostKey: session.hostKey!,
  };
  // A display stand-in on this machine's loopback, which the node reaches
  // through its SSH tunnel (the lab shares the machine's network): it echoes.
  echo = createServer((sock) => {
    sock.on('error', () => undefined);
    sock.pipe(sock);
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  home = mkdtempSync(join(tmpdir(), 'clusterdeck-dw-'));
});

afterAll(() => {
  for (const w of workers) w.close();
  session?.close();
  echo?.close();
  rmSync(home, { recursive: true, force: true });
  clean();
});

async function started(l: DataLogin = login, idleMs?: number): Promise<DataWorker> {
  const w = await DataWorker.start(l, idleMs);
  workers.push(w);
  return w;
}

const ofBytes = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('data worker', () => {
  it('refuses a node whose host key is not the one the main session accepted', async () => {
    const wrong = Buffer.from(login.hostKey);
    wrong[wrong.length - 1] = wrong[wrong.length - 1]! ^ 1;
    await expect(started({ ...login, hostKey: wrong })).rejects.toMatchObject({
      code: 'host-key-changed',
    });
  });

  it('carries a console both ways through its own WebSocket, for one page only', async () => {
    const w = await started();
    const port = (echo.address() as AddressInfo).port;
    const bridge = await w.openConsole({
      route: { kind: 'tcp', host: '127.0.0.1', port },
      what: 'echo on node1',
      guard: {},
    });
    expect(bridge.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/\?token=/);
    const ws = new WebSocket(bridge.url, ['binary']);
    ws.binaryType = 'nodebuffer';
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const sent = randomBytes(8 * MIB + 3);
    const got: Buffer[] = [];
    let n = 0;
    const all = new Promise<void>((resolve) =>
      ws.on('message', (d: Buffer) => {
        got.push(d);
        n += d.length;
        if (n >= sent.length) resolve();
      }),
    );
    for (let at = 0; at < sent.length; at += 100_000) ws.send(sent.subarray(at, at + 100_000));
    await all;
    expect(ofBytes(Buffer.concat(got))).toBe(ofBytes(sent));
    // The token was used: a second page is refused.
    const again = new WebSocket(bridge.url);
    await expect(
      new Promise((resolve, reject) => again.once('open', resolve).once('error', reject)),
    ).rejects.toThrow(/403/);
    await bridge.close();
    await bridge.closed;
  });

  it('uploads a file and the page’s PUT, and the node’s SHA-256 agrees', async () => {
    const w = await started();
    const data = randomBytes(20 * MIB + 17);
    const file = join(home, 'a.img');
    writeFileSync(file, data);
    const paths = (name: string) => ({
      tmpPath: `${DIR}/.${name}.part`,
      finalPath: `${DIR}/${name}`,
    });
    const logged: string[] = [];
    const hooks = {
      signal: new AbortController().signal,
      log: (r: { command: string }) => logged.push(r.command),
      onProgress: () => undefined,
    };
    const fromFile = w.upload({
      source: { kind: 'file', path: file },
      bytes: data.length,
      ...paths('dw-file.img'),
    });
    expect(await fromFile.run(hooks)).toEqual({ sha256: ofBytes(data), nodeSha256: ofBytes(data) });
    expect(logged.some((c) => c.includes('sha256-following'))).toBe(true);

    const fromPage = w.upload({
      source: { kind: 'page', guard: {} },
      bytes: data.length,
      ...paths('dw-page.img'),
    });
    const url = await fromPage.url;
    const answered = new Promise<number>((resolve, reject) => {
      const req = request(url, { method: 'PUT', headers: { 'content-length': data.length } });
      req.on('response', (res) => resolve(res.statusCode ?? 0)).on('error', reject);
      req.end(data);
    });
    expect(await fromPage.run(hooks)).toEqual({ sha256: ofBytes(data), nodeSha256: ofBytes(data) });
    expect(await answered).toBe(204);
    for (const name of ['dw-file.img', 'dw-page.img'])
      expect(labExec('node1', ['sha256sum', `${DIR}/${name}`]).split(' ')[0]).toBe(ofBytes(data));
  });

  it('cancels an upload, leaving nothing on the node, and a closed worker ends its jobs', async () => {
    const w = await started();
    const file = join(home, 'big.img');
    writeFileSync(file, randomBytes(120 * MIB));
    const cancel = new AbortController();
    const up = w.upload({
      source: { kind: 'file', path: file },
      bytes: 120 * MIB,
      tmpPath: `${DIR}/.dw-cancel.part`,
      finalPath: `${DIR}/dw-cancel.img`,
    });
    const done = up.run({
      signal: cancel.signal,
      onProgress: (n) => {
        if (n >= 20 * MIB) cancel.abort();
      },
    });
    await expect(done).rejects.toMatchObject({ code: 'cancelled' });
    expect(labExec('node1', ['ls', '-A', DIR])).not.toContain('dw-cancel');

    const waiting = w.upload({
      source: { kind: 'page', guard: {} },
      bytes: 10,
      tmpPath: `${DIR}/.dw-x`,
      finalPath: `${DIR}/dw-x`,
    });
    await waiting.url;
    w.close();
    expect(w.isGone).toBe(true);
    await expect(
      waiting.run({ signal: new AbortController().signal, onProgress: () => undefined }),
    ).rejects.toMatchObject({ code: 'disconnected' });
  });

  it('ends itself after a while without consoles or uploads, and not while one is open', async () => {
    const w = await started(login, 400);
    const port = (echo.address() as AddressInfo).port;
    const bridge = await w.openConsole({
      route: { kind: 'tcp', host: '127.0.0.1', port },
      what: 'echo on node1',
      guard: {},
    });
    await new Promise((r) => setTimeout(r, 900));
    expect(w.isGone).toBe(false);
    await bridge.close();
    await new Promise((r) => setTimeout(r, 900));
    expect(w.isGone).toBe(true);
  });

  it('when its connection drops, closes the page’s console normally and takes no new work', async () => {
    const node = readLab().nodes[0]!;
    const toNode = () => sshConnections(node.host, node.port);
    const before = new Set(toNode().map((c) => c.localPort));
    const w = await started();
    const mine = toNode().filter((c) => !before.has(c.localPort));
    expect(mine).toHaveLength(1);
    const port = (echo.address() as AddressInfo).port;
    const bridge = await w.openConsole({
      route: { kind: 'tcp', host: '127.0.0.1', port },
      what: 'echo on node1',
      guard: {},
    });
    const ws = new WebSocket(bridge.url, ['binary']);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    // The node's sshd for the worker's connection only: the node drops it.
    const sshd = serverPid(node.host, node.port, mine[0]!.localPort);
    process.kill(sshd, 'SIGKILL');
    // The bridge's own close frame (no status: 1005), not a socket cut by a
    // terminated thread (1006): the page can say the display ended.
    expect(await closed).toBe(1005);
    expect(w.isGone).toBe(true);
    expect(() =>
      w.upload({
        source: { kind: 'page', guard: {} },
        bytes: 1,
        tmpPath: '/tmp/.x',
        finalPath: '/tmp/x',
      }),
    ).toThrow(/node1/);
    await bridge.closed;
  });
});

/** This process's TCP connections to host:port (the lab shares this machine's network). */
function sshConnections(host: string, port: number): { localPort: number }[] {
  const out = execFileSync('ss', ['-tnpH', 'state', 'established', 'dst', `${host}:${port}`], {
    encoding: 'utf8',
  });
  return out
    .split('\n')
    .filter((l) => l.includes(`pid=${process.pid},`))
    .map((l) => ({ localPort: Number(l.trim().split(/\s+/)[2]!.split(':').pop()) }));
}

/** The pid of the node's sshd holding the connection from our local port. */
function serverPid(host: string, port: number, localPort: number): number {
  const out = execFileSync('ss', ['-tnpH', 'state', 'established', 'src', `${host}:${port}`], {
    encoding: 'utf8',
  });
  const line = out.split('\n').find((l) => l.trim().split(/\s+/)[3]?.endsWith(`:${localPort}`));
  const pid = line && /pid=(\d+)/.exec(line)?.[1];
  if (!pid) throw new Error(`no sshd found for local port ${localPort}: ${out}`);
  return Number(pid);
}
