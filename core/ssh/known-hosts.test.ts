import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256Fingerprint } from './fingerprint';
import { KnownHosts, hostField } from './known-hosts';

function makeKey(dir: string, name: string): { blob: Buffer; pub: string; file: string } {
  const file = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
  const pub = readFileSync(`${file}.pub`, 'utf8').trim();
  return { blob: Buffer.from(pub.split(' ')[1]!, 'base64'), pub, file: `${file}.pub` };
}

describe('known_hosts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kh-'));
  const a = makeKey(dir, 'a');
  const b = makeKey(dir, 'b');

  it('computes the fingerprint ssh-keygen -lf prints', () => {
    const printed = execFileSync('ssh-keygen', ['-lf', a.file], { encoding: 'utf8' }).split(' ')[1];
    expect(sha256Fingerprint(a.blob)).toBe(printed);
  });

  it('writes OpenSSH format that ssh-keygen -F finds, port included', async () => {
    const file = join(dir, 'kh1');
    const kh = new KnownHosts(file);
    expect((await kh.check('10.0.0.5', 2222, a.blob)).status).toBe('new');
    await kh.trust('10.0.0.5', 2222, a.blob);
    await kh.trust('node-b', 22, b.blob);
    const found = execFileSync('ssh-keygen', ['-F', '[10.0.0.5]:2222', '-f', file], {
      encoding: 'utf8',
    });
    expect(found).toContain(a.pub.split(' ')[1]);
    expect(
      execFileSync('ssh-keygen', ['-F', 'node-b', '-f', file], { encoding: 'utf8' }),
    ).toContain(b.pub.split(' ')[1]);
    expect((await kh.check('10.0.0.5', 2222, a.blob)).status).toBe('known');
    // Same address, other port: a different host as far as trust goes.
    expect((await kh.check('10.0.0.5', 22, a.blob)).status).toBe('new');
  });

  it('reports a changed key with the fingerprint trusted before', async () => {
    const file = join(dir, 'kh2');
    const kh = new KnownHosts(file);
    await kh.trust('node1', 22, a.blob);
    const v = await kh.check('node1', 22, b.blob);
    expect(v).toEqual({ status: 'changed', knownFingerprint: sha256Fingerprint(a.blob) });
  });

  it('reads hashed entries made by ssh-keygen -H from a read-only file', async () => {
    const userFile = join(dir, 'user_known_hosts');
    writeFileSync(
      userFile,
      `${hostField('hashed.example', 22)} ${a.pub.split(' ').slice(0, 2).join(' ')}\n`,
    );
    execFileSync('ssh-keygen', ['-q', '-H', '-f', userFile]);
    expect(readFileSync(userFile, 'utf8')).toMatch(/^\|1\|/);
    const kh = new KnownHosts(join(dir, 'kh3'), [userFile]);
    expect((await kh.check('hashed.example', 22, a.blob)).status).toBe('known');
    expect((await kh.check('hashed.example', 22, b.blob)).status).toBe('changed');
  });
});

describe('@revoked', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kh-revoked-'));
  const a = makeKey(dir, 'a');
  const b = makeKey(dir, 'b');
  const typeAndKey = (k: { pub: string }) => k.pub.split(' ').slice(0, 2).join(' ');

  it('refuses a revoked key even where another line trusts it, and never hands it on', async () => {
    const file = join(dir, 'kh');
    const userFile = join(dir, 'user');
    writeFileSync(file, `node1 ${typeAndKey(a)}\n[node1]:2222 ${typeAndKey(b)}\n`);
    writeFileSync(userFile, `@revoked node1 ${typeAndKey(a)}\n`);
    const kh = new KnownHosts(file, [userFile]);
    expect(await kh.check('node1', 22, a.blob)).toEqual({
      status: 'revoked',
      fingerprint: sha256Fingerprint(a.blob),
    });
    expect(await kh.lines('node1', 22)).toEqual([]);
    // The revocation names node1 only: the same key is still the other port's matter.
    expect((await kh.check('node1', 2222, b.blob)).status).toBe('known');
  });

  it('reads wildcard and negated host patterns, as on OpenSSH @revoked lines', async () => {
    const file = join(dir, 'kh-glob');
    writeFileSync(file, `@revoked * ${typeAndKey(b)}\n*.lab,!bad.lab ${typeAndKey(a)}\n`);
    const kh = new KnownHosts(file);
    expect((await kh.check('anything.example', 22, b.blob)).status).toBe('revoked');
    expect((await kh.check('[10.0.0.9]:2222', 22, b.blob)).status).toBe('revoked');
    expect((await kh.check('good.lab', 22, a.blob)).status).toBe('known');
    expect((await kh.check('bad.lab', 22, a.blob)).status).toBe('new');
  });

  it('still ignores @cert-authority lines', async () => {
    const file = join(dir, 'kh-ca');
    writeFileSync(file, `@cert-authority node1 ${typeAndKey(a)}\n`);
    expect((await new KnownHosts(file).check('node1', 22, a.blob)).status).toBe('new');
  });
});
