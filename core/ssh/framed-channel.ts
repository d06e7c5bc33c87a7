// A long-lived program on one exec channel (an interactive virsh, a plain
// sh) that runs one command at a time: each command is followed by a marker
// with a fresh random token on stdout and stderr, and its reply is complete
// when both markers have arrived. Output cannot forge a token it has not
// seen. Subclasses say how a command line looks and how a reply is cut out.
import type { ClientChannel } from 'ssh2';
import { ClusterdeckError } from '../../shared/errors';
import { exitBeforeListening } from './channels';

interface Pending<R> {
  line: string;
  token: string;
  resolve: (r: R) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export abstract class FramedChannel<R> {
  /** What has arrived and is not yet part of a reply. */
  protected stdout = '';
  protected stderr = '';
  private readonly queue: Pending<R>[] = [];
  private current: Pending<R> | undefined;
  private dead: Error | undefined;

  constructor(
    private readonly channel: ClientChannel,
    protected readonly label: string,
    /** "virsh", "shell": named in the errors when the channel goes. */
    private readonly what: string,
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
      this.fail(new ClusterdeckError('disconnected', `The ${what} session on ${label} ended.`));
    channel.on('close', onGone);
    channel.on('exit', onGone);
    // A command that failed at once may have exited before this listened.
    if (exitBeforeListening(channel)) onGone();
  }

  get isAlive(): boolean {
    return this.dead === undefined;
  }

  /**
   * Queues one command line (ending with its markers). A command that does
   * not answer in time closes the channel: it may still run, and nothing
   * after it could be told apart from its output.
   */
  protected send(line: string, token: string, timeoutMs: number, late: () => Error): Promise<R> {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise<R>((resolve, reject) => {
      this.queue.push({
        line,
        token,
        resolve,
        reject,
        timer: setTimeout(() => this.fail(late()), timeoutMs),
      });
      this.next();
    });
  }

  /** Cuts the reply for this token off stdout and stderr, or undefined while incomplete. */
  protected abstract take(token: string): R | undefined;

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
    const reply = this.take(p.token);
    if (reply === undefined) return;
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
      new ClusterdeckError('disconnected', `The ${this.what} session on ${this.label} was closed.`),
    );
  }
}
