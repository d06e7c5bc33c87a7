// One Clusterdeck per data folder: two instances would each write their own
// hosts over the other's. The lock is a file created exclusively, holding the
// owner's pid (and on Linux its start time, so a reused pid is not mistaken
// for the owner). A lock whose owner is gone is stale after a crash and is
// taken over. Both the desktop app and the browser shell take it.
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_NAME = 'clusterdeck.lock';

export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly ownerPid: number,
  ) {
    super(
      `Another Clusterdeck (process ${ownerPid}) is already using the data folder ${dataDir}. ` +
        'Only one may use a data folder at a time, or their saved hosts would overwrite each other. ' +
        'Close the other one first, or start this one with CLUSTERDECK_HOME set to another folder.',
    );
    this.name = 'DataDirInUseError';
  }
}

interface LockOwner {
  pid: number;
  /** Linux: the process start time in clock ticks since boot (/proc/PID/stat field 22). */
  start?: string;
}

function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; fields after it follow ") ".
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function isAlive(owner: LockOwner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (owner.start === undefined) return true;
  const now = startTimeOf(owner.pid);
  return now === undefined || now === owner.start;
}

function readOwner(file: string): LockOwner | undefined {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockOwner>;
    return typeof v.pid === 'number'
      ? { pid: v.pid, ...(v.start ? { start: v.start } : {}) }
      : undefined;
  } catch {
    return undefined; // being written this instant, or damaged
  }
}

/** A synchronous pause: startup waits for nothing else meanwhile. */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Takes the data folder for this process, or throws DataDirInUseError.
 * Returns the release function (also run on exit).
 */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, LOCK_NAME);
  const start = startTimeOf(process.pid);
  const me: LockOwner = { pid: process.pid, ...(start ? { start } : {}) };
  let tookOver = false;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      if (tookOver) {
        // Two processes that both found the same stale lock may both have
        // removed one: the later removal wins, and the other one gives way.
        pause(100);
        const now = readOwner(file);
        if (now && now.pid !== process.pid && isAlive(now))
          throw new DataDirInUseError(dataDir, now.pid);
      }
      const release = () => {
        if (readOwner(file)?.pid === process.pid) {
          try {
            unlinkSync(file);
          } catch {
            // already gone
          }
        }
      };
      process.once('exit', release);
      return release;
    } catch (err) {
      if (err instanceof DataDirInUseError) throw err;
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = readOwner(file);
    if (owner === undefined) {
      // Created but not yet written by a process starting right now: look again.
      pause(50);
      const again = readOwner(file);
      if (again && isAlive(again)) throw new DataDirInUseError(dataDir, again.pid);
    } else if (isAlive(owner)) {
      throw new DataDirInUseError(dataDir, owner.pid);
    }
    // The owner is gone (a crash): the lock is stale.
    tookOver = true;
    try {
      unlinkSync(file);
    } catch {
      // another starting process removed it first; try to create it again
    }
  }
  throw new Error(`Could not take the lock ${file}; remove it if no Clusterdeck is running.`);
}
