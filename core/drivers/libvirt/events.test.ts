// Event lines as virsh 9.0.0 printed them in the lab (domain and pool lines
// captured; the network line follows the same format of virsh's source).
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SshSession } from '../../ssh/session';
import { eventKind, followEvents, LISTENING, snapshotEventDomain } from './events';

describe('eventKind', () => {
  it('places each captured line', () => {
    const lines = readFileSync(join(__dirname, 'fixtures', 'events.txt'), 'utf8')
      .split('\n')
      .filter(Boolean);
    expect(lines.map(eventKind)).toEqual([
      'vms',
      'vms',
      'vms',
      'vms',
      'pools',
      'pools',
      'networks',
    ]);
  });

  it('is not fooled by a hostile name', () => {
    expect(eventKind("event 'lifecycle' for domain 'x for network y': Started Booted")).toBe('vms');
    expect(eventKind('for network y: Started')).toBeUndefined();
  });
});

describe('snapshotEventDomain', () => {
  it('names the domain of a snapshot event only', () => {
    // As virsh 9.0.0 printed it in the lab after snapshot-revert.
    expect(snapshotEventDomain("event 'lifecycle' for domain 'evtest': Defined Snapshot")).toBe(
      'evtest',
    );
    expect(snapshotEventDomain("event 'lifecycle' for domain 'a': b': Started Snapshot")).toBe(
      "a': b",
    );
    expect(snapshotEventDomain("event 'lifecycle' for domain 'Snapshot': Defined Added")).toBe(
      undefined,
    );
  });
});

describe('following the event streams', () => {
  class FakeChannel extends EventEmitter {
    readonly stderr = new EventEmitter();
    setEncoding(): void {}
  }
  const open = (channel: FakeChannel) =>
    ({ openChannel: async () => channel }) as unknown as SshSession;
  const settled = async (p: Promise<unknown>) => {
    let done = false;
    void p.then(() => (done = true));
    await new Promise((r) => setImmediate(r));
    return done;
  };

  it('is followed only once all four streams listen, and their markers are no events', async () => {
    const channel = new FakeChannel();
    const seen: string[] = [];
    const following = followEvents(
      open(channel),
      (_kind, line) => seen.push(line),
      () => undefined,
    );
    await new Promise((r) => setImmediate(r));
    channel.emit('data', `${LISTENING}\n\n${LISTENING}\n${LISTENING}\n`);
    expect(await settled(following)).toBe(false);
    channel.emit('data', `event 'refresh' for storage pool p\n${LISTENING}\n`);
    expect(await settled(following)).toBe(true);
    expect(seen).toEqual([`event 'refresh' for storage pool p`]);
  });

  it('gives up waiting when the channel ends first, and says it ended', async () => {
    const channel = new FakeChannel();
    let ended = 0;
    const following = followEvents(
      open(channel),
      () => undefined,
      () => ended++,
    );
    await new Promise((r) => setImmediate(r));
    channel.emit('close');
    expect(await settled(following)).toBe(true);
    expect(ended).toBe(1);
  });
});
