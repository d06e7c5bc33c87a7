// Load readings per node, kept for the last hour while a Performance tab is
// on screen; nothing is read while none is.
import { useEffect } from 'react';
import { create } from 'zustand';
import type { PerformanceSample } from '../../shared/performance';
import { api } from '../api/backend';

export const PERF_INTERVAL_MS = 5000;
export const PERF_HISTORY_MS = 60 * 60 * 1000;

/**
 * Adds a reading and drops those more than an hour older than it, so the
 * charts span the whole last hour. By age, not by count: readings come less
 * often than every 5 s after the tab was closed or a node was away, and more
 * often when the tab is reopened (each mount reads at once), so a fixed count
 * would keep more or less than the hour.
 */
export function withReading(
  list: readonly PerformanceSample[],
  s: PerformanceSample,
): readonly PerformanceSample[] {
  // A slow reading can come back after a newer one; the charts need time order.
  if (list.length && s.at <= list[list.length - 1]!.at) return list;
  return [...list.filter((x) => x.at >= s.at - PERF_HISTORY_MS), s];
}

interface PerfState {
  byHost: Record<string, readonly PerformanceSample[]>;
  add(hostId: string, s: PerformanceSample): void;
}

export const usePerfStore = create<PerfState>((set) => ({
  byHost: {},
  add: (hostId, s) =>
    set((st) => ({
      byHost: { ...st.byHost, [hostId]: withReading(st.byHost[hostId] ?? [], s) },
    })),
}));

/** Reads these nodes now and every few seconds while the calling view is mounted. */
export function usePerformancePolling(hostIds: readonly string[]): void {
  const key = hostIds.join(',');
  useEffect(() => {
    let stopped = false;
    const read = () => {
      for (const hostId of hostIds) {
        api.readPerformance({ hostId }).then(
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
