import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeFindings, parseSubmittedJobs, parseUuidNames, parseVerify } from './verify';

// Captured on the Ganeti lab: `gnt-cluster verify --error-codes` as it is
// there (no /proc/sysrq-trigger: ENODESETUP on every node), and with node3's
// node daemon stopped.
const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');

describe('gnt-cluster verify', () => {
  it('gives one finding per problem with the node it names', () => {
    const f = parseVerify(fixture('verify-lab.txt'));
    expect(f.filter((x) => x.level === 'error').map((x) => [x.code, x.kind, x.item])).toEqual([
      ['ENODESETUP', 'node', 'node3.gnt.test'],
      ['ENODESETUP', 'node', 'node1.gnt.test'],
      ['ENODESETUP', 'node', 'node2.gnt.test'],
    ]);
    expect(f[0]!.text).toMatch(/^node setup error: The procfs filesystem/);
    expect(f.find((x) => x.level === 'notice')?.text).toBe('1 non-redundant instance(s) found.');
    expect(describeFindings(f)).toBe('3 errors, 1 notice');
  });

  it('names a node given by its UUID', () => {
    const names = parseUuidNames('058e34ba-558a-4af2-8db8-8539120d9f4a|node3.gnt.test\n');
    const f = parseVerify(fixture('verify-noded-down.txt'), names);
    const node3 = f.filter((x) => x.item === 'node3.gnt.test').map((x) => x.code ?? x.level);
    expect(node3).toEqual(['ENODESSH', 'ENODEFILECHECK', 'ENODERPC', 'warning', 'ENODEHOOKS']);
    expect(f.find((x) => x.level === 'warning')?.text).toMatch(
      /^Communication failure to node node3\.gnt\.test: Error 7/,
    );
    expect(f.some((x) => /058e34ba/.test(JSON.stringify(x)))).toBe(false);
  });

  it('reads the plain format and the jobs it submitted', () => {
    const f = parseVerify(
      'Mon Nov 30 21:31:34 2026   - ERROR: node node3.gnt.test: node setup error: x\n',
    );
    expect(f).toEqual([
      { level: 'error', kind: 'node', item: 'node3.gnt.test', text: 'node setup error: x' },
    ]);
    expect(parseSubmittedJobs('Submitted jobs 40, 41')).toEqual(['40', '41']);
    expect(describeFindings([])).toBe('no problems');
  });
});
