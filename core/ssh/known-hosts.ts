// known_hosts in OpenSSH format. Clusterdeck writes its own file and also
// reads the user's ~/.ssh/known_hosts, so keys trusted with OpenSSH count.
// A key on a `@revoked` line is refused even where another line trusts it;
// `@cert-authority` lines are not supported (host certificates are not used).
import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ClusterdeckError } from '../../shared/errors';
import { appendLineAtomic } from '../store/atomic-file';
import { keyTypeOf, sha256Fingerprint } from './fingerprint';

export interface KnownKey {
  keyType: string;
  keyBlob: Buffer;
  /** From a `@revoked` line: this key must never be accepted. */
  revoked?: boolean;
}

/** The host field OpenSSH uses: bare for port 22, [host]:port otherwise. */
export function hostField(address: string, port: number): string {
  return port === 22 ? address : `[${address}]:${port}`;
}

/** One host pattern as OpenSSH reads it: `*` and `?` wildcards, case-insensitive. */
function globMatches(glob: string, field: string): boolean {
  const re = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i').test(field);
}

function patternMatches(pattern: string, field: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|');
    if (!salt || !hash) return false;
    const h = createHmac('sha1', Buffer.from(salt, 'base64')).update(field).digest('base64');
    return h === hash;
  }
  // A comma list; a negated pattern (!p) that matches rules the line out.
  let matched = false;
  for (const p of pattern.split(',')) {
    if (p.startsWith('!')) {
      if (globMatches(p.slice(1), field)) return false;
    } else if (globMatches(p, field)) matched = true;
  }
  return matched;
}

export function parseKnownHosts(text: string, field: string): KnownKey[] {
  const found: KnownKey[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const parts = line.split(/\s+/);
    let revoked = false;
    if (parts[0]?.startsWith('@')) {
      // @cert-authority trusts a CA, not a plain key: not trust here.
      if (parts[0] !== '@revoked') continue;
      revoked = true;
      parts.shift();
    }
    const [pattern, keyType, b64] = parts;
    if (!pattern || !keyType || !b64 || !patternMatches(pattern, field)) continue;
    found.push({ keyType, keyBlob: Buffer.from(b64, 'base64'), ...(revoked ? { revoked } : {}) });
  }
  return found;
}

export type KeyVerdict =
  | { status: 'known' }
  | { status: 'new' }
  | { status: 'changed'; knownFingerprint: string }
  | { status: 'revoked'; fingerprint: string };

/** The error for a key marked @revoked: it is never accepted, whatever else trusts it. */
export function revokedKeyError(where: string, fingerprint: string): ClusterdeckError {
  return new ClusterdeckError(
    'host-key-revoked',
    `The host key of ${where} (${fingerprint}) is marked @revoked in known_hosts, so Clusterdeck refused it and sent nothing. Give the node a new host key, and remove the @revoked line only if the revocation was a mistake.`,
  );
}

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
    const keys = await this.keysFor(field);
    const revoked = keys.filter((k) => k.revoked);
    // A revoked key is not handed on, whichever line trusted it.
    return keys
      .filter((k) => !revoked.some((r) => r.keyBlob.equals(k.keyBlob)))
      .map((k) => `${field} ${k.keyType} ${k.keyBlob.toString('base64')}`);
  }

  async check(address: string, port: number, keyBlob: Buffer): Promise<KeyVerdict> {
    const all = await this.keysFor(hostField(address, port));
    if (all.some((k) => k.revoked && k.keyBlob.equals(keyBlob)))
      return { status: 'revoked', fingerprint: sha256Fingerprint(keyBlob) };
    const keys = all.filter((k) => !k.revoked);
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
