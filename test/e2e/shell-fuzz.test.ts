// The browser shell as `npm run serve` runs it (dist/electron/serve.cjs, a
// child process) under a bounded fuzz on loopback: malformed paths and
// encodings, huge and broken headers, unknown methods, wrong hosts, origins,
// tokens and cookies, hostile WebSocket handshakes and frames, garbage JSON
// and contract calls with parameters of the wrong types. The process must
// stay up, and a legitimate page and contract call must work throughout.
// One file over 400 lines on purpose: it is one scenario, one server process
// under fuzz, and most of it is the generators of hostile input, which read
// that process's port, printed token and cookie and count what they sent for
// the closing report; they have no other user to be shared with.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { methods } from '../../shared/api';
import { REPO } from '../lab';

const ROUNDS = 20;
/** Per round: raw HTTP requests, hostile handshakes, raw-frame sockets, JSON messages. */
const PER_ROUND = { http: 120, upgrades: 25, frameSockets: 25, json: 80 };
const FRAMES_PER_SOCKET = 8;

let home: string;
let child: ChildProcess;
let output = '';
let printedUrl: string;
let port: number;
let cookie: string;
const sent = { http: 0, upgrades: 0, frames: 0, json: 0, legit: 0 };

const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
const host = () => `127.0.0.1:${port}`;
const origin = () => `http://${host()}`;

/** Writes bytes on a fresh TCP connection; what came back within the time (may be ''). */
function raw(bytes: Buffer | string, waitMs = 1500): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    const done = () => {
      clearTimeout(timer);
      s.destroy();
      resolve(got);
    };
    const timer = setTimeout(done, waitMs);
    s.on('data', (d) => {
      got += d.toString('latin1');
      if (got.includes('\r\n\r\n')) done();
    });
    s.on('error', done);
    s.on('close', done);
    s.write(bytes);
  });
}

const statusOf = (response: string) => Number(/^HTTP\/1\.[01] (\d{3})/.exec(response)?.[1] ?? 0);

function randomText(n: number): string {
  return randomBytes(n).toString('latin1');
}

const BAD_PATHS = () => [
  '/%',
  '/%%',
  '/%zz',
  '/%E0%A4%A',
  '/%C0%AF',
  '/%ff%fe',
  '//',
  '///',
  '//evil.example/x',
  '/..%2f..%2f..%2fetc%2fpasswd',
  '/../../etc/passwd',
  '/%2e%2e/%2e%2e/etc/passwd',
  '/index.html%00.js',
  '/%00',
  '/?token=%',
  '/?token=' + 'x'.repeat(32),
  '/?token=' + new URL(printedUrl).searchParams.get('token'),
  '/?' + '&'.repeat(2000),
  '/api',
  '/api?token=%zz',
  '*',
  'http://evil.example/',
  '/' + 'a'.repeat(20_000),
  '/assets/' + '%'.repeat(50),
  '/' + randomText(30).replace(/[\r\n ]/g, ''),
  '/index.html',
  '/',
];
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE', 'CONNECT'];
const OTHER_METHODS = ['BREW', 'get', 'PROPFIND', 'X'.repeat(300), 'G\x00T', ''];

