// Event lines as virsh 9.0.0 printed them in the lab (domain and pool lines
// captured; the network line follows the same format of virsh's source).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventKind, snapshotEventDomain } from './events';

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
