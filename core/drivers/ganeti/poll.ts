// Changes made outside Clusterdeck (another admin's gnt-* commands) without
// a reload: every POLL_MS the connected node is asked, through the session's
// open shell (no new channel, no Ganeti daemon), for its cluster's master
// and a stamp made of the job queue's serial (bumped by every job) and the
// configuration's change time (every config write); only when either moved
// is the cluster read again with gnt-node/gnt-instance list. A node that is
// not a master candidate has neither file: its stamp is read on the master
// over SSH. A full read every FULL_READ_MS catches what changes neither
// (an instance that died on its own).
import { CLUSTER_STATE_ARGV, parseClusterState, type ClusterState } from './commands';

export const POLL_MS = 3000;
export const FULL_READ_MS = 60_000;

export interface Polled {
  readState(): Promise<ClusterState>;
  toMaster(argv: readonly string[]): Promise<string[]>;
  load(): Promise<unknown>;
  runQuick(argv: readonly string[]): Promise<string>;
}

export class ChangePoll {
  /** Commands sent while following: stamp reads and list commands, for the idle cost. */
  readonly counts = { stampReads: 0, listReads: 0 };
  private timer: NodeJS.Timeout | undefined;
  private lastFull = Date.now();
  /** The master last seen: a failover reads the cluster again. */
  master = '';
  private stopped = false;

  constructor(
    private readonly driver: Polled,
    private stamp: string,
    private readonly onError: (err: Error) => void,
  ) {
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.tick().then(
        () => this.schedule(),
        (err: Error) => {
          if (!this.stopped) this.onError(err);
        },
      );
    }, POLL_MS);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    let state = await this.driver.readState();
    this.counts.stampReads++;
    if (state.stamp === '/') {
      // Not a master candidate: the master has the queue and the config.
      const out = await this.driver.runQuick(await this.driver.toMaster(CLUSTER_STATE_ARGV));
      this.counts.stampReads++;
      state = { ...state, stamp: parseClusterState(out).stamp };
    }
    const changed = state.stamp !== this.stamp || state.master !== this.master;
    const due = Date.now() - this.lastFull >= FULL_READ_MS;
    this.master = state.master;
    if (!changed && !due) return;
    this.stamp = state.stamp;
    this.lastFull = Date.now();
    this.counts.listReads += 2;
    await this.driver.load();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
