// Performance: the Performance tab's history (collected per node while it is
// viewed, and a few minutes after) and each node's memory now, the one
// reading behind every node memory figure.
import { PerformanceCollector } from '../performance/collector';
import type { ServiceContext } from './context';
import type { HandlersOf } from './handlers';

export class PerformanceService {
  private readonly collector: PerformanceCollector;

  constructor(private readonly ctx: ServiceContext) {
    this.collector = new PerformanceCollector((hostId) =>
      this.ctx.connection(hostId).getDriver().readCounters(),
    );
  }

  readonly handlers: HandlersOf<'readPerformance' | 'readPerformanceHistory' | 'readNodeMemory'> = {
    readPerformance: ({ hostId }) => this.collector.read(hostId),
    readPerformanceHistory: ({ watch, since }) => {
      this.collector.watch(watch.filter((id) => this.ctx.store.get('hosts', id)));
      return Promise.resolve(
        Object.fromEntries(
          Object.entries(since).map(([hostId, t]) => [hostId, this.collector.history(hostId, t)]),
        ),
      );
    },
    readNodeMemory: async ({ hostId }) => {
      const at = Date.now();
      const m = await this.ctx.connection(hostId).getDriver().readMemory();
      return { at, ...m };
    },
  };

  close(): void {
    this.collector.close();
  }
}
