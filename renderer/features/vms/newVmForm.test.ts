import { describe, expect, it } from 'vitest';
import { STEP_FIELDS, errorsOf, initialForm, type Form } from './newVmForm';

// A form that passes the contract: each case below spoils one field.
const good = (): Form => ({
  ...initialForm(undefined),
  name: 'web1',
  hostId: 'h1',
  diskPool: 'p1',
  isoPool: 'p1',
  isoVolume: 'debian.iso',
  netName: 'default',
});

const RAW = /expected|too small|too big|invalid/i;

const BAD: [string, Partial<Form>][] = [
  ['name', { name: '' }],
  ['name', { name: 'x'.repeat(65) }],
  ['name', { name: '-bad name' }],
  ['vcpus', { vcpus: '0' }],
  ['vcpus', { vcpus: '1000' }],
  ['vcpus', { vcpus: 'abc' }],
  ['vcpus', { vcpus: '1.5' }],
  ['memoryMiB', { memoryMiB: '' }],
  ['memoryMiB', { memoryMiB: '5000000' }],
  ['memoryMiB', { memoryMiB: 'lots' }],
  ['diskPool', { diskPool: '' }],
  ['diskSize', { diskSize: '10K' }],
  ['diskSize', { diskSize: '9P' }],
  ['diskSize', { diskSize: 'big' }],
  ['diskVolume', { disk: 'existing', diskVolume: '' }],
  ['diskVolume', { disk: 'existing', diskVolume: 'v'.repeat(300) }],
  ['isoPool', { isoPool: '' }],
  ['isoVolume', { isoVolume: '' }],
  ['kernel', { boot: 'kernel', kernel: '' }],
  ['kernel', { boot: 'kernel', kernel: 'vmlinuz' }],
  ['kernel', { boot: 'kernel', kernel: '/boot/../x' }],
  ['initrd', { boot: 'kernel', kernel: '/k', initrd: 'initrd.gz' }],
  ['cmdline', { boot: 'kernel', kernel: '/k', cmdline: 'x'.repeat(2000) }],
  ['cmdline', { boot: 'kernel', kernel: '/k', cmdline: 'a\nb' }],
  ['netName', { netName: '' }],
  ['bridge', { net: 'bridge', bridge: '' }],
  ['bridge', { net: 'bridge', bridge: 'br 0' }],
];

describe('New VM field errors', () => {
  it('accepts the good form', () => {
    expect(errorsOf(good())).toEqual({});
  });

  it.each(BAD)('says what is wrong with %s in the app’s words: %j', (field, change) => {
    const errors = errorsOf({ ...good(), ...change });
    expect(errors[field]).toBeTruthy();
    for (const message of Object.values(errors)) expect(message).not.toMatch(RAW);
    // Each field belongs to a step, so the wizard stops at the step that is wrong.
    expect(STEP_FIELDS.some((fields) => fields.includes(field))).toBe(true);
  });

  it('names the contract’s limits', () => {
    expect(errorsOf({ ...good(), name: '' })['name']).toBe('Enter a name.');
    expect(errorsOf({ ...good(), memoryMiB: '5000000' })['memoryMiB']).toBe(
      'Memory: at most 4 TiB (4,194,304 MiB).',
    );
  });

  it('refuses more memory than the node has, and allows what it has', () => {
    const node = { name: 'node1', memoryKiB: 7 * 1024 * 1024 };
    const error = errorsOf({ ...good(), memoryMiB: '16384' }, node)['memoryMiB'];
    expect(error).toMatch(
      /^Memory: node1 has 7(\.0)? GiB in all; give this VM at most 7168 MiB\.$/,
    );
    expect(errorsOf({ ...good(), memoryMiB: '7168' }, node)['memoryMiB']).toBeUndefined();
  });
});
