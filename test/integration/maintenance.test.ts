// Maintenance mode against the lab's three nodes, made a cluster first: a
// node emptied with Migrate VM's default transport (tunnelled), no guest
// moved to it meanwhile, its own guests brought back on exit; and refused
// when a guest's disks would have to be copied, which a tunnelled move
// cannot do.
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../shared/cluster';
import { taskFinished, virshOn, waitFor } from '../lab';
import {
  IMAGES,
  defineGuest,
  dropGuest,
  haveThree,
  state,
  useMigrationCluster,
} from './migration-fixtures';

describe.runIf(haveThree)('Maintenance mode', () => {
  const cluster = useMigrationCluster('maint-lab');
  const { vmOn } = cluster;

  it('maintenance mode empties a node (tunnelled, as Migrate VM), refuses guests for it, and brings its own back', async () => {
    dropGuest('int-maint');
    defineGuest('node2', 'int-maint', '');
    virshOn('node2', ['start', 'int-maint']);
    try {
      await vmOn('node2', 'int-maint');
      const plan = (await cluster.backend.call('planMaintenance', {
        hostId: cluster.ids['node2']!,
      })) as {
        findings: Finding[];
        steps: { node: string; title: string; command: string }[];
        problems: string[];
      };
      expect(plan.problems).toEqual([]);
      // Every move runs on node2; the one of int-maint (another suite may
      // have left a guest of its own running there) is tunnelled.
      expect(new Set(plan.steps.map((st) => st.node))).toEqual(new Set(['node2']));
      const step = plan.steps.find((st) => st.title.startsWith('Migrate int-maint '));
      // Migrate VM's default transport: through the nodes' SSH trust, no tcp:// stream.
      expect(step?.title).toMatch(/^Migrate int-maint to node[13] live, encrypted$/);
      expect(step!.command).toContain('migrate --live --p2p --tunnelled --persistent');
      expect(step!.command).not.toContain('--migrateuri');
      const { taskId } = (await cluster.backend.call('enterMaintenance', {
        hostId: cluster.ids['node2']!,
        bringBack: true,
      })) as { taskId: string };
      const entered = await taskFinished(cluster.backend, taskId, 90_000);
      expect(entered.error).toBeUndefined();
      const enteredCommands = entered.log.map((r) => r.command).join('\n');
      expect(enteredCommands).toMatch(
        /virsh -c qemu:\/\/\/system migrate --live --p2p --tunnelled --persistent --undefinesource [0-9a-f-]+ 'qemu\+ssh:\/\/root@clusterdeck-127\.0\.0\.\d+\/system\?no_tty=1'/,
      );
      expect(enteredCommands).not.toContain('tcp://');
      expect(virshOn('node2', ['list', '--name']).trim()).toBe('');
      const moved = await waitFor(
        () =>
          cluster.backend.store
            .all('vms')
            .find((v) => v.name === 'int-maint' && v.state === 'running'),
        'int-maint running elsewhere',
      );
      expect(moved.hostId).not.toBe(cluster.ids['node2']);
      expect(
        cluster.backend.store.get('hosts', cluster.ids['node2']!)?.maintenance?.bringBack,
      ).toContain(moved.uuid);
      // Nothing moves to a node in maintenance mode.
      const tiny = await vmOn('node1', 'lab-tiny-1');
      const refused = (await cluster.backend.call('planMigration', {
        vmIds: [tiny.id],
        targetHostId: cluster.ids['node2']!,
      })) as { problems: string[] };
      expect(refused.problems).toEqual(['node2 is in maintenance mode.']);

      const out = (await cluster.backend.call('exitMaintenance', {
        hostId: cluster.ids['node2']!,
      })) as {
        taskId: string;
      };
      const exited = await taskFinished(cluster.backend, out.taskId, 90_000);
      expect(exited.error).toBeUndefined();
      expect(exited.log.map((r) => r.command).join('\n')).toContain(
        'migrate --live --p2p --tunnelled',
      );
      expect(state('node2', 'int-maint')).toBe('running');
      expect(
        cluster.backend.store.get('hosts', cluster.ids['node2']!)?.maintenance,
      ).toBeUndefined();
    } finally {
      dropGuest('int-maint');
    }
  });

  it('maintenance mode refuses a guest whose disks must be copied, as the tunnelled preflight does', async () => {
    dropGuest('int-maint-disk', 'int-maint-disk.qcow2');
    virshOn('node2', [
      'vol-create-as',
      'lab-images',
      'int-maint-disk.qcow2',
      '16M',
      '--format',
      'qcow2',
    ]);
    defineGuest(
      'node2',
      'int-maint-disk',
      `<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${IMAGES}/int-maint-disk.qcow2'/><target dev='vda' bus='virtio'/></disk>`,
    );
    virshOn('node2', ['start', 'int-maint-disk']);
    try {
      const vm = await vmOn('node2', 'int-maint-disk');
      await waitFor(() => cluster.backend.store.get('vms', vm.id)?.state === 'running', 'running');
      const plan = (await cluster.backend.call('planMaintenance', {
        hostId: cluster.ids['node2']!,
      })) as {
        problems: string[];
      };
      const why =
        'int-maint-disk’s disks must be copied, and libvirt cannot copy disks through a tunnelled migration';
      expect(plan.problems).toEqual([expect.stringContaining(why)]);
      await expect(
        cluster.backend.call('enterMaintenance', {
          hostId: cluster.ids['node2']!,
          bringBack: false,
        }),
      ).rejects.toThrow(why);
      expect(
        cluster.backend.store.get('hosts', cluster.ids['node2']!)?.maintenance,
      ).toBeUndefined();
      expect(state('node2', 'int-maint-disk')).toBe('running');
    } finally {
      dropGuest('int-maint-disk', 'int-maint-disk.qcow2');
    }
  });
});

if (!haveThree) console.log('[maintenance] SKIPPED: the lab has fewer than three nodes.');
