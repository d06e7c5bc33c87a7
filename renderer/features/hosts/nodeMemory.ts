// A node's memory figures, with labels that say what each one measures, the
// same on every view: the total and what is available to new guests come
// from the node's kernel (readNodeMemory, the reading the Performance tab and
// the preflights use too); what running VMs were given comes from their
// definitions in the inventory.
import { useEffect, useState } from 'react';
import type { Vm } from '../../../shared/model';
import type { NodeMemoryReading } from '../../../shared/performance';
import { api } from '../../api/backend';

export const MEMORY_LABELS = {
  total: 'Memory total',
  given: 'Memory given to running VMs',
  available: 'Memory available to new guests',
} as const;

const RUNNING = new Set(['running', 'paused']);

/** What the running (or paused) VMs on these nodes were given, in bytes, and how many they are. */
export function givenToRunningVms(
  vms: readonly Vm[],
  hostIds: readonly string[],
): { bytes: number; count: number } {
  const on = vms.filter((v) => hostIds.includes(v.hostId) && RUNNING.has(v.state));
  return { bytes: on.reduce((n, v) => n + v.memoryKiB * 1024, 0), count: on.length };
}

const READ_EVERY_MS = 10_000;

/** Each node's memory now, read while the calling view is shown. */
export function useNodeMemory(hostIds: readonly string[]): Record<string, NodeMemoryReading> {
  const [byHost, setByHost] = useState<Record<string, NodeMemoryReading>>({});
  const key = hostIds.join(',');
  useEffect(() => {
    let stopped = false;
    const read = () => {
      for (const hostId of hostIds)
        api.readNodeMemory({ hostId }).then(
          (m) => !stopped && setByHost((b) => ({ ...b, [hostId]: m })),
          () => undefined, // a node that is away keeps its last figure out
        );
    };
    read();
    const t = setInterval(read, READ_EVERY_MS);
    return () => {
      stopped = true;
      clearInterval(t);
    };
  }, [key]);
  return byHost;
}
