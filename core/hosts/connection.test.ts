// The connection's life over a fake session and a fake driver: failures
// retried with growing delays, a drop retried from the first delay again,
// final failures (a refused login) not retried, the driver chosen by the
// stack the probe found and its capabilities published with the host.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ClusterdeckError } from '../../shared/errors';
import type { Driver } from '../drivers/driver';
import { DriverRegistry, type StackSupport } from '../drivers/registry';
import { InventoryStore } from '../inventory/store';
import type { JumpHosts } from '../ssh/jump';
import type { KnownHosts } from '../ssh/known-hosts';
import type { HostConfig } from '../store/settings';
import { fakeStack } from '../testing/fake-driver';
import { FakeSession } from '../testing/fake-session';
import { BACKOFF_MS, HostConnection, type OpenSession } from './connection';

const config: HostConfig = {
  id: 'h1',
  name: 'node1',
  address: '192.0.2.10',
  port: 22,
  user: 'root',
  auth: 'password',
};

/** Opens sessions as scripted: an Error fails that attempt, a string is the probe's output. */
function scriptedSessions(script: (Error | string)[]) {
  const opened: FakeSession[] = [];
  let attempts = 0;
  const open: OpenSession = async (target) => {
    const next = script[Math.min(attempts++, script.length - 1)]!;
    if (next instanceof Error) throw next;
    const s = new FakeSession(target, next);
    opened.push(s);
    return s.asSession();
  };
  return { open, opened, attempts: () => attempts };
}

function connection(open: OpenSession, node = { memAvailable: 0 }) {
  const store = new InventoryStore();
  const fake = fakeStack('xcp', { ...node, capabilities: ['inventory', 'console'] });
  const conn = new HostConnection(
    { ...config },
    store,
    {} as KnownHosts,
    'secret',
    {} as JumpHosts,
    new DriverRegistry([fake.support]),
    open,
  );
  return { conn, store, made: fake.made, host: () => store.get('hosts', config.id)! };
}

const XCP_PROBE = 'has:xe\nhostname:node1\nuptime:5\ncpu:Fake CPU';
const unreachable = () => new ClusterdeckError('unreachable', 'node1: connection refused');

describe('HostConnection', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('retries a failed connect with growing delays, then starts the stack’s driver', async () => {
    const sessions = scriptedSessions([unreachable(), unreachable(), XCP_PROBE]);
    const { conn, host, made } = connection(sessions.open);
    await expect(conn.connect()).rejects.toThrow(/connection refused/);
    expect(host().state).toBe('unreachable');
    expect(host().retryAt).toBe(Date.now() + BACKOFF_MS[0]!);

    await vi.advanceTimersByTimeAsync(BACKOFF_MS[0]! - 1);
    expect(sessions.attempts()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sessions.attempts()).toBe(2);
    expect(host().retryAt).toBe(Date.now() + BACKOFF_MS[1]!);

    await vi.advanceTimersByTimeAsync(BACKOFF_MS[1]!);
    expect(sessions.attempts()).toBe(3);
    expect(host()).toMatchObject({
      state: 'connected',
      stack: 'xcp',
      capabilities: ['inventory', 'console'],
      info: { hostname: 'fake' },
    });
    expect(made).toHaveLength(1);
    expect(made[0]!.started).toBe(1);
    expect(conn.getDriver()).toBe(made[0]);
    conn.dispose();
  });

  it('after a drop, stops the old driver and reconnects from the first delay', async () => {
    const sessions = scriptedSessions([XCP_PROBE, unreachable(), unreachable(), XCP_PROBE]);
    const { conn, host, made } = connection(sessions.open);
    await conn.connect();
    // Two failures grow the delay, so the reset after a success is visible.
    sessions.opened[0]!.close();
    expect(made[0]!.stopped).toBeGreaterThan(0);
    expect(host().state).toBe('unreachable');
    expect(host().message).toMatch(/Lost the connection to node1/);
    expect(host().retryAt).toBe(Date.now() + BACKOFF_MS[0]!);
    // The tree keeps showing what the host could do while it is away.
    expect(host().capabilities).toEqual(['inventory', 'console']);
    expect(() => conn.getDriver()).toThrow(/not connected/);

    await vi.advanceTimersByTimeAsync(BACKOFF_MS[0]!);
    expect(host().retryAt).toBe(Date.now() + BACKOFF_MS[1]!);
    await vi.advanceTimersByTimeAsync(BACKOFF_MS[1]!);
    expect(host().retryAt).toBe(Date.now() + BACKOFF_MS[2]!);
    await vi.advanceTimersByTimeAsync(BACKOFF_MS[2]!);
    expect(host().state).toBe('connected');
    expect(made).toHaveLength(2);

    sessions.opened[1]!.close();
    expect(host().retryAt).toBe(Date.now() + BACKOFF_MS[0]!);
    conn.dispose();
  });

  it('does not retry what only the user can fix', async () => {
    const sessions = scriptedSessions([new ClusterdeckError('auth-failed', 'node1: bad password')]);
    const { conn, host } = connection(sessions.open);
    await expect(conn.connect()).rejects.toThrow(/bad password/);
    expect(host().state).toBe('auth-failed');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sessions.attempts()).toBe(1);
    conn.dispose();
  });

  it('marks a node whose stack has no driver as unsupported, without retrying', async () => {
    const sessions = scriptedSessions(['has:pveversion\nhostname:pve1']);
    const { conn, host, made } = connection(sessions.open);
    await conn.connect();
    expect(host()).toMatchObject({ state: 'unsupported', stack: 'proxmox' });
    expect(host().message).toMatch(/Proxmox VE/);
    expect(sessions.opened[0]!.isClosed).toBe(true);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sessions.attempts()).toBe(1);
    expect(made).toHaveLength(0);
    conn.dispose();
  });

  it('keeps a driver’s refusal of what it found (an unmanaged release) as unsupported, not retried', async () => {
    const sessions = scriptedSessions([XCP_PROBE]);
    const refusing: StackSupport = {
      stack: 'xcp',
      createDriver: () =>
        ({
          start: () =>
            Promise.reject(new ClusterdeckError('unsupported', 'node1 runs release 7.4.')),
          stop: () => {},
        }) as unknown as Driver,
    };
    const store = new InventoryStore();
    const conn = new HostConnection(
      { ...config },
      store,
      {} as KnownHosts,
      'secret',
      {} as JumpHosts,
      new DriverRegistry([refusing]),
      sessions.open,
    );
    await expect(conn.connect()).rejects.toThrow(/release 7.4/);
    expect(store.get('hosts', config.id)).toMatchObject({
      state: 'unsupported',
      message: 'node1 runs release 7.4.',
    });
    expect(sessions.opened[0]!.isClosed).toBe(true);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sessions.attempts()).toBe(1);
    conn.dispose();
  });
});
