// Running one command to completion on its own exec channel: output
// collected, a timeout, cancel by AbortSignal, the command record for a
// task's log, and the errors a lost connection gives.
import type { ClientChannel } from 'ssh2';
import type { CommandRecord } from '../../shared/model';
import { ClusterdeckError } from '../../shared/errors';
import type { SessionTarget } from './connect';
import { quoteArgv } from './quote';
import { exitBeforeListening } from './channels';

export interface ExecOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Receives the command record for a task's log. */
  log?: (rec: CommandRecord) => void;
  stdin?: string;
}

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const DEFAULT_COMMAND_TIMEOUT_MS = 60_000;

/** What running a command needs of the session it runs on. */
export interface CommandChannels {
  readonly target: SessionTarget;
  openChannel(argv: readonly string[]): Promise<ClientChannel>;
  onClose(listener: () => void): () => void;
}

/**
 * Starts the clock for one command; the function returned hands its record
 * (exit code or null, stderr or why it failed) to the task's log, if any.
 */
export function commandRecorder(
  node: string,
  command: string,
  log: ExecOptions['log'],
): (exitCode: number | null, stderr: string) => void {
  const started = Date.now();
  return (exitCode, stderr) =>
    log?.({ node, command, exitCode, stderr, durationMs: Date.now() - started, at: started });
}

/** Runs one command to completion. Never rejects for a non-zero exit: the caller decides. */
export async function execCommand(
  session: CommandChannels,
  argv: readonly string[],
  opts: ExecOptions = {},
): Promise<ExecResult> {
  const command = quoteArgv(argv);
  const record = commandRecorder(session.target.label, command, opts.log);
  if (opts.signal?.aborted) {
    record(null, 'cancelled before it started');
    throw new ClusterdeckError(
      'cancelled',
      `Cancelled before \`${command}\` ran on ${session.target.label}.`,
    );
  }
  let stream: ClientChannel;
  try {
    stream = await session.openChannel(argv);
  } catch (err) {
    record(null, (err as Error).message);
    throw err;
  }
  return new Promise<ExecResult>((resolve, reject) => {
    const out: Buffer[] = [];
    const errOut: Buffer[] = [];
    let code: number | null = null;
    let done = false;
    const timeoutMs = opts.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    const finish = (err?: ClusterdeckError) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      unsubscribe();
      const stderr = Buffer.concat(errOut).toString('utf8');
      record(err ? null : code, err ? (stderr ? stderr + '\n' : '') + err.message : stderr);
      if (err) {
        stream.close();
        reject(err);
      } else {
        resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr });
      }
    };
    const onAbort = () =>
      finish(
        new ClusterdeckError('cancelled', `Cancelled \`${command}\` on ${session.target.label}.`),
      );
    const timer = setTimeout(
      () =>
        finish(
          new ClusterdeckError(
            'timeout',
            `\`${command}\` on ${session.target.label} did not finish within ${Math.round(timeoutMs / 1000)} s. Check the node's load, then try again.`,
          ),
        ),
      timeoutMs,
    );
    const unsubscribe = session.onClose(() => finish(disconnectedError(session.target, command)));
    opts.signal?.addEventListener('abort', onAbort);
    stream.on('data', (d: Buffer) => out.push(d));
    stream.stderr.on('data', (d: Buffer) => errOut.push(d));
    // 'close' alone may never come (docs/lab.md): the exit status plus the
    // end of stdout is enough to finish.
    let exited = false;
    let ended = false;
    const maybeFinish = () => {
      if (exited && ended) {
        stream.close();
        finish();
      }
    };
    stream.on('exit', (c: number | null) => {
      code = c;
      exited = true;
      maybeFinish();
    });
    stream.on('end', () => {
      ended = true;
      maybeFinish();
    });
    stream.on('close', () => {
      exited = true;
      ended = true;
      maybeFinish();
    });
    const early = exitBeforeListening(stream);
    if (early) {
      code = early.code;
      exited = true;
    }
    if (opts.stdin !== undefined) stream.end(opts.stdin);
    else stream.end();
  });
}

/** The error for a command or channel the session could not run because the connection is gone. */
export function disconnectedError(target: SessionTarget, command: string): ClusterdeckError {
  const { label, address, port } = target;
  return new ClusterdeckError(
    'disconnected',
    `The connection to ${label} (${address}:${port}) was lost while running \`${command}\`. Clusterdeck reconnects by itself; run the action again once the node is connected.`,
  );
}
