// The one-time tokens that guard every loopback listener (console tunnels,
// uploads, downloads): 24 random bytes, compared in constant time.
import { randomBytes, timingSafeEqual } from 'node:crypto';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Whether a request URL carries the token (in ?token=). */
export function carriesToken(url: string | undefined, token: string): boolean {
  let given: Buffer;
  try {
    given = Buffer.from(new URL(url ?? '/', 'http://x').searchParams.get('token') ?? '');
  } catch {
    return false; // not a URL at all (e.g. '//')
  }
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}
