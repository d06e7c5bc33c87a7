// A cluster's storage: same-named pools are one storage only when the marker
// test says so (or network storage of one name and type); counted once.
import { describe, expect, it } from 'vitest';
import type { StoragePool } from '../../shared/model';
import type { ExecResult } from '../ssh/session';
import { fakeNodeAccess, FakeDriver } from '../testing/fake-driver';
import { clusterStorage, markerSeen } from './shared-storage';

const GiB = 2 ** 30;
const pool = (hostId: string, name: string, over: Partial<StoragePool> = {}): StoragePool => ({
  id: `${hostId}:pool:${name}`,
  hostId,
  uuid: `${hostId}-${name}`,
  name,
  type: 'dir',
  state: 'running',
  autostart: true,
  capacity: 250 * GiB,
  allocation: 20 * GiB,
  available: 230 * GiB,
  targetPath: `/srv/${name}`,
  volumes: [],
  ...over,
});

describe('cluster storage', () => {
  it('counts a pool every node sees once, and keeps local folders of one name per node', async () => {
    const pools = [
      pool('n1', 'images'),
      pool('n2', 'images'),
      pool('n3', 'images'),
      pool('n1', 'shared', { available: 100 * GiB }),
      pool('n2', 'shared', { available: 100 * GiB }),
      pool('n3', 'shared', { available: 100 * GiB }),
    ];
    const asked: string[] = [];
    // As the marker test on the nodes: only "shared" is one folder for all.
    const s = await clusterStorage(['n1', 'n2', 'n3'], pools, (a, b) => {
      asked.push(`${a.id}->${b.id}`);
      return Promise.resolve(a.name === 'shared');
    });
    expect(s.shared).toEqual([
      expect.objectContaining({
        name: 'shared',
        hostIds: ['n1', 'n2', 'n3'],
        available: 100 * GiB,
        proof: 'marker',
      }),
    ]);
    expect(s.local.map((l) => [l.hostId, l.poolIds, l.available])).toEqual([
      ['n1', ['n1:pool:images'], 230 * GiB],
      ['n2', ['n2:pool:images'], 230 * GiB],
      ['n3', ['n3:pool:images'], 230 * GiB],
    ]);
    // Every pair from the first node was tested.
    expect(asked).toContain('n1:pool:images->n2:pool:images');
    expect(asked).toContain('n1:pool:shared->n3:pool:shared');
  });

  it("counts a node's pools on one filesystem once in its own free space", async () => {
    const pools = [
      pool('n1', 'images'),
      pool('n1', 'more'),
      pool('n1', 'other', { available: 10 * GiB }),
      pool('n1', 'iscsi', { type: 'iscsi', targetPath: '', available: 5 * GiB }),
    ];
    const s = await clusterStorage(
      ['n1'],
      pools,
      () => Promise.resolve(false),
      (_h, own) =>
        Promise.resolve(
          new Map(own.map((p) => [p.targetPath, p.name === 'other' ? '2049' : '2050'])),
        ),
    );
    // images and more share one filesystem; other is on another; iscsi has no folder.
    expect(s.local[0]!.available).toBe(230 * GiB + 10 * GiB + 5 * GiB);
  });

  it('takes network storage of one name and type as shared, and a stopped or untestable pool as local', async () => {
    const ceph = { pool: 'rbd', monitors: [{ host: 'mon1', port: 6789 }] };
    const pools = [
      pool('n1', 'ceph', { type: 'rbd', targetPath: '', ceph }),
      pool('n2', 'ceph', { type: 'rbd', targetPath: '', ceph }),
      pool('n1', 'nfs', { type: 'netfs' }),
      pool('n2', 'nfs', { type: 'netfs', state: 'inactive' }),
      pool('n1', 'tmp'),
      pool('n2', 'tmp'),
    ];
    const s = await clusterStorage(['n1', 'n2'], pools, () => Promise.resolve(undefined));
    expect(s.shared.map((x) => [x.name, x.proof])).toEqual([['ceph', 'network']]);
    expect(s.local.find((l) => l.hostId === 'n2')).toEqual({
      hostId: 'n2',
      poolIds: ['n2:pool:nfs', 'n2:pool:tmp'],
      // A stopped pool has no free space to offer.
      available: 230 * GiB,
    });
  });

  it('makes the marker in the pool on one node, looks in the pool on the other, and removes it', async () => {
    // Two nodes over one set of files: /srv/x on n1 is mounted at /mnt/x on n2 when shared.
    const files = new Set<string>();
    const node = (mount: (path: string) => string) => {
      const commands: string[][] = [];
      const access = {
        ...fakeNodeAccess(new FakeDriver({ memAvailable: 0 })),
        run: (argv: readonly string[]): Promise<ExecResult> => {
          commands.push([...argv]);
          const ok = (stdout = '') => Promise.resolve({ code: 0, stdout, stderr: '' });
          if (argv[0] === 'mktemp') {
            const made = `${argv[2]}/.clusterdeck-shared.abc123`;
            files.add(mount(made));
            return ok(`${made}\n`);
          }
          if (argv[0] === 'rm') {
            files.delete(mount(argv[3]!));
            return ok();
          }
          if (argv[0] === 'test')
            return Promise.resolve({
              code: files.has(mount(argv[2]!)) ? 0 : 1,
              stdout: '',
              stderr: '',
            });
          return ok();
        },
      };
      return { commands, access };
    };
    const n1 = node((p) => p);
    const shared = node((p) => p.replace('/mnt/x', '/srv/x'));
    const apart = node((p) => `n3:${p}`);
    expect(await markerSeen(n1.access, '/srv/x', shared.access, '/mnt/x')).toBe(true);
    expect(shared.commands).toEqual([['test', '-e', '/mnt/x/.clusterdeck-shared.abc123']]);
    expect(await markerSeen(n1.access, '/srv/x', apart.access, '/mnt/x')).toBe(false);
    expect(n1.commands[0]).toEqual(['mktemp', '-p', '/srv/x', '.clusterdeck-shared.XXXXXX']);
    expect(n1.commands.filter((c) => c[0] === 'rm').length).toBe(2);
    expect(files.size).toBe(0);
    // A node that cannot make the marker: untestable, not "shared".
    const a = fakeNodeAccess(new FakeDriver({ memAvailable: 0 }));
    expect(await markerSeen(a, '/srv/x', shared.access, '/mnt/x')).toBeUndefined();
  });
});
