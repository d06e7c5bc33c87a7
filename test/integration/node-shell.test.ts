// The session's open shell against a lab node's real sshd: exact output,
// stderr and exit codes, exact stdin bytes, one command unable to disturb the
// next, many callers at once, and a fresh shell after a timeout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SshSession } from '../../core/ssh/session';
import { VirshShell } from '../../core/drivers/libvirt/virsh-shell';
import { labExec, openLabSession } from '../lab';

let session: SshSession;

beforeAll(async () => {
  session = await openLabSession();
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

describe('exec', () => {
  // ssh2 may emit a fast command's exit status before exec listens for it
  // (core/ssh/channels.ts); on a node with quick rc files that lost the
  // code of ~5-10% of such commands.
  it('gives the exit status of commands that end at once, every time', async () => {
    const codes = new Set<number | null>();
    for (let i = 0; i < 100; i++) codes.add((await session.exec(['sh', '-c', 'exit 3'])).code);
    expect([...codes]).toEqual([3]);
  });
});

describe('the open virsh', () => {
  // virsh reads its commands through readline even from a pipe: a control
  // character inside quotes acts as a key (Ctrl-U erases the line before it).
  it('refuses control characters in a word, so none can act as a key', async () => {
    const virsh = await VirshShell.open(session, 'qemu:///system');
    try {
      let injections = 0;
      const refusals: string[] = [];
      for (let code = 0; code <= 0x7f; code++) {
        if (code >= 0x20 && code < 0x7f) continue;
        const word = `x${String.fromCharCode(code)}echo INJECTED #`;
        const r = await virsh.run(['echo', word]).catch((err: unknown) => err as Error);
        if (r instanceof Error) refusals.push(r.message);
        else if (r.stdout.startsWith('INJECTED')) injections++;
      }
      expect(injections).toBe(0);
      expect(refusals).toHaveLength(33);
      for (const m of refusals) expect(m).toMatch(/contains the control character/);
      await expect(virsh.run(['echo', 'a\tb'])).rejects.toThrow(
        /contains the control character \\t, which cannot be sent to a node/,
      );
      // The shell still answers plainly after the refusals.
      expect((await virsh.run(['echo', "it's fine"])).stdout).toBe("it's fine");
    } finally {
      virsh.close();
    }
  });
});
