// Edit storage through the Proxmox VE driver against the simulator of PVE 8
// and 9 (no SSH): the settings read with their digest, the plan as its
// pvesh command (only what changes; defaults deleted), what stands in the
// way, the change itself seen in the inventory, and a change made meanwhile
// by another admin refused by PVE's digest check.
import { describe, expect, it } from 'vitest';
import type { StoragePool } from '../../shared/model';
import { storageSpecSchema, type StorageEdit } from '../../shared/storage-api';
import { PVE_VERSIONS, pveSchemasOrSkip } from '../pve-sim/schema';
import { probeFor, simSuite, taskContext } from './sim-driver';

const haveSchemas = pveSchemasOrSkip('proxmox storage edit');

describe.skipIf(!haveSchemas).each(PVE_VERSIONS)(
  'Edit storage against the %s simulator',
  (version) => {
    const suite = simSuite(version, { taskStepMs: 10 });
    const probe = probeFor(version === 'pve8' ? '8.4.1' : '9.1.1');
    const connected = () => suite.connected({ probe });
    type Connected = Awaited<ReturnType<typeof connected>>;
    const pools = (c: Connected, name: string): StoragePool[] =>
      c.store.all('pools').filter((x) => x.name === name);

    it('reads the settings with their digest, plans only what changes, and changes them', async () => {
      const c = await connected();
      const api = c.d.storageApi;
      await api.createStorage(
        storageSpecSchema.parse({
          storage: 'nas-edit',
          type: 'nfs',
          values: { server: '192.0.2.50', export: '/mnt/tank/iso' },
          content: ['iso'],
          nodes: [],
        }),
        taskContext().ctx,
      );
      const now = await api.readStorageSettings(pools(c, 'nas-edit')[0]!);
      expect(now).toMatchObject({
        storage: 'nas-edit',
        type: 'nfs',
        typeLabel: 'NFS',
        content: ['iso'],
        nodes: [],
        disabled: false,
      });
      expect(now.digest).toMatch(/^[0-9a-f]{40}$/);
      expect(now.contents).toEqual(expect.arrayContaining(['images', 'iso', 'backup']));
      expect(now.clusterNodes).toEqual(['pve1', 'pve2', 'pve3']);

      const edit = (e: Partial<StorageEdit>): StorageEdit => ({
        content: now.content,
        nodes: now.nodes,
        disabled: now.disabled,
        digest: now.digest,
        ...e,
      });
      expect(api.planStorageEdit(now, edit({})).problems).toEqual(['Nothing changes.']);
      expect(api.planStorageEdit(now, edit({ content: ['none'] })).problems).toEqual([
        'NFS storage cannot hold none.',
      ]);
      expect(api.planStorageEdit(now, edit({ nodes: ['pve9'] })).problems).toEqual([
        'The cluster has no node pve9.',
      ]);
      const change = edit({ content: ['iso', 'backup'], nodes: ['pve1'] });
      const plan = api.planStorageEdit(now, change);
      expect(plan.problems).toEqual([]);
      expect(plan.steps[0]!.command).toBe(
        `pvesh set /storage/nas-edit --content iso,backup --nodes pve1 --digest ${now.digest}`,
      );

      const t = taskContext();
      await api.editStorage(now, change, t.ctx);
      expect(t.commands()).toEqual([plan.steps[0]!.command]);
      // Only pve1 has it now, holding backups too.
      expect(
        pools(c, 'nas-edit').map((p) => [p.id.endsWith(':pool:pve1:nas-edit'), p.content]),
      ).toEqual([[true, ['iso', 'backup']]]);

      // Another admin's view from before the change: PVE refuses it by the digest.
      await expect(
        api.editStorage(now, edit({ disabled: true }), taskContext().ctx),
      ).rejects.toThrow(/detected modified configuration - file changed by other user\? Try again/);

      // Disabled and back to every node: `disable 1`, then both deleted.
      const after = await api.readStorageSettings(pools(c, 'nas-edit')[0]!);
      expect(after.digest).not.toBe(now.digest);
      await api.editStorage(
        after,
        { ...change, disabled: true, digest: after.digest },
        taskContext().ctx,
      );
      expect(pools(c, 'nas-edit')[0]!.state).not.toBe('running');
      const off = await api.readStorageSettings(pools(c, 'nas-edit')[0]!);
      expect(off.disabled).toBe(true);
      const back = { ...change, nodes: [], disabled: false, digest: off.digest };
      expect(api.planStorageEdit(off, back).steps[0]!.command).toBe(
        `pvesh set /storage/nas-edit --delete nodes,disable --digest ${off.digest}`,
      );
      await api.editStorage(off, back, taskContext().ctx);
      // Enabled again (the inventory holds the connected node's pools: pve1's).
      expect(pools(c, 'nas-edit').map((p) => p.state)).toEqual(['running']);
      expect(await api.readStorageSettings(pools(c, 'nas-edit')[0]!)).toMatchObject({
        nodes: [],
        disabled: false,
      });
      await api.removeStorage(pools(c, 'nas-edit')[0]!, taskContext().ctx);
    });
  },
);
