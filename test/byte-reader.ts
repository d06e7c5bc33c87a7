// Reads a WebSocket's bytes in exact amounts, as an RFB client does: the
// console tests speak RFB through Clusterdeck's bridge with it.
import type WebSocket from 'ws';

export class ByteReader {
  private buf = Buffer.alloc(0);
  private waiting: (() => void) | undefined;
  closeReason: string | undefined;
  constructor(
    readonly ws: WebSocket,
    private readonly timeoutMs = 15_000,
  ) {
    ws.on('message', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.waiting?.();
    });
    ws.on('close', (_code, reason) => {
      this.closeReason = reason.toString();
      this.waiting?.();
    });
  }

  async read(n: number): Promise<Buffer> {
    const end = Date.now() + this.timeoutMs;
    while (this.buf.length < n) {
      if (this.closeReason !== undefined) throw new Error(`closed: ${this.closeReason}`);
      if (Date.now() > end) throw new Error(`timed out reading ${n} bytes`);
      await new Promise<void>((r) => {
        this.waiting = r;
        setTimeout(r, 200);
      });
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }
}
