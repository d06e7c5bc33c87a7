// Changes made outside Clusterdeck (the web interface, qm, HA moving a
// guest) without a reload: every POLL_MS one GET /cluster/resources, which
// holds every node, guest and storage of the cluster. /cluster/status (the
// quorum, which node answers) is read again only when a node's online state
// in the resources changed, or every STATUS_MS. The store puts only what
// changed, so an idle cluster sends the renderer nothing.
import type { PveClusterStatus, PveResources } from './parse';

export const POLL_MS = 3000;
export const STATUS_MS = 30_000;

export interface Polled {
  readResources(): Promise<PveResources>;
  readStatus(): Promise<PveClusterStatus>;
  /** Writes what was read (and reads what follows from it first: HA's state). */
  apply(status: PveClusterStatus, resources: PveResources): void | Promise<void>;
}

/** Which nodes are online, as one string to compare. */
const onlineSet = (r: PveResources): string =>
  r.nodes
    .map((n) => `${n.name}:${n.online ? 1 : 0}`)
    .sort()
    .join(',');

export class ResourcePoll {
  /** Requests sent while following, for the idle cost. */
  readonly counts = { resources: 0, status: 0 };
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private statusAt = Date.now();
  private online: string;

  constructor(
    private readonly driver: Polled,
    private status: PveClusterStatus,
    resources: PveResources,
    private readonly onError: (err: Error) => void,
    private readonly pollMs = POLL_MS,
  ) {
    this.online = onlineSet(resources);
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
    }, this.pollMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    const resources = await this.driver.readResources();
    this.counts.resources++;
    const online = onlineSet(resources);
    if (online !== this.online || Date.now() - this.statusAt >= STATUS_MS) {
      this.status = await this.driver.readStatus();
      this.counts.status++;
      this.statusAt = Date.now();
      this.online = online;
    }
    if (!this.stopped) await this.driver.apply(this.status, resources);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