function fuzzHttpRequest(): string {
  const method = Math.random() < 0.8 ? pick(METHODS) : pick(OTHER_METHODS);
  const version = pick(['HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/9.9', 'FOO', '']);
  const hosts = [host(), host(), `localhost:${port}`, 'evil.example', '', '127.0.0.1', undefined];
  const h = pick(hosts);
  const lines: string[] = [];
  if (h !== undefined) lines.push(`Host: ${h}`);
  const cookies = [
    cookie,
    `${cookie.split('=')[0]}=${'x'.repeat(43)}`,
    `${cookie.split('=')[0]}=`,
    randomText(40).replace(/[\r\n]/g, ''),
    undefined,
  ];
  const c = pick(cookies);
  if (c !== undefined) lines.push(`Cookie: ${c}`);
  switch (Math.floor(Math.random() * 10)) {
    case 0:
      lines.push(`X-Huge: ${'a'.repeat(70_000)}`);
      break;
    case 1:
      for (let i = 0; i < 300; i++) lines.push(`X-Many-${i}: ${i}`);
      break;
    case 2:
      lines.push('Broken header line without a colon');
      break;
    case 3:
      lines.push('Transfer-Encoding: chunked', 'Content-Length: 5');
      break;
    case 4:
      lines.push(`Content-Length: ${pick(['-1', 'abc', '99999999', '1e3'])}`);
      break;
    case 5:
      lines.push(`Origin: ${pick(['null', 'https://evil.example', origin(), '%'])}`);
      break;
    case 6:
      lines.push(`X-Bin: ${randomText(50).replace(/[\r\n]/g, '')}`);
      break;
    case 7:
      lines.push(`Host: evil.example`); // a second Host
      break;
    default:
      break;
  }
  const body = Math.random() < 0.2 ? randomText(200) : '';
  return `${method} ${pick(BAD_PATHS())} ${version}\r\n${lines.join('\r\n')}\r\n\r\n${body}`;
}

function fuzzUpgrade(): string {
  const lines = [
    `Host: ${pick([host(), host(), `localhost:${port}`, 'evil.example'])}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Version: ${pick(['13', '13', '8', 'x', ''])}`,
  ];
  const key = pick([randomBytes(16).toString('base64'), 'short', '', undefined]);
  if (key !== undefined) lines.push(`Sec-WebSocket-Key: ${key}`);
  const o = pick([
    origin(),
    origin(),
    'null',
    'http://localhost:1',
    'https://evil.example',
    undefined,
  ]);
  if (o !== undefined) lines.push(`Origin: ${o}`);
  const c = pick([cookie, cookie, `${cookie.split('=')[0]}=bad`, undefined]);
  if (c !== undefined) lines.push(`Cookie: ${c}`);
  const path = pick(['/api', '/api', '/%', '//', '/api?token=%', '/x', '/api/../api']);
  const trailer = Math.random() < 0.3 ? randomText(64) : '';
  return `GET ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n${trailer}`;
}

/** One WebSocket frame, masked as a client must unless told otherwise. */
function frame(
  opcode: number,
  payload: Buffer,
  o: { fin?: boolean; rsv?: number; mask?: boolean; lengthOverride?: bigint } = {},
): Buffer {
  const first = ((o.fin ?? true) ? 0x80 : 0) | ((o.rsv ?? 0) << 4) | (opcode & 0x0f);
  const mask = o.mask ?? true;
  const len = o.lengthOverride ?? BigInt(payload.length);
  let head: Buffer;
  if (len < 126n) head = Buffer.from([first, (mask ? 0x80 : 0) | Number(len)]);
  else if (len < 65536n) {
    head = Buffer.alloc(4);
    head[0] = first;
    head[1] = (mask ? 0x80 : 0) | 126;
    head.writeUInt16BE(Number(len), 2);
  } else {
    head = Buffer.alloc(10);
    head[0] = first;
    head[1] = (mask ? 0x80 : 0) | 127;
    head.writeBigUInt64BE(len, 2);
  }
  if (!mask) return Buffer.concat([head, payload]);
  const key = randomBytes(4);
  const body = Buffer.from(payload.map((b, i) => b ^ key[i % 4]!));
  return Buffer.concat([head, key, body]);
}

function hostileFrame(): Buffer {
  const json = Buffer.from(JSON.stringify({ type: 'call', id: 1, method: 'appInfo' }));
  switch (Math.floor(Math.random() * 12)) {
    case 0:
      return frame(1, json, { mask: false }); // a client frame must be masked
    case 1:
      return frame(pick([3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf]), randomBytes(8));
    case 2:
      return frame(1, json, { rsv: 1 + Math.floor(Math.random() * 7) });
    case 3:
      return frame(9, randomBytes(200)); // a ping longer than 125 bytes
    case 4:
      return frame(9, randomBytes(4), { fin: false }); // a fragmented ping
    case 5:
      return frame(0, randomBytes(10)); // a continuation with nothing to continue
    case 6:
      return frame(1, Buffer.from([0xc3, 0x28, 0xa0, 0xa1])); // bad UTF-8
    case 7:
      return frame(2, Buffer.alloc(0), { lengthOverride: 2n ** 62n }); // absurd length
    case 8:
      return frame(8, Buffer.from([0x03, 0xe7])); // close with code 999
    case 9:
      return frame(8, Buffer.from([0x03])); // close with one byte
    case 10:
      return frame(1, Buffer.from(randomText(100), 'latin1')); // garbage text
    default:
      return randomBytes(64);
  }
}

