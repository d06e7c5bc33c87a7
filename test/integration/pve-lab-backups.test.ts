// Backups on the Proxmox lab (scripts/lab-pve up 3), over SSH as on a real
// node: the API through the SSH tunnel with the node's certificate pinned,
// the driver's backup pieces create a job, run it now (vzdump followed by
// UPID), restore its archive as a new VM and delete the job; `pvesh` over
// SSH confirms each step as an admin would check it. Starts its own lab (in
// PVE_LAB_DIR) and takes it down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PveApiClient, apiTunnel } from '../../core/drivers/proxmox/api-client';
import { PveBackups } from '../../core/drivers/proxmox/backups';
import {
  CERT_FINGERPRINT_ARGV,
  parseCertFingerprint,
} from '../../core/drivers/proxmox/certificate';
import { parseTokenAdd, tokenAddArgv } from '../../core/drivers/proxmox/token';
import { backupJobSpecSchema } from '../../shared/backups';
import { pveLabCommand, pveLabOrSkip, readPveLab, sshTo, type PveSsh } from '../pve-lab';
import { taskContext } from '../proxmox/sim-driver';

const canRun = pveLabOrSkip('pve-lab-backups');

let ssh: PveSsh;
let api: PveApiClient;
let backups: PveBackups;

beforeAll(async () => {
  if (!canRun) return;
  pveLabCommand(['down']);
  pveLabCommand(['up', '3']);
  const lab = readPveLab();
  const pve1 = lab.nodes.find((n) => n.name === 'pve1')!;
  ssh = await sshTo(lab, pve1);
  const fp = parseCertFingerprint((await ssh.exec([...CERT_FINGERPRINT_ARGV])).stdout);
  const name = 'clusterdeck-test-backups';
  const token = parseTokenAdd((await ssh.exec(tokenAddArgv(name))).stdout, name);
  api = new PveApiClient({ node: 'pve1', openTunnel: apiTunnel(ssh), fingerprint: fp, token });
  backups = new PveBackups({
    api: () => api,
    guestOf: () => {
      throw new Error('not used here');
    },
    load: () => Promise.resolve(),
    taskPollMs: 100,
  });
}, 90_000);

afterAll(() => {
  api?.close();
  ssh?.close();
  if (canRun) pveLabCommand(['down']);
});

const pveshJson = async <T>(...args: string[]): Promise<T> => {
  const r = await ssh.exec(['pvesh', 'get', ...args, '--output-format', 'json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
};

describe.skipIf(!canRun)('backups on the Proxmox lab over SSH', () => {
  it('creates a job, runs it now, restores its backup as a new VM, deletes the job', async () => {
    const spec = backupJobSpecSchema.parse({
      schedule: 'sat 21:00',
      storage: 'local',
      all: false,
      vmids: [100],
      mode: 'snapshot',
      compress: 'zstd',
      retention: { keepLast: 1 },
      enabled: true,
      comment: 'lab web',
      notesTemplate: '{{guestname}}',
    });
    await backups.saveJob(undefined, spec, taskContext().ctx);
    const jobs =
      await pveshJson<{ id: string; comment?: string; vmid?: string }[]>('/cluster/backup');
    const job = jobs.find((j) => j.comment === 'lab web')!;
    expect(job).toMatchObject({ vmid: '100' });

    // Twice: keep-last=1 leaves one archive of VM 100 on pve1's local storage.
    for (let i = 0; i < 2; i++) {
      const run = taskContext();
      await backups.runJob(job.id, run.ctx);
      expect(run.records.map((r) => r.command)).toContain(
        "pvesh create /nodes/pve1/vzdump --vmid 100 --storage local --mode snapshot --compress zstd --prune-backups keep-last=1 --notes-template '{{guestname}}'",
      );
      expect(run.details.at(-1)).toBe('pve1: TASK OK');
    }
    const content = await pveshJson<{ volid: string; vmid: number; notes?: string }[]>(
      '/nodes/pve1/storage/local/content',
      '--content',
      'backup',
    );
    const mine = content.filter((c) => c.vmid === 100);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ notes: 'web01' });
    expect(mine[0]!.volid).toMatch(/^local:backup\/vzdump-qemu-100-.*\.vma\.zst$/);

    const plan = await backups.restorePlan(mine[0]!.volid, 'pve1');
    expect(plan.summary[0]).toEqual(['Name', 'web01']);
    const restore = taskContext();
    await backups.restore(
      {
        hostId: 'h1',
        volid: mine[0]!.volid,
        node: 'pve1',
        vmid: plan.nextVmid,
        storage: 'local-lvm',
        start: false,
      },
      restore.ctx,
    );
    const config = await pveshJson<Record<string, unknown>>(
      `/nodes/pve1/qemu/${plan.nextVmid}/config`,
    );
    expect(config).toMatchObject({ name: 'web01' });
    expect(String(config.scsi0)).toMatch(new RegExp(`^local-lvm:vm-${plan.nextVmid}-disk-0`));

    await backups.deleteJob(job.id, taskContext().ctx);
    const after = await pveshJson<{ id: string }[]>('/cluster/backup');
    expect(after.map((j) => j.id)).not.toContain(job.id);
  }, 120_000);
});
