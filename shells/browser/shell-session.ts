// Who may use the browser shell. The printed URL carries a token that works
// once: the first page load exchanges it for an HttpOnly SameSite=Strict
// cookie holding a separate secret, and the page removes the token from the
// address bar. From then on only that browser gets in, by its cookie, until
// the shell stops; the URL in history, sync or a terminal's scrollback is
// worth nothing.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

function sameSecret(given: string | undefined | null, want: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(want);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** One cookie's value from a Cookie header, or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export class ShellSession {
  /** The printed URL's token. */
  readonly printedToken = randomBytes(24).toString('base64url');
  private spent = false;
  private readonly secret = randomBytes(32).toString('base64url');

  /** The shell's port, known once it listens. */
  constructor(private readonly port: () => number) {}

  /** Cookies do not tell ports apart: each shell's cookie has a name of its own. */
  get cookieName(): string {
    return `clusterdeck-${this.port()}`;
  }

  /** Whether the request carries this browser's cookie. */
  hasCookie(req: IncomingMessage): boolean {
    return sameSecret(cookieValue(req.headers.cookie, this.cookieName), this.secret);
  }

  /**
   * A page load: admitted by the cookie, or by the printed token on its
   * first use, which answers with the Set-Cookie header to send. Undefined:
   * refused.
   */
  admitPage(req: IncomingMessage, url: URL): { setCookie?: string } | undefined {
    if (this.hasCookie(req)) return {};
    if (req.method !== 'GET' || this.spent) return undefined;
    if (!sameSecret(url.searchParams.get('token'), this.printedToken)) return undefined;
    this.spent = true; // the printed URL works once
    return {
      setCookie: `${this.cookieName}=${this.secret}; Path=/; HttpOnly; SameSite=Strict`,
    };
  }
}