/** A handshake the shell accepts, then a few good and hostile frames. */
async function fuzzFrames(): Promise<void> {
  const key = randomBytes(16).toString('base64');
  const s = connect(port, '127.0.0.1');
  s.on('error', () => undefined);
  await new Promise<void>((resolve) => {
    s.once('connect', () => resolve());
    s.once('error', () => resolve());
  });
  s.write(
    `GET /api HTTP/1.1\r\nHost: ${host()}\r\nOrigin: ${origin()}\r\nCookie: ${cookie}\r\n` +
      `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n` +
      `Sec-WebSocket-Key: ${key}\r\n\r\n`,
  );
  const answer = await new Promise<string>((resolve) => {
    const timer = setTimeout(() => resolve(''), 2000);
    s.once('data', (d) => {
      clearTimeout(timer);
      resolve(d.toString('latin1'));
    });
  });
  expect(statusOf(answer)).toBe(101);
  const good = Buffer.from(JSON.stringify({ type: 'call', id: 7, method: 'appInfo' }));
  for (let i = 0; i < FRAMES_PER_SOCKET && !s.destroyed; i++) {
    s.write(Math.random() < 0.5 ? frame(1, good) : hostileFrame());
    sent.frames++;
  }
  await new Promise((r) => setTimeout(r, 50));
  s.destroy();
}

/** Contract messages of every wrong shape, on an accepted socket. */
function jsonMessages(n: number): (string | Buffer)[] {
  const names = Object.keys(methods);
  const values = [
    null,
    1,
    -1.5,
    'x',
    '',
    true,
    [],
    [1, 'a'],
    {},
    { vmId: 123 },
    { hostId: {} },
    { poolId: [], volume: null },
    { __proto__: { polluted: true } },
    JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}') as unknown,
    { address: 5, port: 'ssh', user: [] },
    { cols: -1, rows: 1e9, kind: 'nope' },
    'a'.repeat(10_000),
  ];
  const out: (string | Buffer)[] = [];
  for (let i = 0; i < n; i++) {
    switch (Math.floor(Math.random() * 8)) {
      case 0:
        out.push(pick(['garbage', '{', '[]', 'null', '1', '"call"', '{"type":"call"}']));
        break;
      case 1:
        out.push(randomBytes(32));
        break;
      case 2:
        out.push(JSON.stringify({ type: 'call', id: 'one', method: 'appInfo' }));
        break;
      case 3:
        out.push(JSON.stringify({ type: 'call', id: i, method: 'm'.repeat(65) }));
        break;
      case 4:
        out.push(
          JSON.stringify({
            type: 'call',
            id: i,
            method: pick(['nope', 'constructor', '__proto__', 'toString', 'hasOwnProperty']),
          }),
        );
        break;
      default:
        out.push(
          JSON.stringify({ type: 'call', id: i, method: pick(names), params: pick(values) }),
        );
    }
  }
  return out;
}

