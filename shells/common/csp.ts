// One Content-Security-Policy for the Electron window and the browser shell.
// No inline scripts, no remote origins; WebSockets only to loopback (the
// browser shell's API, console tunnels) and uploads to a loopback receiver.
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self' ws://127.0.0.1:* ws://localhost:* http://127.0.0.1:*",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');
