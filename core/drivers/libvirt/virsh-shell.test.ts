import { EventEmitter } from 'node:events';
import type { ClientChannel } from 'ssh2';
import { describe, expect, it } from 'vitest';
import type { SshSession } from '../../ssh/session';
import { VirshShell } from './virsh-shell';

/**
 * An interactive virsh as the channel shows it (stdin not a tty): each line
 * read is echoed after the prompt on stdout, then the command's output;
 * `echo --err X` prints "error: X" on stderr. Lines are run one after the
 * other, as virsh does, whatever was written ahead. What it prints reaches
 * the channel in chunks of `chunk` characters, cutting replies anywhere.
 */
class FakeVirsh extends EventEmitter {
  readonly stderr = new EventEmitter() as EventEmitter & { setEncoding(): void };
  readonly writes: string[] = [];
  private pending = '';

  constructor(private readonly chunk: number) {
    super();
    this.stderr.setEncoding = () => undefined;
  }

  setEncoding(): void {}

  close(): void {}

  write(data: string): boolean {
    this.writes.push(data);
    this.pending += data;
    let out = '';
    let err = '';
    for (let nl = this.pending.indexOf('\n'); nl >= 0; nl = this.pending.indexOf('\n')) {
      const line = this.pending.slice(0, nl);
      this.pending = this.pending.slice(nl + 1);
      out += `virsh # ${line}\n`;
      const [cmd, ...args] = line.split(' ');
      if (cmd === 'echo' && args[0] === '--err') err += `error: ${args[1]}\n`;
      else if (cmd === 'echo') out += `${args[0]}\n`;
      else if (cmd === 'domstate') out += `state of ${args[0]}\n\n`;
      else if (cmd === 'fail') err += `error: no domain ${args[0]}\n`;
      else if (cmd === 'uri') out += 'qemu:///system\n\n';
    }
    setImmediate(() => {
      for (let i = 0; i < err.length; i += this.chunk)
        this.stderr.emit('data', err.slice(i, i + this.chunk));
      for (let i = 0; i < out.length; i += this.chunk)
        this.emit('data', out.slice(i, i + this.chunk));
    });
    return true;
  }
}

async function openOn(virsh: FakeVirsh): Promise<VirshShell> {
  const session = {
    target: { label: 'node1' },
    openChannel: async () => virsh as unknown as ClientChannel,
  } as unknown as SshSession;
  return VirshShell.open(session, 'qemu:///system');
}

describe('the open virsh, pipelined', () => {
  it('writes a burst of commands at once and gives each its own reply', async () => {
    const virsh = new FakeVirsh(7);
    const shell = await openOn(virsh);
    const before = virsh.writes.length;
    const names = Array.from({ length: 40 }, (_, i) => `vm${i}`);
    const replies = await Promise.all(names.map((n) => shell.run(['domstate', n])));
    // One write for the whole burst, not one per command.
    expect(virsh.writes.length - before).toBe(1);
    expect(replies.map((r) => r.stdout)).toEqual(names.map((n) => `state of ${n}\n\n`));
    expect(replies.every((r) => r.ok && r.stderr === '')).toBe(true);
  });

  it("keeps a failed command's error with that command only", async () => {
    const shell = await openOn(new FakeVirsh(5));
    const [a, b, c] = await Promise.all([
      shell.run(['domstate', 'a']),
      shell.run(['fail', 'b']),
      shell.run(['domstate', 'c']),
    ]);
    expect(a).toEqual({ ok: true, stdout: 'state of a\n\n', stderr: '' });
    expect(b).toEqual({ ok: false, stdout: '', stderr: 'error: no domain b\n' });
    expect(c).toEqual({ ok: true, stdout: 'state of c\n\n', stderr: '' });
  });

  it('writes no more than its depth ahead, and the rest as replies come in', async () => {
    const virsh = new FakeVirsh(4096);
    const shell = await openOn(virsh);
    const before = virsh.writes.length;
    const names = Array.from({ length: 300 }, (_, i) => `vm${i}`);
    const replies = await Promise.all(names.map((n) => shell.run(['domstate', n])));
    const written = virsh.writes.slice(before);
    // 128 command lines (each with its two markers) in the first write.
    expect(written[0]!.split('\n').filter((l) => l.startsWith('domstate')).length).toBe(128);
    expect(written.length).toBeGreaterThan(1);
    expect(replies.map((r) => r.stdout)).toEqual(names.map((n) => `state of ${n}\n\n`));
  });
});
