import { describe, expect, it } from 'vitest';
import type { Snapshot, Vm } from '../../../shared/model';
import { snapshotCreateRefusals, snapshotSteps } from './snapshots';

const vm = (state: Vm['state']) => ({ name: 'db', uuid: 'u-1', state }) as Vm;
const snap = (storage: 'internal' | 'external') =>
  ({ name: storage, storage }) as unknown as Snapshot;

describe('snapshot kinds', () => {
  it('runs disk-only snapshots with --disk-only --quiesce, memory ones without', () => {
    const create = (kind: 'memory' | 'disk-only-quiesce') =>
      snapshotSteps(vm('running'), { op: 'create', name: 's', description: '', kind })[0]!;
    expect(create('disk-only-quiesce').argv.slice(3)).toEqual([
      'snapshot-create-as',
      '--domain',
      'u-1',
      '--name',
      's',
      '--disk-only',
      '--quiesce',
      '--atomic',
    ]);
    expect(create('memory').argv).not.toContain('--disk-only');
    expect(() =>
      snapshotSteps(vm('shutoff'), { op: 'create', name: 's', description: '', kind: 'memory' }),
    ).toThrow(/not running/);
  });

  it('keeps a VM to one storage of snapshots, as libvirt 9.0 could not delete a mix', () => {
    expect(snapshotCreateRefusals(vm('running'), [])).toEqual({});
    expect(snapshotCreateRefusals(vm('running'), [snap('internal')])).toEqual({
      'disk-only-quiesce': expect.stringMatching(/kept inside its disk images/),
    });
    const ext = snapshotCreateRefusals(vm('running'), [snap('external')]);
    expect(Object.keys(ext).sort()).toEqual(['default', 'memory']);
    expect(snapshotCreateRefusals(vm('shutoff'), []).memory).toMatch(/no memory to keep/);
  });
});
