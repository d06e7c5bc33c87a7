// Load readings per node as the backend collects them (core/performance/
// collector.ts): a Performance tab on screen asks for what is new every few
// seconds, which also keeps the backend reading those nodes; switched away,
// the backend goes on for a few minutes, so coming back shows no hole.
import { useEffect } from 'react';
import { create } from 'zustand';
import type { PerformanceSample } from '../../shared/performance';
import { api } from '../api/backend';

export const PERF_INTERVAL_MS = 5000;
export const PERF_HISTORY_MS = 60 * 60 * 1000;
/** Readings further apart than this have a gap between them: the line breaks. */
export const PERF_GAP_MS = 2.5 * PERF_INTERVAL_MS;

/**
 * Adds readings (in time order) and drops those more than an hour older than
 * the newest. By age, not by count: readings stop while nothing is watched.
 */
export function withReadings(
  list: readonly PerformanceSample[],
  add: readonly PerformanceSample[],
): readonly PerformanceSample[] {
  let out = [...list];
  for (const s of add) {
    // A slow answer can come back after a newer one; the charts need time order.
    if (out.length && s.at <= out[out.length - 1]!.at) continue;
    out.push(s);
  }
  if (out.length === list.length) return list;
  const newest = out[out.length - 1]!.at;
  out = out.filter((x) => x.at >= newest - PERF_HISTORY_MS);
  return out;
}

interface PerfState {
  byHost: Record<string, readonly PerformanceSample[]>;
  add(hostId: string, s: readonly PerformanceSample[]): void;
}

export const usePerfStore = create<PerfState>((set) => ({
  byHost: {},
  add: (hostId, s) =>
    set((st) => {
      const before = st.byHost[hostId] ?? [];
      const after = withReadings(before, s);
      return after === before ? st : { byHost: { ...st.byHost, [hostId]: after } };
    }),
}));

/**
 * While the calling view is mounted: keeps the backend reading `watch`, and
 * fetches what is new of `watch` and `alsoRead` (nodes whose earlier
 * readings the view shows, as the node a VM came from).
 */
export function usePerformanceHistory(
  watch: readonly string[],
  alsoRead: readonly string[] = [],
): void {
  const key = `${watch.join(',')}|${alsoRead.join(',')}`;
  useEffect(() => {
    let stopped = false;
    const read = () => {
      const ids = [...new Set([...watch, ...alsoRead])];
      const byHost = usePerfStore.getState().byHost;
      const since = Object.fromEntries(ids.map((id) => [id, byHost[id]?.at(-1)?.at ?? 0]));
      api.readPerformanceHistory({ watch: [...watch], since }).then(
        (got) => {
          if (stopped) return;
          for (const [hostId, list] of Object.entries(got))
            if (list.length) usePerfStore.getState().add(hostId, list);
        },
        () => undefined, // the next ask tries again
      );
    };
    read();
    const t = setInterval(read, PERF_INTERVAL_MS);
    return () => {
      stopped = true;
      clearInterval(t);
    };
  }, [key]);
}
