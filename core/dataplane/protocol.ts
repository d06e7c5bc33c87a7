// The messages between the main thread and a node's data worker
// (data-worker.ts, worker-entry.ts). Both ends are ours and built together,
// so the types are the contract; nothing here crosses the process boundary.
import type { ErrorPayload } from '../../shared/errors';
import type { CommandRecord } from '../../shared/model';
import type { DisplayRoute } from '../consoles/route';
import type { Credentials, SessionTarget } from '../ssh/session';
import type { PageGuard } from '../transfers/page-guard';

/** What the worker needs to log in on its own: the node, the login, the one host key to accept. */
export interface DataLogin {
  target: SessionTarget;
  creds: Credentials;
  hostKey: Buffer;
}

export interface ConsoleJob {
  route: DisplayRoute;
  /** The display's VNC password: the worker logs in for the page. */
  password?: string;
  /** Shown in a failed login's message: "web1 on node1". */
  what: string;
  guard: PageGuard;
}

export interface UploadJob {
  /** A file read by the worker, or bytes the page PUTs to a receiver the worker opens. */
  source: { kind: 'file'; path: string } | { kind: 'page'; guard: PageGuard };
  bytes: number;
  tmpPath: string;
  finalPath: string;
}

export type ToWorker =
  | { t: 'console'; id: number; job: ConsoleJob }
  | { t: 'upload'; id: number; job: UploadJob }
  /** Closes a console, cancels an upload. */
  | { t: 'stop'; id: number };

export type FromWorker =
  | { t: 'ready' }
  | { t: 'login-failed'; error: ErrorPayload }
  /** The worker's connection is gone: every job on it ended. */
  | { t: 'dropped' }
  | { t: 'console-open'; id: number; url: string; port: number }
  | { t: 'console-closed'; id: number }
  | { t: 'upload-url'; id: number; url: string }
  /** The page's request came: bytes are on their way. */
  | { t: 'upload-started'; id: number }
  | { t: 'progress'; id: number; bytes: number }
  | { t: 'written'; id: number }
  | { t: 'log'; id: number; rec: CommandRecord }
  | { t: 'upload-done'; id: number; sha256: string; nodeSha256: string }
  | { t: 'job-failed'; id: number; error: ErrorPayload };
