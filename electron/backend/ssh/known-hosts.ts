// known_hosts in OpenSSH format. Clusterdeck writes its own file and also
// reads the user's ~/.ssh/known_hosts, so keys trusted with OpenSSH count.
import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { appendLineAtomic } from '../store/atomic-file';
import { keyTypeOf, sha256Fingerprint } from './fingerprint';

export interface KnownKey {
  keyType: string;
  keyBlob: Buffer;
}

/** The host field OpenSSH uses: bare for port 22, [host]:port otherwise. */
export function hostField(address: string, port: number): string {
  return port === 22 ? address : `[${address}]:${port}`;
}

function patternMatches(pattern: string, field: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|');
    if (!salt || !hash) return false;
    const h = createHmac('sha1', Buffer.from(salt, 'base64')).update(field).digest('base64');
    return h === hash;
  }
  return pattern.split(',').some((p) => p === field);
}

export function parseKnownHosts(text: string, field: string): KnownKey[] {
  const found: KnownKey[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const parts = line.split(/\s+/);
    // Marker lines (@revoked, @cert-authority) are not trust for a plain key.
    if (parts[0]?.startsWith('@')) continue;
    const [pattern, keyType, b64] = parts;
    if (!pattern || !keyType || !b64 || !patternMatches(pattern, field)) continue;
    found.push({ keyType, keyBlob: Buffer.from(b64, 'base64') });
  }
  return found;
}

export type KeyVerdict =
  { status: 'known' } | { status: 'new' } | { status: 'changed'; knownFingerprint: string };

export class KnownHosts {
  constructor(
    private readonly file: string,
    private readonly readOnlyFiles: readonly string[] = [],
  ) {}

  private async keysFor(field: string): Promise<KnownKey[]> {
    const keys: KnownKey[] = [];
    for (const f of [this.file, ...this.readOnlyFiles]) {
      const text = await readFile(f, 'utf8').catch(() => '');
      keys.push(...parseKnownHosts(text, field));
    }
    return keys;
  }

  /** The keys known for a node as known_hosts lines, for other nodes to trust it by. */
  async lines(address: string, port: number): Promise<string[]> {
    const field = hostField(address, port);
    return (await this.keysFor(field)).map(
      (k) => `${field} ${k.keyType} ${k.keyBlob.toString('base64')}`,
    );
  }

  async check(address: string, port: number, keyBlob: Buffer): Promise<KeyVerdict> {
    const keys = await this.keysFor(hostField(address, port));
    if (keys.some((k) => k.keyBlob.equals(keyBlob))) return { status: 'known' };
    // A host known by a different key of the same type has changed its key.
    const type = keyTypeOf(keyBlob);
    const sameType = keys.find((k) => k.keyType === type) ?? keys[0];
    if (sameType)
      return { status: 'changed', knownFingerprint: sha256Fingerprint(sameType.keyBlob) };
    return { status: 'new' };
  }

  async trust(address: string, port: number, keyBlob: Buffer): Promise<void> {
    const line = `${hostField(address, port)} ${keyTypeOf(keyBlob)} ${keyBlob.toString('base64')}`;
    await appendLineAtomic(this.file, line);
  }
}
