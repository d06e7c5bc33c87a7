// Load readings per node, kept for the last hour while a Performance tab is
// on screen; nothing is read while none is.
import { useEffect } from 'react';
import { create } from 'zustand';
import type { PerformanceSample } from '../../shared/performance';
import { getBridge } from '../api/bridge';

export const PERF_INTERVAL_MS = 5000;
const KEEP = (60 * 60 * 1000) / PERF_INTERVAL_MS;

interface PerfState {
  byHost: Record<string, PerformanceSample[]>;
  add(hostId: string, s: PerformanceSample): void;
}

export const usePerfStore = create<PerfState>((set) => ({
  byHost: {},
  add: (hostId, s) =>
    set((st) => ({
      byHost: { ...st.byHost, [hostId]: [...(st.byHost[hostId] ?? []), s].slice(-KEEP) },
    })),
}));

/** Reads these nodes now and every few seconds while the calling view is mounted. */
export function usePerformancePolling(hostIds: readonly string[]): void {
  const key = hostIds.join(',');
  useEffect(() => {
    let stopped = false;
    const read = () => {
      for (const hostId of hostIds) {
        getBridge()
          .call('readPerformance', { hostId })
          .then(
            (s) => !stopped && usePerfStore.getState().add(hostId, s),
            () => undefined, // a node that is away shows a gap
          );
      }
    };
    read();
    const t = setInterval(read, PERF_INTERVAL_MS);
    return () => {
      stopped = true;
      clearInterval(t);
    };
  }, [key]);
}
