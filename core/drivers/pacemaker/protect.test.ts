import { describe, expect, it } from 'vitest';
import { configBeside, protectProblems, protectSteps } from './protect';

const spec = {
  id: 'web1',
  uuid: '2b7c2a8e-5f0a-4c1e-9b1d-000000000001',
  config: '/srv/shared/web1.xml',
  autostart: true,
  preferred: [{ node: 'hanode2', score: 200 }],
};

describe('Protect with HA', () => {
  it('keeps the definition beside the disk', () => {
    expect(configBeside('/srv/shared/disks/web1.qcow2', 'web1')).toBe('/srv/shared/disks/web1.xml');
  });

  it('refuses ids, paths and scores that could not be passed safely', () => {
    expect(protectProblems(spec)).toEqual([]);
    expect(protectProblems({ ...spec, id: '-x' })[0]).toMatch(/cannot be a Pacemaker resource id/);
    expect(protectProblems({ ...spec, config: '/a/../etc/x.xml' })[0]).toMatch(
      /plain absolute path/,
    );
    expect(protectProblems({ ...spec, preferred: [{ node: 'n', score: 0 }] })[0]).toMatch(/score/);
  });

  it('writes the definition, turns libvirt autostart off, makes the resource and the preference', () => {
    const steps = protectSteps(spec);
    expect(steps.map((s) => s.argv.slice(0, 3))).toEqual([
      [
        'sh',
        '-c',
        'umask 077 && virsh -c "$1" dumpxml --inactive --security-info --domain "$2" > "$3"',
      ],
      ['virsh', '-c', 'qemu:///system'],
      ['crm', 'configure', 'primitive'],
      ['crm', 'configure', 'location'],
    ]);
    // Values are argv elements after the script, never inside it.
    expect(steps[0]!.argv.slice(4)).toEqual(['qemu:///system', spec.uuid, spec.config]);
    expect(steps[2]!.argv).toContain('config=/srv/shared/web1.xml');
    expect(steps[2]!.argv).toContain('allow-migrate=true');
    expect(steps[3]!.argv).toEqual([
      'crm',
      'configure',
      'location',
      'web1-prefers-hanode2',
      'web1',
      '200:',
      'hanode2',
    ]);
    // Undo of the resource stops it through Pacemaker before deleting it.
    expect(steps[2]!.undoStep?.argv[2]).toMatch(/^crm resource stop "\$1" && crm_resource --wait/);
    expect(steps[1]!.undoStep?.argv).toEqual([
      'virsh',
      '-c',
      'qemu:///system',
      'autostart',
      '--domain',
      spec.uuid,
    ]);
    expect(protectSteps({ ...spec, autostart: false })[1]!.undoStep).toBeUndefined();
  });
});
