import { describe, expect, it } from 'vitest';
import { nodeInfoSchema } from '../../../shared/model';
import { liveUptimeSeconds } from './uptime';

describe('liveUptimeSeconds', () => {
  const readAt = Date.UTC(2026, 10, 30, 12, 0, 0);

  it('adds the time since the uptime was read', () => {
    const info = { uptimeSeconds: 9062, uptimeReadAt: readAt };
    expect(liveUptimeSeconds(info, readAt)).toBe(9062);
    expect(liveUptimeSeconds(info, readAt + 15 * 60_000)).toBe(9062 + 900);
    expect(liveUptimeSeconds(info, readAt + 1999)).toBe(9063);
  });

  it('shows the uptime as read when the read time is unknown (older data)', () => {
    expect(liveUptimeSeconds({ uptimeSeconds: 300 }, readAt + 3_600_000)).toBe(300);
  });

  it('never goes below the uptime read when the clock was set back', () => {
    expect(liveUptimeSeconds({ uptimeSeconds: 300, uptimeReadAt: readAt }, readAt - 60_000)).toBe(
      300,
    );
  });

  it('keeps node facts without a read time valid', () => {
    const old = {
      hostname: 'node1',
      cpuModel: 'AMD EPYC',
      cpus: 2,
      memoryKiB: 1024,
      software: [],
      virtualization: 'kvm',
      uptimeSeconds: 5,
    };
    expect(nodeInfoSchema.safeParse(old).success).toBe(true);
    expect(nodeInfoSchema.safeParse({ ...old, uptimeReadAt: readAt }).success).toBe(true);
    expect(nodeInfoSchema.safeParse({ ...old, uptimeReadAt: 'soon' }).success).toBe(false);
  });
});
