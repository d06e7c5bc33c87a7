// The certificate the node's API answers with, as the node itself reports
// it over SSH: the client pins its SHA-256 fingerprint and trusts no CA.
// pveproxy serves pveproxy-ssl.pem when one is installed (a custom or ACME
// certificate) and the cluster-signed pve-ssl.pem otherwise, so the script
// reads the same file pveproxy does.

/** A fixed script: nothing from the user is part of it. */
const FINGERPRINT_SCRIPT = [
  'f=/etc/pve/local/pveproxy-ssl.pem',
  '[ -e "$f" ] || f=/etc/pve/local/pve-ssl.pem',
  'openssl x509 -noout -fingerprint -sha256 -in "$f"',
].join('; ');

export const CERT_FINGERPRINT_ARGV = ['sh', '-c', FINGERPRINT_SCRIPT] as const;

/**
 * A SHA-256 fingerprint in one spelling, `AB:CD:…` (32 bytes), from the
 * forms openssl and Node print (colons or none, either case).
 */
export function normalizeFingerprint(fingerprint: string): string {
  const hex = fingerprint.replace(/[:\s]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex))
    throw new Error(`Not a SHA-256 fingerprint: ${JSON.stringify(fingerprint)}`);
  return hex.match(/../g)!.join(':');
}

/**
 * The fingerprint from `openssl x509 -noout -fingerprint -sha256`: OpenSSL 3
 * prints `sha256 Fingerprint=AB:…`, 1.1 `SHA256 Fingerprint=AB:…`.
 */
export function parseCertFingerprint(stdout: string): string {
  const m = /^\s*sha256 Fingerprint=([0-9A-Fa-f:]+)\s*$/im.exec(stdout);
  if (!m)
    throw new Error(`No SHA-256 fingerprint in openssl's answer: ${stdout.trim() || '(nothing)'}`);
  return normalizeFingerprint(m[1]!);
}
