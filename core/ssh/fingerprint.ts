// Host key identity in the form OpenSSH prints it (`ssh-keygen -lf`).
import { createHash } from 'node:crypto';

/** SHA256:<unpadded base64> of the public key blob, as `ssh-keygen -lf` shows it. */
export function sha256Fingerprint(keyBlob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '');
}

/** The key type name stored first in an SSH public key blob (e.g. ssh-ed25519). */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const len = keyBlob.readUInt32BE(0);
  if (len > 64 || 4 + len > keyBlob.length) return 'unknown';
  return keyBlob.subarray(4, 4 + len).toString('latin1');
}

/** ssh-ed25519 -> ED25519, as OpenSSH labels keys in its prompts. */
export function keyTypeLabel(keyType: string): string {
  const t = keyType.replace(/^ssh-/, '').replace(/^ecdsa-sha2-nistp\d+$/, 'ecdsa');
  return t.toUpperCase();
}
