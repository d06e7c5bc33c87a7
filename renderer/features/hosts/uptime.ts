// A node's uptime, live: the uptime read at connect plus the time since it was
// read, so the General tab advances without another command on the node.
import { useEffect, useState } from 'react';
import type { NodeInfo } from '../../../shared/model';

/** Seconds the node has been up at `nowMs`; as read when the read time is unknown. */
export function liveUptimeSeconds(
  info: Pick<NodeInfo, 'uptimeSeconds' | 'uptimeReadAt'>,
  nowMs: number,
): number {
  if (info.uptimeReadAt === undefined) return info.uptimeSeconds;
  // A clock set back since the read must not make the node younger than read.
  const since = Math.max(0, Math.floor((nowMs - info.uptimeReadAt) / 1000));
  return info.uptimeSeconds + since;
}

/** The current time, renewed every `periodMs` (the uptime shows minutes). */
export function useNow(periodMs = 60_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), periodMs);
    return () => clearInterval(t);
  }, [periodMs]);
  return now;
}
