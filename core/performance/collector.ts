// Collects each node's load while someone looks at it, and for a while after:
// a Performance tab switched away and back finds the minutes it was hidden.
// One timer per node, started by a view asking (`watch`) and stopped when no
// view has asked for KEEP_COLLECTING_MS; each node's history is a ring of an
// hour of readings, so memory stays bounded however long the app runs.
import type { PerformanceSample } from '../../shared/performance';
import type { NodeCounters } from '../drivers/capabilities';
import { toSample } from './rates';
import { RingBuffer } from './ring';

export const PERF_INTERVAL_MS = 5000;
/** How long a node is still read after the last view of it asked. */
export const KEEP_COLLECTING_MS = 5 * 60 * 1000;
/** An hour of readings every 5 s. */
export const HISTORY_SAMPLES = 720;
/**
 * Counters older than this are not turned into rates: the reading after a
 * gap (a disconnect, a pause in collecting) only starts the next interval,
 * so no point averages over the gap and the chart breaks there instead.
 */
export const MAX_RATE_SPAN_MS = 3 * PERF_INTERVAL_MS;

interface NodeHistory {
  samples: RingBuffer<PerformanceSample>;
  last?: NodeCounters;
  timer?: ReturnType<typeof setInterval>;
  wantedUntil: number;
  reading?: Promise<PerformanceSample>;
}

export interface CollectorOptions {
  intervalMs?: number;
  keepMs?: number;
  capacity?: number;
  now?: () => number;
}

export class PerformanceCollector {
  private readonly nodes = new Map<string, NodeHistory>();
  private readonly intervalMs: number;
  private readonly keepMs: number;
  private readonly capacity: number;
  private readonly now: () => number;

  constructor(
    private readonly readCounters: (hostId: string) => Promise<NodeCounters>,
    opts: CollectorOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? PERF_INTERVAL_MS;
    this.keepMs = opts.keepMs ?? KEEP_COLLECTING_MS;
    this.capacity = opts.capacity ?? HISTORY_SAMPLES;
    this.now = opts.now ?? Date.now;
  }

  private node(hostId: string): NodeHistory {
    let n = this.nodes.get(hostId);
    if (!n) {
      n = { samples: new RingBuffer(this.capacity), wantedUntil: 0 };
      this.nodes.set(hostId, n);
    }
    return n;
  }

  /** Whether a node is being read now (for tests and the status of a view). */
  collecting(hostId: string): boolean {
    return !!this.nodes.get(hostId)?.timer;
  }

  /** A view shows these nodes: read them now and every interval until KEEP_COLLECTING_MS after the last ask. */
  watch(hostIds: readonly string[]): void {
    for (const hostId of hostIds) {
      const n = this.node(hostId);
      n.wantedUntil = this.now() + this.keepMs;
      if (n.timer) continue;
      n.timer = setInterval(() => this.tick(hostId), this.intervalMs);
      n.timer.unref?.();
      this.tick(hostId);
    }
  }

  private tick(hostId: string): void {
    const n = this.node(hostId);
    if (this.now() > n.wantedUntil) {
      clearInterval(n.timer);
      delete n.timer;
      return;
    }
    if (!n.reading) this.read(hostId).catch(() => undefined); // a node away leaves a gap
  }

  /**
   * Reads a node now. The sample has rates when the previous reading is
   * recent, and is then kept in the history; otherwise its rates are zero
   * and it only starts the next interval.
   */
  read(hostId: string): Promise<PerformanceSample> {
    const n = this.node(hostId);
    const p = this.readCounters(hostId).then((now) => {
      const before = n.last && now.at - n.last.at <= MAX_RATE_SPAN_MS ? n.last : undefined;
      if (!n.last || now.at > n.last.at) n.last = now;
      const sample = toSample(now, before);
      const newest = n.samples.last();
      if (before && (!newest || sample.at > newest.at)) n.samples.push(sample);
      return sample;
    });
    n.reading = p;
    const done = () => {
      if (n.reading === p) delete n.reading;
    };
    p.then(done, done);
    return p;
  }

  /** A node's kept readings newer than `since` (epoch ms), oldest first. */
  history(hostId: string, since = 0): PerformanceSample[] {
    return (this.nodes.get(hostId)?.samples.toArray() ?? []).filter((s) => s.at > since);
  }

  /** Stops every timer (the backend closes). */
  close(): void {
    for (const n of this.nodes.values()) {
      clearInterval(n.timer);
      delete n.timer;
    }
  }
}
