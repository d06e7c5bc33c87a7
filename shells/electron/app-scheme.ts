// The desktop app's pages come from a scheme of its own, app://clusterdeck,
// registered as standard and secure, so Chromium gives them one exact origin
// (file:// pages have the origin "null", which any sandboxed frame shares).
// Loopback listeners (consoles, downloads) accept only that origin. Plain
// code, without 'electron', so the rules are unit-tested.
import { staticFilePath } from '../common/static-files';

export const APP_SCHEME = 'app';
export const APP_HOST = 'clusterdeck';
/** What Chromium sends as Origin from the app's pages. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/**
 * The exact origin of a page of ours (the main window or a pop-out console,
 * index.html with any query), or undefined for any other URL. Node's URL
 * says "null" for a non-special scheme's origin, hence it is built here.
 */
export function appPageOrigin(url: string): string | undefined {
  const u = parse(url);
  if (!u || u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return undefined;
  if (u.username || u.password || u.port || u.pathname !== '/index.html') return undefined;
  return APP_ORIGIN;
}

/** The renderer file an app:// request names, or undefined (another host, outside root). */
export function appFilePath(root: string, url: string): string | undefined {
  const u = parse(url);
  if (!u || u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return undefined;
  return staticFilePath(root, u.pathname);
}
