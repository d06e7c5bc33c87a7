// A Ganeti operation as a Clusterdeck task: submit it as a job (`--submit`
// prints the id at once), follow it with `gnt-job watch`, whose log lines
// stream into the task's detail line as they come, and end with the job's
// own outcome: watch exits 0 when the job succeeded and otherwise prints
// the job's error. Cancel in the Tasks pane asks `gnt-job cancel`: Ganeti
// takes a job back while it is queued or waiting for locks; once it runs,
// its refusal is shown and the job is followed to its end.
import type { ClientChannel } from 'ssh2';
import { ClusterdeckError } from '../../../shared/errors';
import { commandRecorder } from '../../ssh/exec';
import { quoteArgv } from '../../ssh/quote';
import type { SshSession } from '../../ssh/session';
import type { TaskContext } from '../../tasks/runner';
import { jobCancelArgv, jobWatchArgv } from './commands';
import { jobError, jobLogLines, parseSubmittedJob } from './parse';

/** How a job's commands reach the master (commands.ts `onMaster`, with the state now). */
export type ToMaster = (argv: readonly string[]) => Promise<string[]>;

const WATCH_TIMEOUT_MS = 60 * 60 * 1000;

/** Runs one command on its own channel, streaming stdout lines to `onLine`. */
export function streamCommand(
  session: SshSession,
  argv: readonly string[],
  ctx: TaskContext,
  onLine: (line: string) => void,
): Promise<{ code: number | null; stderr: string }> {
  const record = commandRecorder(session.target.label, quoteArgv(argv), ctx.log);
  return session.openChannel(argv).then(
    (ch: ClientChannel) =>
      new Promise((resolve) => {
        let code: number | null = null;
        let rest = '';
        const errOut: Buffer[] = [];
        const timer = setTimeout(() => ch.close(), WATCH_TIMEOUT_MS);
        ch.on('data', (d: Buffer) => {
          const lines = (rest + d.toString('utf8')).split('\n');
          rest = lines.pop() ?? '';
          for (const l of jobLogLines(lines.join('\n'))) onLine(l);
        });
        ch.stderr.on('data', (d: Buffer) => errOut.push(d));
        ch.on('exit', (c: number | null) => (code = c));
        ch.on('close', () => {
          clearTimeout(timer);
          for (const l of jobLogLines(rest)) onLine(l);
          // ssh2 may emit exit before anyone listens (docs/lab.md): the stream keeps it.
          const exit = code ?? (ch as unknown as { _exit?: { code?: number } })._exit?.code ?? null;
          const stderr = Buffer.concat(errOut).toString('utf8');
          record(exit, stderr);
          resolve({ code: exit, stderr });
        });
      }),
    (err: Error) => {
      record(null, err.message);
      throw err;
    },
  );
}

/**
 * Submits `argv` (a gnt-* command with `--submit`) and follows the job to its
 * end; rejects with the job's own error when it fails or is cancelled.
 */
export async function runJob(
  session: SshSession,
  toMaster: ToMaster,
  argv: readonly string[],
  ctx: TaskContext,
): Promise<string> {
  const label = session.target.label;
  ctx.setSteps(['Submit the job', 'Follow the job']);
  ctx.stepState(0, 'running');
  const submitted = await session.exec(await toMaster(argv), { log: ctx.log, timeoutMs: 120_000 });
  if (submitted.code !== 0) {
    ctx.stepState(0, 'failed');
    throw new ClusterdeckError(
      'command-failed',
      `Ganeti refused \`${quoteArgv(argv)}\` on ${label}: ${jobError(submitted.stderr || submitted.stdout)}`,
    );
  }
  // Instance commands print `7: name` on stdout, others `JobID: 7` on stderr.
  const id = parseSubmittedJob(`${submitted.stdout}\n${submitted.stderr}`);
  ctx.stepState(0, 'done');
  ctx.stepState(1, 'running');
  ctx.detail(`Job ${id} submitted`);
  let cancelAsked = false;
  const onAbort = () => {
    cancelAsked = true;
    void toMaster(jobCancelArgv(id))
      .then((a) => session.exec(a, { log: ctx.log, timeoutMs: 60_000 }))
      .then((r) => ctx.detail(`Job ${id}: ${(r.stdout + r.stderr).trim()}`))
      .catch((e: Error) => ctx.detail(`Job ${id}: cancel failed: ${e.message}`));
  };
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  if (ctx.signal.aborted) onAbort();
  try {
    const watched = await streamCommand(session, await toMaster(jobWatchArgv(id)), ctx, (l) =>
      ctx.detail(`Job ${id}: ${l}`),
    );
    if (watched.code === 0) {
      ctx.stepState(1, 'done');
      return id;
    }
    ctx.stepState(1, 'failed');
    const why = jobError(watched.stderr) || `gnt-job watch exited with ${watched.code}`;
    throw new ClusterdeckError(
      cancelAsked && /cancel/i.test(why) ? 'cancelled' : 'command-failed',
      `${why} (on the master of ${label}'s cluster)`,
    );
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
}
