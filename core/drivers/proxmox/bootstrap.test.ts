import { describe, expect, it } from 'vitest';
import type { ExecResult } from '../../ssh/session';
import type { DriverSecrets } from '../registry';
import { obtainToken, readFingerprint, TOKEN_SECRET_NAME } from './bootstrap';

const FP = Array.from({ length: 32 }, (_, i) => (i + 16).toString(16).toUpperCase()).join(':');

function session(answers: Record<string, ExecResult>) {
  const ran: string[] = [];
  return {
    ran,
    target: { label: 'pve1' },
    exec: (argv: readonly string[]) => {
      const cmd = argv.join(' ');
      ran.push(cmd);
      const key = Object.keys(answers).find((k) => cmd.startsWith(k));
      return Promise.resolve(key ? answers[key]! : { code: 127, stdout: '', stderr: 'not found' });
    },
  };
}

function secrets(candidates: string[]) {
  const saved: string[] = [];
  const s: DriverSecrets = {
    installationId: () => Promise.resolve('a1b2'),
    candidates: (name) => (name === TOKEN_SECRET_NAME ? candidates : []),
    save: async (_name, value) => void saved.push(value),
  };
  return { s, saved };
}

const made = JSON.stringify({
  'full-tokenid': 'root@pam!clusterdeck-a1b2',
  info: { privsep: '0' },
  value: '11111111-2222-3333-4444-555555555555',
});

describe('Proxmox bootstrap over SSH', () => {
  it('reads the fingerprint of the certificate pveproxy serves', async () => {
    const ses = session({ sh: { code: 0, stdout: `sha256 Fingerprint=${FP}\n`, stderr: '' } });
    expect(await readFingerprint(ses)).toBe(FP);
    const bad = session({ sh: { code: 1, stdout: '', stderr: 'No such file\n' } });
    await expect(readFingerprint(bad)).rejects.toThrow(/pve1: .*certificate.*No such file/);
  });

  it('reuses another node’s saved secret the API accepts, and keeps it for this node', async () => {
    const ses = session({});
    const { s, saved } = secrets(['stale-secret', 'good-secret']);
    const tried: string[] = [];
    const token = await obtainToken(ses, s, async (t) => {
      tried.push(t.secret);
      return t.secret === 'good-secret';
    });
    expect(token).toEqual({ tokenId: 'root@pam!clusterdeck-a1b2', secret: 'good-secret' });
    expect(tried).toEqual(['stale-secret', 'good-secret']);
    expect(saved).toEqual(['good-secret']);
    expect(ses.ran).toEqual([]);
  });

  it('makes a token when none is saved; an API failure other than a refusal stops', async () => {
    const ses = session({ 'pveum user token add': { code: 0, stdout: made, stderr: '' } });
    const { s, saved } = secrets([]);
    const token = await obtainToken(ses, s, () => Promise.resolve(false));
    expect(token.secret).toBe('11111111-2222-3333-4444-555555555555');
    expect(saved).toEqual([token.secret]);
    expect(ses.ran).toEqual([
      'pveum user token add root@pam clusterdeck-a1b2 --privsep 0 --comment Clusterdeck desktop app --output-format json',
    ]);
    const down = secrets(['x-secret']);
    await expect(
      obtainToken(session({}), down.s, () => Promise.reject(new Error('pve1: no answer'))),
    ).rejects.toThrow('no answer');
  });

  it('says why pveum refused, without echoing its output', async () => {
    const ses = session({
      'pveum user token add': {
        code: 2,
        stdout: 'value: 11111111-2222',
        stderr: 'permission check failed\n',
      },
    });
    const err = (await obtainToken(ses, secrets([]).s, () => Promise.resolve(false)).catch(
      (e: Error) => e,
    )) as Error;
    expect(err.message).toMatch(
      /^pve1: `pveum user token add root@pam clusterdeck-a1b2` failed: permission check failed\. .*as root/,
    );
    expect(err.message).not.toContain('11111111');
  });
});