/** An accepted socket (cookie, exact origin); resolves once it is open. */
async function apiSocket(): Promise<WebSocket> {
  const ws = new WebSocket(`ws://${host()}/api`, { origin: origin(), headers: { cookie } });
  ws.on('error', () => undefined);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('unexpected-response', (_q, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
  return ws;
}

async function fuzzJson(n: number): Promise<void> {
  let ws = await apiSocket();
  for (const msg of jsonMessages(n)) {
    // Malformed messages end the socket (1008): open another and go on.
    if (ws.readyState !== ws.OPEN) ws = await apiSocket();
    ws.send(msg);
    sent.json++;
    await new Promise((r) => setImmediate(r));
  }
  ws.close();
}

/** The page loads and a contract call answers, as for a real user. */
async function legitimateUse(): Promise<void> {
  const page = await fetch(`${origin()}/`, { headers: { cookie } });
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('<div id="root">');
  const ws = await apiSocket();
  const result = await new Promise<unknown>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no answer to appInfo')), 5000);
    ws.on('message', (d) => {
      const msg = JSON.parse(String(d)) as { type: string; id?: number; result?: unknown };
      if (msg.type === 'result' && msg.id === 1) {
        clearTimeout(timer);
        resolve(msg.result);
      }
    });
    ws.send(JSON.stringify({ type: 'call', id: 1, method: 'appInfo', params: {} }));
  });
  expect(result).toEqual({ nativeFilePicker: false });
  ws.close();
  sent.legit++;
}

function expectAlive(): void {
  expect(child.exitCode, `the shell exited:\n${output}`).toBeNull();
  expect(child.signalCode).toBeNull();
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'clusterdeck-fuzz-'));
  child = spawn(process.execPath, [join(REPO, 'dist', 'electron', 'serve.cjs')], {
    env: { ...process.env, CLUSTERDECK_HOME: home, CLUSTERDECK_PORT: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const end = Date.now() + 20_000;
  while (!/Clusterdeck UI: (\S+)/.test(output)) {
    if (Date.now() > end || child.exitCode !== null) throw new Error(`no URL printed:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  printedUrl = /Clusterdeck UI: (\S+)/.exec(output)![1]!;
  port = Number(new URL(printedUrl).port);
  // The first load exchanges the printed token for the cookie.
  const first = await fetch(printedUrl);
  expect(first.status).toBe(200);
  cookie = first.headers.get('set-cookie')!.split(';')[0]!;
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  rmSync(home, { recursive: true, force: true });
});

describe('the browser shell under a fuzz (npm run serve)', () => {
  it('answers 400 to a path it cannot decode, and stays up', async () => {
    for (const path of ['/%', '/%zz', '//', '/%E0%A4%A']) {
      for (const auth of ['', `Cookie: ${cookie}\r\n`]) {
        const answer = await raw(`GET ${path} HTTP/1.1\r\nHost: ${host()}\r\n${auth}\r\n`);
        expect(statusOf(answer), `${path} ${auth}`).toBe(400);
        sent.http++;
      }
    }
    const upgrade = await raw(
      `GET // HTTP/1.1\r\nHost: ${host()}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n\r\n`,
    );
    expect([400, 403]).toContain(statusOf(upgrade));
    sent.upgrades++;
    expectAlive();
    await legitimateUse();
  });

  it('stays up and keeps serving through thousands of hostile requests and frames', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const work: (() => Promise<unknown>)[] = [];
      for (let i = 0; i < PER_ROUND.http; i++) {
        work.push(() => raw(fuzzHttpRequest()).then(() => sent.http++));
      }
      for (let i = 0; i < PER_ROUND.upgrades; i++) {
        work.push(() => raw(fuzzUpgrade()).then(() => sent.upgrades++));
      }
      for (let i = 0; i < PER_ROUND.frameSockets; i++) work.push(fuzzFrames);
      work.sort(() => Math.random() - 0.5);
      // The contract messages run beside the rest, 40 others at a time:
      // enough to overlap, not enough to starve a shared machine.
      const json = fuzzJson(PER_ROUND.json);
      for (let i = 0; i < work.length; i += 40) {
        await Promise.all(work.slice(i, i + 40).map((w) => w()));
      }
      await json;
      expectAlive();
      await legitimateUse();
    }
    console.log(
      `[fuzz] ${sent.http} HTTP requests, ${sent.upgrades} hostile handshakes, ${sent.frames} raw frames, ` +
        `${sent.json} contract messages; ${sent.legit} legitimate page loads + calls all answered; ` +
        `the process is still up (pid ${child.pid})`,
    );
    expect(sent.http + sent.upgrades + sent.frames + sent.json).toBeGreaterThan(5000);
    expect(output).not.toMatch(/URIError|Uncaught|unhandled/i);
  }, 600_000);
});
