// One long-lived `sh` on an exec channel, for the short reads Clusterdeck
// makes often (free memory, disk and network counters, a marker file): sshd
// spends 100 ms or more setting up each exec channel, a command in a running
// shell a few milliseconds. Long or cancellable commands keep their own exec
// channel: this shell runs one command at a time.
//
// Each command runs in a subshell, with stdin from /dev/null or from the
// bytes it was given (sent base64 on the command line, so they arrive
// exactly), then `printf` writes the token and the exit status on stdout and
// the token on stderr, each on a line of its own after a newline.
import { randomBytes } from 'node:crypto';
import type { ClientChannel } from 'ssh2';
import { ClusterdeckError } from '../../shared/errors';
import { FramedChannel } from './framed-channel';
import { quoteArgv } from './quote';

/** Bytes on stdin up to this size go through the shell; more need an exec channel. */
export const SHELL_STDIN_MAX = 256 * 1024;

export interface ShellReply {
  code: number;
  stdout: string;
  stderr: string;
}

export class NodeShell extends FramedChannel<ShellReply> {
  constructor(channel: ClientChannel, label: string) {
    super(channel, label, 'shell');
  }

  run(
    argv: readonly string[],
    opts: { stdin?: string; timeoutMs?: number } = {},
  ): Promise<ShellReply> {
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
    const within = timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`;
    return this.send(
      line,
      token,
      timeoutMs,
      () =>
        new ClusterdeckError(
          'timeout',
          `\`${command}\` on ${this.label} did not finish within ${within}.`,
        ),
    );
  }

  protected take(token: string): ShellReply | undefined {
    const outAt = this.stdout.indexOf(`\n${token} `);
    const outEnd = outAt < 0 ? -1 : this.stdout.indexOf('\n', outAt + 1);
    const errMark = `\n${token}\n`;
    const errAt = this.stderr.indexOf(errMark);
    if (outEnd < 0 || errAt < 0) return undefined;
    const code = Number(this.stdout.slice(outAt + token.length + 2, outEnd));
    const reply = {
      code: Number.isInteger(code) ? code : -1,
      stdout: this.stdout.slice(0, outAt),
      stderr: this.stderr.slice(0, errAt),
    };
    this.stdout = this.stdout.slice(outEnd + 1);
    this.stderr = this.stderr.slice(errAt + errMark.length);
    return reply;
  }
}
