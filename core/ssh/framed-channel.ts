// A long-lived program on one exec channel (an interactive virsh, a plain
// sh) that runs one command at a time: each command is followed by a marker
// with a fresh random token on stdout and stderr, and its reply is complete
// when both markers have arrived. Output cannot forge a token it has not
// seen. Subclasses say how a command line looks and how a reply is cut out.
//
// Pipelining (`depth` > 1): up to `depth` command lines are written before
// the first one's reply is in, so a burst of reads (an inventory load: a few
// hundred commands for a hundred guests) pays one round trip to the node
// instead of one per command. The program still runs them one after the
// other and answers in order, so replies are cut off the front of the output
// in the order the lines were written. Only for programs that never read
// stdin on behalf of a command (an interactive virsh): a command that did
// would swallow the lines written after it.
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
  /** Written to the program, oldest first, replies not yet complete. */
  private readonly inFlight: Pending<R>[] = [];
  private dead: Error | undefined;
  private writeScheduled = false;

  constructor(
    private readonly channel: ClientChannel,
    protected readonly label: string,
    /** "virsh", "shell": named in the errors when the channel goes. */
    private readonly what: string,
    /** How many command lines may be written ahead of their replies (1: one at a time). */
    private readonly depth = 1,
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
      // Commands sent in one burst (Promise.all over a list) leave in one write.
      if (!this.writeScheduled) {
        this.writeScheduled = true;
        queueMicrotask(() => {
          this.writeScheduled = false;
          this.next();
        });
      }
    });
  }

  /** Cuts the reply for this token off stdout and stderr, or undefined while incomplete. */
  protected abstract take(token: string): R | undefined;

  /** Writes queued lines while fewer than `depth` are in flight, in one write. */
  private next(): void {
    if (this.dead) return;
    let lines = '';
    while (this.inFlight.length < this.depth && this.queue.length) {
      const p = this.queue.shift()!;
      this.inFlight.push(p);
      lines += p.line;
    }
    if (lines) this.channel.write(lines);
  }

  private pump(): void {
    let done = false;
    for (let p = this.inFlight[0]; p; p = this.inFlight[0]) {
      const reply = this.take(p.token);
      if (reply === undefined) break;
      clearTimeout(p.timer);
      this.inFlight.shift();
      p.resolve(reply);
      done = true;
    }
    if (done) this.next();
  }

  private fail(err: Error): void {
    if (this.dead) return;
    this.dead = err;
    for (const p of [...this.inFlight, ...this.queue]) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.inFlight.length = 0;
    this.queue.length = 0;
    this.channel.close();
  }

  close(): void {
    this.fail(
      new ClusterdeckError('disconnected', `The ${this.what} session on ${this.label} was closed.`),
    );
  }
}
