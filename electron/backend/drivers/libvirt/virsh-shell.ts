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
import { ClusterdeckError } from '../../../../shared/errors';
import { quoteArgv } from '../../ssh/quote';
import type { SshSession } from '../../ssh/session';

const PROMPT = 'virsh # ';

export interface VirshReply {
  ok: boolean;
  stdout: string;
  stderr: string;
}

interface Pending {
  command: string;
  token: string;
  resolve: (r: VirshReply) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class VirshShell {
  private stdout = '';
  private stderr = '';
  private readonly queue: Pending[] = [];
  private current: Pending | undefined;
  private dead: Error | undefined;

  private constructor(
    private readonly channel: ClientChannel,
    private readonly label: string,
  ) {
    channel.setEncoding('utf8');
    channel.stderr.setEncoding('utf8');
    channel.on('data', (d: string) => {
      this.stdout += d;
      this.pump();
    });
    channel.stderr.on('data', (d: string) => {
      this.stderr += d;
      this.pump();
    });
    const onGone = () =>
      this.fail(new ClusterdeckError('disconnected', `The virsh session on ${label} ended.`));
    channel.on('close', onGone);
    channel.on('exit', onGone);
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

  get isAlive(): boolean {
    return this.dead === undefined;
  }

  run(argv: readonly string[], timeoutMs = 30_000): Promise<VirshReply> {
    if (this.dead) return Promise.reject(this.dead);
    const command = quoteArgv(argv);
    return new Promise<VirshReply>((resolve, reject) => {
      const p: Pending = {
        command,
        token: `CD${randomBytes(12).toString('hex')}`,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.fail(
            new ClusterdeckError(
              'timeout',
              `virsh ${command} on ${this.label} did not answer within ${timeoutMs / 1000} s.`,
            ),
          );
        }, timeoutMs),
      };
      this.queue.push(p);
      this.next();
    });
  }

  private next(): void {
    if (this.current || this.dead) return;
    const p = this.queue.shift();
    if (!p) return;
    this.current = p;
    this.channel.write(`${p.command}\necho --err ${p.token}\necho ${p.token}\n`);
  }

  private pump(): void {
    const p = this.current;
    if (!p) return;
    const errEnd = `error: ${p.token}\n`;
    const outEnd = `${PROMPT}echo ${p.token}\n${p.token}`;
    const ei = this.stderr.indexOf(errEnd);
    const oi = this.stdout.indexOf(outEnd);
    if (ei < 0 || oi < 0) return;
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
    const errEcho = block.lastIndexOf(`${PROMPT}echo --err ${p.token}\n`);
    if (errEcho >= 0) block = block.slice(0, errEcho);
    clearTimeout(p.timer);
    this.current = undefined;
    p.resolve({ ok: !/^error: /m.test(stderr), stdout: block, stderr });
    this.next();
  }

  private fail(err: Error): void {
    if (this.dead) return;
    this.dead = err;
    for (const p of [this.current, ...this.queue]) {
      if (!p) continue;
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.current = undefined;
    this.queue.length = 0;
    this.channel.close();
  }

  close(): void {
    this.fail(
      new ClusterdeckError('disconnected', `The virsh session on ${this.label} was closed.`),
    );
  }
}
