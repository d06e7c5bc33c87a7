// An RFB (VNC) client's first steps over a plain byte stream, for tests that
// read a real display: the server's ProtocolVersion, the VNC password login
// (RFB 7.2.2, the app's own DES answer), ServerInit, then one full
// framebuffer update. Each step says what arrived, so a test can check it.
import type { Duplex } from 'node:stream';
import { vncAuthResponse } from '../core/consoles/vnc-login';

export class StreamReader {
  private buf = Buffer.alloc(0);
  private ended = false;
  private wake: (() => void) | undefined;
  constructor(
    stream: Duplex,
    private readonly timeoutMs = 15_000,
  ) {
    stream.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake?.();
    });
    const end = () => {
      this.ended = true;
      this.wake?.();
    };
    stream.on('end', end).on('close', end).on('error', end);
  }

  async read(n: number): Promise<Buffer> {
    const end = Date.now() + this.timeoutMs;
    while (this.buf.length < n) {
      if (this.ended)
        throw new Error(`the stream ended before ${n} bytes (had ${this.buf.length})`);
      if (Date.now() > end) throw new Error(`timed out reading ${n} bytes`);
      await new Promise<void>((r) => {
        this.wake = r;
        setTimeout(r, 200);
      });
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }
}

export interface RfbLogin {
  /** The server's ProtocolVersion line, e.g. "RFB 003.008\n". */
  version: string;
  /** Security types the server offered. */
  offered: number[];
  /** SecurityResult: 0 is OK. */
  result: number;
  /** The server's reason when it refused. */
  reason: string;
}

/** ProtocolVersion and the VNC password login (RFB 3.8). */
export async function rfbLogin(
  stream: Duplex,
  r: StreamReader,
  password: string,
): Promise<RfbLogin> {
  const version = (await r.read(12)).toString('latin1');
  stream.write('RFB 003.008\n');
  const count = (await r.read(1))[0]!;
  if (count === 0) {
    const len = (await r.read(4)).readUInt32BE(0);
    return { version, offered: [], result: -1, reason: (await r.read(len)).toString() };
  }
  const offered = [...(await r.read(count))];
  stream.write(Buffer.from([2]));
  stream.write(vncAuthResponse(await r.read(16), password));
  const result = (await r.read(4)).readUInt32BE(0);
  let reason = '';
  if (result !== 0) {
    const len = (await r.read(4)).readUInt32BE(0);
    reason = (await r.read(len)).toString();
  }
  return { version, offered, result, reason };
}

export interface RfbFrame {
  width: number;
  height: number;
  name: string;
  /** The first FramebufferUpdate's message type (0) and rectangle count. */
  messageType: number;
  rects: number;
  /** The first rectangle's header: x, y, w, h, encoding. */
  firstRect: { x: number; y: number; w: number; h: number; encoding: number };
}

/** After a successful login: ClientInit (shared), ServerInit, and one full update's start. */
export async function rfbFirstFrame(stream: Duplex, r: StreamReader): Promise<RfbFrame> {
  stream.write(Buffer.from([1]));
  const init = await r.read(24);
  const width = init.readUInt16BE(0);
  const height = init.readUInt16BE(2);
  const name = (await r.read(init.readUInt32BE(20))).toString('utf8');
  // SetEncodings: Raw only, so the update is plain pixels.
  stream.write(Buffer.from([2, 0, 0, 1, 0, 0, 0, 0]));
  const req = Buffer.alloc(10);
  req[0] = 3; // FramebufferUpdateRequest, not incremental
  req.writeUInt16BE(width, 6);
  req.writeUInt16BE(height, 8);
  stream.write(req);
  // QEMU may send other messages first (e.g. a bell): skip to type 0.
  let head = await r.read(4);
  while (head[0] !== 0) {
    if (head[0] === 2) head = Buffer.concat([head.subarray(1), await r.read(1)]);
    else throw new Error(`unexpected server message ${head[0]}`);
  }
  const rect = await r.read(12);
  return {
    width,
    height,
    name,
    messageType: head[0]!,
    rects: head.readUInt16BE(2),
    firstRect: {
      x: rect.readUInt16BE(0),
      y: rect.readUInt16BE(2),
      w: rect.readUInt16BE(4),
      h: rect.readUInt16BE(6),
      encoding: rect.readInt32BE(8),
    },
  };
}
