// The built renderer as files: which file a request path names and its
// content type. One place for both the browser shell and the desktop app's
// app:// scheme, so a path can never lead outside the renderer folder.
import { extname, join, normalize, sep } from 'node:path';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export function contentType(file: string): string {
  return MIME[extname(file)] ?? 'application/octet-stream';
}

/**
 * The file under root that a URL path names ('/' is index.html), or
 * undefined when the path is malformed (bad percent-encoding, a NUL) or
 * leads outside root.
 */
export function staticFilePath(root: string, urlPath: string): string | undefined {
  let pathname: string;
  try {
    pathname = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (pathname.includes('\0') || !pathname.startsWith('/')) return undefined;
  const rel = pathname === '/' ? 'index.html' : pathname.slice(1);
  const file = normalize(join(root, rel));
  return file.startsWith(normalize(root) + sep) ? file : undefined;
}
