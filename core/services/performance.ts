// Performance: the Performance tab's rates, from two readings of a node's
// counters. The only holder of each node's last reading.
import { toSample, type NodeCounters } from '../performance/rates';
import type { ServiceContext } from './context';
import type { HandlersOf } from './handlers';

export class PerformanceService {
  /** Each node's last load counters, so the next reading can turn them into rates. */
  private readonly lastCounters = new Map<string, NodeCounters>();

  constructor(private readonly ctx: ServiceContext) {}

  readonly handlers: HandlersOf<'readPerformance'> = {
    readPerformance: async ({ hostId }) => {
      const now = await this.ctx.connection(hostId).getDriver().readCounters();
      const sample = toSample(now, this.lastCounters.get(hostId));
      this.lastCounters.set(hostId, now);
      return sample;
    },
  };
}
