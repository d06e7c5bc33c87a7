// One long-lived interactive `virsh` on an exec channel. sshd spends ~100 ms
// setting up each exec channel, while a command inside a running virsh takes
// about a millisecond, so inventory reads all go through here.
//
// Framing: virsh in interactive mode (stdin not a tty) echoes each line as
// "virsh # <line>\n" on stdout and prints the command's output after it. After
// each command we send `echo --err TOKEN` and `echo TOKEN` with a fresh random
// token: stderr is complete when "error: TOKEN" arrives, stdout when the echo
// of the token arrives. Outputs cannot forge a token they have not seen.
import { randomBytes } from 'node:crypto';
import type { ClientChannel } from 'ssh2';
import { ClusterdeckError } from '../../../shared/errors';
import { quoteArgv } from '../../ssh/quote';
import { FramedChannel } from '../../ssh/framed-channel';
import type { SshSession } from '../../ssh/session';

const PROMPT = 'virsh # ';
/**
 * Command lines written ahead of their replies (framed-channel.ts): virsh
 * reads one line at a time and runs nothing on its own stdin, so a load's
 * reads leave in a few writes and come back as one stream.
 */
const PIPELINE_DEPTH = 128;

export interface VirshReply {
  ok: boolean;
  stdout: string;
  stderr: string;
}

export class VirshShell extends FramedChannel<VirshReply> {
  private constructor(channel: ClientChannel, label: string) {
    super(channel, label, 'virsh', PIPELINE_DEPTH);
  }

  static async open(session: SshSession, uri: string): Promise<VirshShell> {
    const channel = await session.openChannel(['virsh', '-q', '-c', uri]);
    const shell = new VirshShell(channel, session.target.label);
    // Proves the connection to libvirtd works before anyone relies on it.
    const r = await shell.run(['uri']);
    if (!r.ok) {
      shell.close();
      throw new ClusterdeckError(
        'command-failed',
        `virsh on ${session.target.label} cannot connect to ${uri}: ${r.stderr.trim()}. Check that libvirtd runs there and that the user may use it.`,
      );
    }
    return shell;
  }

  /** Async, so a word quoteArgv refuses rejects like any other failure. */
  async run(argv: readonly string[], timeoutMs = 30_000): Promise<VirshReply> {
    const command = quoteArgv(argv);
    const token = `CD${randomBytes(12).toString('hex')}`;
    return this.send(
      `${command}\necho --err ${token}\necho ${token}\n`,
      token,
      timeoutMs,
      () =>
        new ClusterdeckError(
          'timeout',
          `virsh ${command} on ${this.label} did not answer within ${timeoutMs / 1000} s.`,
        ),
    );
  }

  protected take(token: string): VirshReply | undefined {
    const errEnd = `error: ${token}\n`;
    const outEnd = `${PROMPT}echo ${token}\n${token}`;
    const ei = this.stderr.indexOf(errEnd);
    const oi = this.stdout.indexOf(outEnd);
    if (ei < 0 || oi < 0) return undefined;
    const stderr = this.stderr.slice(0, ei);
    this.stderr = this.stderr.slice(ei + errEnd.length);
    let block = this.stdout.slice(0, oi);
    this.stdout = this.stdout.slice(oi + outEnd.length);
    // block = "virsh # <command>\n<output>virsh # echo --err TOKEN\n<...>"
    // virsh's readline echoes the command after the prompt, and scrolls
    // lines longer than its 80 columns sideways (with \r and a '<'), so the
    // echo is not the command verbatim: drop the prompt's whole line.
    const at = block.indexOf(PROMPT);
    if (at >= 0 && block.slice(0, at).trim() === '') {
      const nl = block.indexOf('\n', at);
      block = nl >= 0 ? block.slice(nl + 1) : '';
    }
    const errEcho = block.lastIndexOf(`${PROMPT}echo --err ${token}\n`);
    if (errEcho >= 0) block = block.slice(0, errEcho);
    return { ok: !/^error: /m.test(stderr), stdout: block, stderr };
  }
}
