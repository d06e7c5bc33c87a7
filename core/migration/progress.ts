// A live move's progress as the user sees it. The "data remaining"
// grows again when a later iteration re-sends the pages the guest dirtied,
// so processed / (processed + remaining) can fall from 35 % to 3 %: the bar
// keeps the highest fraction seen, and the iteration says why it is slow.
import type { MigrationProgress } from '../drivers/capabilities';

export interface ProgressReading {
  /** 0..0.99 for the VM being moved, never lower than the one before. */
  fraction: number;
  /** QEMU's memory iteration, 1 for the first pass; 0 when libvirt does not say. */
  iteration: number;
}

export class MonotonicProgress {
  private best = 0;

  /** The reading for one look at the job; undefined when the job shows no data yet. */
  next(
    job: Pick<MigrationProgress, 'processed' | 'remaining' | 'iteration'>,
  ): ProgressReading | undefined {
    const all = job.processed + job.remaining;
    if (all <= 0) return undefined;
    // Not 1 before the job ends: the last pass and the switch-over are still to come.
    this.best = Math.max(this.best, Math.min(0.99, job.processed / all));
    return { fraction: this.best, iteration: job.iteration };
  }
}
