// BackupService: the node's stack's backups where its host publishes
// 'backups', refused in the app's words elsewhere (no capability, not
// connected, unknown); job changes, runs and restores as tasks.
import { describe, expect, it } from 'vitest';
import type { BackupJobSpec, BackupOverview } from '../../shared/backups';
import type { Backups } from '../drivers/capabilities';
import { fakeWorld } from '../testing/fake-context';
import { fakeVm } from '../testing/fake-node';
import { BackupService } from './backups';

const overview: BackupOverview = { jobs: [], storages: [], guests: [], backups: [] };
const job: BackupJobSpec = {
  schedule: '21:00',
  storage: 'local',
  all: true,
  vmids: [],
  mode: 'snapshot',
  compress: 'zstd',
  retention: {},
  enabled: true,
  comment: '',
  notesTemplate: '',
};

async function world() {
  const w = await fakeWorld();
  const calls: string[] = [];
  const fake: Backups = {
    overview: () => Promise.resolve(overview),
    saveJob: async (id, spec) => void calls.push(`save ${id ?? 'new'} ${spec.schedule}`),
    deleteJob: async (id) => void calls.push(`delete ${id}`),
    runJob: async (id) => {
      calls.push(`run ${id}`);
      throw new Error("pve1: storage 'local-lvm' does not support backups");
    },
    guestBackups: () => Promise.resolve({ backups: [], storages: ['local'] }),
    backupGuest: async (vm, spec) => void calls.push(`backup ${vm.name} ${spec.storage}`),
    restorePlan: () => Promise.resolve({ kind: 'vm', nextVmid: 102, summary: [], storages: [] }),
    restore: async (spec) => void calls.push(`restore ${spec.volid} ${spec.vmid}`),
    deleteBackup: async (b) => void calls.push(`delete ${b.volid} on ${b.node}`),
    protectBackup: async (b, on) => void calls.push(`protect ${b.volid} ${on}`),
    backupNotes: () => Promise.resolve('first\nsecond'),
    setBackupNotes: async (b, notes) => void calls.push(`notes ${b.volid} ${notes}`),
  };
  const pve = w.addNode('pve1');
  Object.assign(pve.driver, { backups: fake });
  const host = w.ctx.store.get('hosts', pve.config.id)!;
  w.ctx.store.put('hosts', host.id, { ...host, capabilities: ['inventory', 'backups'] });
  const plain = w.addNode('kvm1');
  return { w, calls, pve: host.id, plain: plain.config.id, service: new BackupService(w.ctx) };
}

describe('BackupService', () => {
  it("reads and runs through the node's stack, each change a task", async () => {
    const { w, calls, pve, service } = await world();
    const h = service.handlers;
    await expect(h.backupOverview({ hostId: pve }, {})).resolves.toEqual(overview);
    const saved = await h.saveBackupJob({ hostId: pve, job }, {});
    expect((await w.settled(saved.taskId)).state).toBe('succeeded');
    const deleted = await h.deleteBackupJob({ hostId: pve, id: 'backup-1' }, {});
    expect((await w.settled(deleted.taskId)).state).toBe('succeeded');
    const run = await h.runBackupJob({ hostId: pve, id: 'backup-1' }, {});
    const failed = await w.settled(run.taskId);
    expect(failed.state).toBe('failed');
    expect(failed.error).toContain('does not support backups');
    const vm = fakeVm(pve, 'web01', 'running');
    w.ctx.store.put('vms', vm.id, vm);
    const b = await h.backupGuestNow(
      {
        vmId: vm.id,
        storage: 'local',
        mode: 'stop',
        compress: 'gzip',
      },
      {},
    );
    await w.settled(b.taskId);
    const volid = 'local:backup/vzdump-qemu-100-2026_12_01-02_30_00.vma.zst';
    const r = await h.restoreBackup(
      { hostId: pve, volid, node: 'pve1', vmid: 102, start: false },
      {},
    );
    await w.settled(r.taskId);
    expect(calls).toEqual([
      'save new 21:00',
      'delete backup-1',
      'run backup-1',
      'backup web01 local',
      `restore ${volid} 102`,
    ]);
  });

  it('deletes, (un)protects and annotates an archive as tasks named after its file', async () => {
    const { w, calls, pve, plain, service } = await world();
    const h = service.handlers;
    const volid = 'nfs-shared:backup/vzdump-lxc-200-2026_12_01-02_30_00.tar.zst';
    const p = await h.protectBackup({ hostId: pve, volid, node: 'pve2', protected: true }, {});
    const protectedTask = await w.settled(p.taskId);
    expect(protectedTask.title).toBe('Protect backup vzdump-lxc-200-2026_12_01-02_30_00.tar.zst');
    const u = await h.protectBackup({ hostId: pve, volid, node: 'pve2', protected: false }, {});
    expect((await w.settled(u.taskId)).title).toMatch(/^Unprotect backup /);
    const d = await h.deleteBackup({ hostId: pve, volid, node: 'pve2' }, {});
    const deleted = await w.settled(d.taskId);
    expect(deleted.state).toBe('succeeded');
    expect(deleted.title).toBe('Delete backup vzdump-lxc-200-2026_12_01-02_30_00.tar.zst');
    const ref = { hostId: pve, volid, node: 'pve2' };
    await expect(h.backupNotes(ref, {})).resolves.toEqual({ notes: 'first\nsecond' });
    const n = await h.setBackupNotes({ ...ref, notes: 'kept' }, {});
    expect((await w.settled(n.taskId)).title).toBe(
      'Notes of backup vzdump-lxc-200-2026_12_01-02_30_00.tar.zst',
    );
    expect(calls).toEqual([
      `protect ${volid} true`,
      `protect ${volid} false`,
      `delete ${volid} on pve2`,
      `notes ${volid} kept`,
    ]);
    await expect(h.deleteBackup({ hostId: plain, volid, node: 'kvm1' }, {})).rejects.toThrow(
      /does not manage backups on kvm1/,
    );
  });

  it('refuses a node without backups, a disconnected one and an unknown one', async () => {
    const { w, pve, plain, service } = await world();
    const h = service.handlers;
    await expect(h.backupOverview({ hostId: plain }, {})).rejects.toThrow(
      /does not manage backups on kvm1/,
    );
    await expect(h.backupOverview({ hostId: 'nope' }, {})).rejects.toThrow(/no longer added/);
    const host = w.ctx.store.get('hosts', pve)!;
    w.ctx.store.put('hosts', pve, { ...host, state: 'disconnected' });
    await expect(h.runBackupJob({ hostId: pve, id: 'x' }, {})).rejects.toThrow(
      /pve1 is not connected/,
    );
  });
});
