// A backup job read back from /cluster/backup in its several shapes (PVE 9's
// prune-backups object, the property string, PVE 6's starttime/dow, 0/1 and
// defaults), and the parameters of create and update.
import { describe, expect, it } from 'vitest';
import { backupJobSpecSchema } from '../../../shared/backups';
import { jobParams, parseJob, parseRetention, retentionText } from './backup-jobs';

describe('backup jobs', () => {
  it('reads prune-backups as an object or a property string; keep-all and nonsense keep everything', () => {
    expect(parseRetention({ 'keep-last': 3, 'keep-weekly': 2 })).toEqual({
      keepLast: 3,
      keepWeekly: 2,
    });
    expect(parseRetention('keep-daily=7,keep-monthly=1')).toEqual({ keepDaily: 7, keepMonthly: 1 });
    expect(parseRetention('keep-all=1')).toEqual({});
    expect(parseRetention({ 'keep-last': 'x' })).toEqual({});
    expect(retentionText({})).toBe('keep-all=1');
    expect(retentionText({ keepLast: 0, keepDaily: 7 })).toBe('keep-daily=7');
  });

  it('reads an old starttime/dow job, lzo as 1, defaults for what is absent', () => {
    const job = parseJob({
      id: 'old',
      starttime: '01:30',
      dow: 'sat',
      vmid: '100,101',
      compress: '1',
    });
    expect(job).toEqual({
      id: 'old',
      spec: {
        schedule: 'sat 01:30',
        storage: 'local',
        all: false,
        vmids: [100, 101],
        mode: 'snapshot',
        compress: 'lzo',
        retention: {},
        enabled: true,
        comment: '',
        notesTemplate: '',
      },
    });
    expect(parseJob({ schedule: '02:00' })).toBeUndefined();
    expect(parseJob({ id: 'x', all: 1, enabled: 0, compress: '0' })!.spec).toMatchObject({
      all: true,
      enabled: false,
      compress: 'none',
    });
  });

  it('creates with all or a vmid list; an update clears what the form emptied', () => {
    const spec = backupJobSpecSchema.parse({
      schedule: '21:00',
      storage: 'nfs',
      all: true,
      vmids: [],
      mode: 'stop',
      compress: 'none',
      retention: { keepLast: 2 },
      enabled: false,
      comment: '',
      notesTemplate: '',
    });
    expect(jobParams(spec, false)).toEqual({
      schedule: '21:00',
      storage: 'nfs',
      mode: 'stop',
      compress: '0',
      enabled: 0,
      'prune-backups': 'keep-last=2',
      comment: undefined,
      'notes-template': undefined,
      all: 1,
    });
    expect(jobParams(spec, true)).toMatchObject({ all: 1, delete: 'comment,notes-template,vmid' });
    const some = { ...spec, all: false, vmids: [100, 200], comment: 'c' };
    expect(jobParams(some, true)).toMatchObject({
      vmid: '100,200',
      all: 0,
      delete: 'notes-template',
    });
  });

  it('refuses a job with no guests, or a schedule with shell characters', () => {
    const base = {
      schedule: '21:00',
      storage: 'local',
      all: false,
      vmids: [],
      mode: 'snapshot',
      compress: 'zstd',
      retention: {},
      enabled: true,
      comment: '',
      notesTemplate: '',
    };
    expect(backupJobSpecSchema.safeParse(base).success).toBe(false);
    expect(backupJobSpecSchema.safeParse({ ...base, vmids: [100] }).success).toBe(true);
    expect(
      backupJobSpecSchema.safeParse({ ...base, vmids: [100], schedule: '$(reboot)' }).success,
    ).toBe(false);
  });
});
