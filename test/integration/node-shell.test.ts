// The session's open shell against a lab node's real sshd: exact output,
// stderr and exit codes, exact stdin bytes, one command unable to disturb the
// next, many callers at once, and a fresh shell after a timeout.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Fingerprint } from '../../electron/backend/ssh/fingerprint';
import { SshSession } from '../../electron/backend/ssh/session';
import { labExec, readLab } from '../lab';

let session: SshSession;

beforeAll(async () => {
  const lab = readLab();
  const node = lab.nodes[0]!;
  session = await SshSession.open(
    { label: node.name, address: node.host, port: node.port },
    { user: lab.user, privateKey: readFileSync(lab.keyPath) },
    async (key) => sha256Fingerprint(key) === node.hostKeyFingerprint,
  );
});

afterAll(() => session?.close());

describe('the open shell', () => {
  it('gives exactly what the command printed, its stderr and its exit code', async () => {
    expect(await session.run(['printf', '%s', 'no newline'])).toEqual({
      code: 0,
      stdout: 'no newline',
      stderr: '',
    });
    expect(await session.run(['printf', 'two\\nlines\\n\\n'])).toMatchObject({
      stdout: 'two\nlines\n\n',
    });
    expect(await session.run(['sh', '-c', 'echo out; echo err >&2; exit 3'])).toEqual({
      code: 3,
      stdout: 'out\n',
      stderr: 'err\n',
    });
    // Arguments arrive as given, quotes and all.
    expect((await session.run(['printf', '%s|', "it's", '$HOME', 'a b'])).stdout).toBe(
      "it's|$HOME|a b|",
    );
  });

  it('passes stdin byte for byte, and none when there is none', async () => {
    const input = 'line one\nümlaut ✓\n\nno newline at the end';
    expect((await session.run(['cat'], { stdin: input })).stdout).toBe(input);
    expect((await session.run(['cat'])).stdout).toBe('');
  });

  it('keeps one command from changing the next', async () => {
    await session.run(['sh', '-c', 'cd /tmp']);
    await session.run(['sh', '-c', 'exit 7']);
    expect((await session.run(['pwd'])).stdout).not.toBe('/tmp\n');
    expect((await session.run(['true'])).code).toBe(0);
  });

  it('answers many callers at once, each with its own output', async () => {
    const replies = await Promise.all(
      Array.from({ length: 30 }, (_, i) => session.run(['echo', `n${i}`])),
    );
    expect(replies.map((r) => r.stdout)).toEqual(replies.map((_, i) => `n${i}\n`));
  });

  it('gives up on a command that hangs, and a fresh shell serves the next one', async () => {
    await expect(session.run(['sleep', '30'], { timeoutMs: 300 })).rejects.toThrow(
      /^`sleep 30` on node1 did not finish within 300 ms\.$/,
    );
    expect((await session.run(['echo', 'again'])).stdout).toBe('again\n');
    labExec('node1', ['pkill', '-f', '^sleep 30$']);
  });
});
