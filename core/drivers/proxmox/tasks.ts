// A Proxmox VE worker task followed to its end as a Clusterdeck task: the
// call that started it is logged as its pvesh command; then its status is
// read by UPID (`/nodes/{node}/tasks/{upid}/status`) until it has stopped,
// its new log lines (`/log`, from the line last read) going to the task's
// detail line; an exitstatus other than OK fails the task with PVE's own
// message, the node and that command. Cancel deletes the task on its node,
// as the web interface's Stop does.
import { ClusterdeckError } from '../../../shared/errors';
import type { TaskContext } from '../../tasks/runner';
import type { PveApiClient } from './api-client';
import { pveshCommand, type PveParams } from './pvesh';

const POLL_MS = 500;
/** A worker task PVE keeps running this long is given up on (the task itself runs on). */
const FOLLOW_LIMIT_MS = 60 * 60 * 1000;

interface TaskStatus {
  status?: string;
  exitstatus?: string;
}

/** The node a UPID names (`UPID:<node>:…`): its task is read on that node. */
export function upidNode(upid: string): string {
  const m = /^UPID:([a-zA-Z0-9][a-zA-Z0-9-]*):/.exec(upid);
  if (!m) throw new ClusterdeckError('command-failed', `Not a Proxmox task id: ${upid}`);
  return m[1]!;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * POSTs (or DELETEs) `path`, an API call that starts a worker and answers
 * its UPID, and follows the task; resolves when it ended OK.
 */
export async function runWorker(
  api: PveApiClient,
  path: string,
  params: PveParams,
  ctx: TaskContext,
  pollMs = POLL_MS,
  /** Parameters whose values are secrets (a container's password): shown as <hidden>. */
  hidden: readonly string[] = [],
  /** The API method that starts the worker: POST, DELETE for a guest's removal, PUT for a disk's resize. */
  method: 'POST' | 'DELETE' | 'PUT' = 'POST',
): Promise<string> {
  const command = pveshCommand(method, path, params, hidden);
  const call = { log: ctx.log, signal: ctx.signal, hidden };
  const upid =
    method === 'POST'
      ? await api.create<unknown>(path, params, call)
      : method === 'PUT'
        ? await api.set<unknown>(path, params, call)
        : await api.delete<unknown>(path, params, call);
  if (typeof upid !== 'string')
    throw new ClusterdeckError('command-failed', `${api.node}: \`${command}\` gave no task id.`);
  return followWorker(api, upid, command, ctx, pollMs);
}

/** Follows a worker another call started (an upload's imgcopy) until it ended OK. */
export async function followWorker(
  api: PveApiClient,
  upid: string,
  command: string,
  ctx: TaskContext,
  pollMs = POLL_MS,
): Promise<string> {
  const node = upidNode(upid);
  const taskPath = `/nodes/${node}/tasks/${upid}`;
  let lines = 0;
  let cancelled = false;
  const onAbort = () => {
    cancelled = true;
    api
      .delete(taskPath, {}, { log: ctx.log })
      .catch((e: Error) => ctx.detail(`Stopping the task failed: ${e.message}`));
  };
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  const readLog = async () => {
    const log = await api.get<{ n: number; t: string }[]>(`${taskPath}/log`, { start: lines });
    for (const l of log ?? []) {
      lines = Math.max(lines, l.n);
      ctx.detail(`${node}: ${l.t}`);
    }
  };
  try {
    const until = Date.now() + FOLLOW_LIMIT_MS;
    for (;;) {
      const st = await api.get<TaskStatus>(`${taskPath}/status`);
      await readLog();
      if (st?.status === 'stopped') {
        const exit = st.exitstatus ?? '';
        if (exit === 'OK') return upid;
        throw new ClusterdeckError(
          cancelled ? 'cancelled' : 'command-failed',
          `${node}: \`${command}\` failed: ${exit || 'the task ended without a status'}.`,
        );
      }
      if (Date.now() > until)
        throw new ClusterdeckError(
          'timeout',
          `${node}: \`${command}\` still runs after an hour (task ${upid}); follow it in Proxmox's task log.`,
        );
      await sleep(pollMs);
    }
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
}
