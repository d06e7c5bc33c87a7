// Who may use a loopback listener (console tunnel, upload, download): the
// page that asked for it, and only for a while. Besides the one-time token,
// the request must name the listener's own address as Host (no DNS
// rebinding) and carry exactly that page's Origin; a listener nobody came to
// closes itself.
import type { IncomingMessage } from 'node:http';

/** How long a listener waits for its page before it closes. */
export const PAGE_WAIT_MS = 60_000;

export interface PageGuard {
  /**
   * The exact Origin of the page that asked (http://127.0.0.1:PORT in the
   * browser shell, app://clusterdeck in the desktop app). Undefined for a
   * caller that is no page (a script or test): then only a request without
   * an Origin header is accepted, which a browser never sends here.
   */
  pageOrigin?: string | undefined;
  /** Defaults to PAGE_WAIT_MS; tests shorten it. */
  pageWaitMs?: number | undefined;
}

/** Whether a request comes to our own address from the page that asked. */
export function fromOwnPage(
  req: IncomingMessage,
  port: number,
  pageOrigin: string | undefined,
): boolean {
  return req.headers.host === `127.0.0.1:${port}` && req.headers.origin === pageOrigin;
}
