// One long-lived `sh` on an exec channel, for the short reads Clusterdeck
// makes often (free memory, disk and network counters, a marker file): sshd
// spends 100 ms or more setting up each exec channel, a command in a running
// shell a few milliseconds. Long or cancellable commands keep their own exec
// channel: this shell runs one command at a time.
//
// Framing: each command runs in a subshell, with stdin from /dev/null or from
// the bytes it was given (sent base64 on the command line, so they arrive
// exactly), followed by a line with a fresh random token and the exit status
// on stdout and the token on stderr. Each stream is complete when its token
// line arrives; output cannot forge a token it has not seen.
import { randomBytes } from 'node:crypto';
import type { ClientChannel } from 'ssh2';
import { ClusterdeckError } from '../../../shared/errors';
import { quoteArgv } from './quote';

/** Bytes on stdin up to this size go through the shell; more need an exec channel. */
export const SHELL_STDIN_MAX = 256 * 1024;

export interface ShellReply {
  code: number;
  stdout: string;
  stderr: string;
}

interface Pending {
  line: string;
  token: string;
  resolve: (r: ShellReply) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class NodeShell {
  private stdout = '';
  private stderr = '';
  private readonly queue: Pending[] = [];
  private current: Pending | undefined;
  private dead: Error | undefined;

  constructor(
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
      this.fail(new ClusterdeckError('disconnected', `The shell session on ${label} ended.`));
    channel.on('close', onGone);
    channel.on('exit', onGone);
  }

  get isAlive(): boolean {
    return this.dead === undefined;
  }

  run(
    argv: readonly string[],
    opts: { stdin?: string; timeoutMs?: number } = {},
  ): Promise<ShellReply> {
    if (this.dead) return Promise.reject(this.dead);
    if (opts.stdin !== undefined && opts.stdin.length > SHELL_STDIN_MAX)
      return Promise.reject(new Error('Too much input for the shell channel; use exec.'));
    const command = quoteArgv(argv);
    const token = `CD${randomBytes(12).toString('hex')}`;
    // The subshell keeps a command's cd, exit or variables from the next one.
    const body =
      opts.stdin === undefined
        ? `( ${command} ) </dev/null`
        : `printf %s ${Buffer.from(opts.stdin, 'utf8').toString('base64')} | base64 -d | ( ${command} )`;
    const line = `${body}; printf '\\n%s %s\\n' ${token} "$?"; printf '\\n%s\\n' ${token} >&2\n`;
    const timeoutMs = opts.timeoutMs ?? 30_000;
    return new Promise<ShellReply>((resolve, reject) => {
      const p: Pending = {
        line,
        token,
        resolve,
        reject,
        timer: setTimeout(() => {
          // The command may still run; a fresh shell serves the next ones.
          this.fail(
            new ClusterdeckError(
              'timeout',
              `\`${command}\` on ${this.label} did not finish within ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`}.`,
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
    this.channel.write(p.line);
  }

  private pump(): void {
    const p = this.current;
    if (!p) return;
    const outAt = this.stdout.indexOf(`\n${p.token} `);
    const outEnd = outAt < 0 ? -1 : this.stdout.indexOf('\n', outAt + 1);
    const errMark = `\n${p.token}\n`;
    const errAt = this.stderr.indexOf(errMark);
    if (outEnd < 0 || errAt < 0) return;
    const code = Number(this.stdout.slice(outAt + p.token.length + 2, outEnd));
    const reply = {
      code: Number.isInteger(code) ? code : -1,
      stdout: this.stdout.slice(0, outAt),
      stderr: this.stderr.slice(0, errAt),
    };
    this.stdout = this.stdout.slice(outEnd + 1);
    this.stderr = this.stderr.slice(errAt + errMark.length);
    clearTimeout(p.timer);
    this.current = undefined;
    p.resolve(reply);
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
      new ClusterdeckError('disconnected', `The shell session on ${this.label} was closed.`),
    );
  }
}
