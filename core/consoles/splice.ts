// The console bridge's data path: a page's WebSocket joined to a display's
// stream (an ssh2 channel) without a stream in between. Messages go straight
// to the channel's write and the channel's data straight to ws.send, each
// direction with its own flow control. The display's SSH packets (32 KiB
// each) that one TCP read brings go to the page as one message, so the page
// handles half as many messages as before (createWebSocketStream + pipe sent
// one per packet); the bridge's own CPU per byte stayed the same (README,
// Benchmarks: it is ssh2's parsing, AES-GCM, socket I/O and GC).
import { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

/** Above this much unsent to the page, the display is paused (its SSH window then closes). */
export const PAGE_HIGH_WATER = 1024 * 1024;
/** ... and resumed once the page's socket is down to this. */
export const PAGE_LOW_WATER = 256 * 1024;
/** The page's messages held before the display is there (or during its login). */
const EARLY_HIGH_WATER = 256 * 1024;

/**
 * The page as a stream, for the time before the display is joined: it holds
 * what the page sends early (pausing the socket past EARLY_HIGH_WATER) and
 * lets a handshake (the VNC login) read from and write to the page.
 * `detach` takes it off the socket and returns what nobody read yet.
 */
export function earlyPage(ws: WebSocket): { page: Duplex; detach(): Buffer[] } {
  const page = new Duplex({
    read() {
      if (ws.isPaused) ws.resume();
    },
    write(chunk: Buffer, _enc, done) {
      ws.send(chunk, { binary: true }, (err) => done(err ?? null));
    },
    highWaterMark: EARLY_HIGH_WATER,
  });
  page.on('error', () => undefined);
  const onMessage = (data: Buffer) => {
    if (!page.push(data)) ws.pause();
  };
  const onClose = () => page.push(null);
  ws.on('message', onMessage);
  ws.once('close', onClose);
  return {
    page,
    detach() {
      ws.off('message', onMessage);
      ws.off('close', onClose);
      const unread: Buffer[] = [];
      for (let b: Buffer | null; (b = page.read() as Buffer | null) !== null;) unread.push(b);
      if (ws.isPaused) ws.resume();
      return unread;
    },
  };
}

/**
 * Joins the page and the display for the rest of the console's life. The
 * display's chunks that arrive in one turn of the event loop (one TCP read
 * holds several SSH packets) go to the page as one message. When the
 * display ends, what it sent is delivered and then the page's socket is
 * closed normally.
 */
export function splice(ws: WebSocket, display: Duplex, unread: Buffer[]): void {
  // Page to display: a full channel (its SSH window used up) pauses the page's socket.
  const toDisplay = (data: Buffer) => {
    if (!display.write(data) && !ws.isPaused) {
      ws.pause();
      display.once('drain', () => ws.resume());
    }
  };
  for (const b of unread) toDisplay(b);
  ws.on('message', toDisplay);

  // Display to page: a page that does not keep up pauses the display.
  let batch: Buffer[] = [];
  let flushing = false;
  let displayPaused = false;
  const sent = () => {
    if (displayPaused && ws.bufferedAmount <= PAGE_LOW_WATER) {
      displayPaused = false;
      display.resume();
    }
  };
  const flush = () => {
    flushing = false;
    if (batch.length === 0 || ws.readyState !== ws.OPEN) return;
    const data = batch.length === 1 ? batch[0]! : Buffer.concat(batch);
    batch = [];
    ws.send(data, { binary: true }, sent);
    if (ws.bufferedAmount > PAGE_HIGH_WATER && !displayPaused) {
      displayPaused = true;
      display.pause();
    }
  };
  display.on('data', (chunk: Buffer) => {
    batch.push(chunk);
    if (!flushing) {
      flushing = true;
      queueMicrotask(flush);
    }
  });
  display.once('end', () => {
    flush();
    if (ws.readyState === ws.OPEN) ws.close();
  });
}
