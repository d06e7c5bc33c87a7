// Event lines as virsh 9.0.0 printed them in the lab (domain and pool lines
// captured; the network line follows the same format of virsh's source).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventKind } from './events';

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
