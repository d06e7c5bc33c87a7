import { describe, expect, it } from 'vitest';
import { isDomainEvent, waitUntil } from './effects';

describe('waitUntil', () => {
  const cancelled = () => new Error('cancelled');

  it('resolves true when a wake finds the effect seen', async () => {
    let on = false;
    const w = waitUntil(() => on, 5_000, new AbortController().signal, cancelled);
    on = true;
    w.wake();
    await expect(w.result).resolves.toBe(true);
  });

  it('resolves false after the timeout when never seen', async () => {
    const w = waitUntil(() => false, 20, new AbortController().signal, cancelled);
    await expect(w.result).resolves.toBe(false);
  });

  it('rejects when the task is cancelled, also before it began', async () => {
    const c = new AbortController();
    const w = waitUntil(() => false, 5_000, c.signal, cancelled);
    c.abort();
    await expect(w.result).rejects.toThrow('cancelled');
    const w2 = waitUntil(() => false, 5_000, c.signal, cancelled);
    await expect(w2.result).rejects.toThrow('cancelled');
  });
});

describe('isDomainEvent', () => {
  it('matches the event for that domain name only', () => {
    const line = "event 'reboot' for domain 'lab-linux'";
    expect(isDomainEvent(line, 'reboot', 'lab-linux')).toBe(true);
    expect(isDomainEvent(line, 'reboot', 'lab-lin')).toBe(false);
    expect(isDomainEvent("event 'reboot' for domain 'it's \"q\"'", 'reboot', `it's "q"`)).toBe(
      true,
    );
  });
});
