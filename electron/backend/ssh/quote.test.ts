import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { quoteArg, quoteArgv } from './quote';

const HOSTILE = [
  'plain',
  'with space',
  "it's",
  'a;rm -rf /',
  '$(touch /tmp/pwned)',
  '`id`',
  '"double"',
  'back\\slash',
  'ünïcødé ✓',
  '*glob?',
  '',
  "''",
  '-dash',
];

describe('quoteArgv', () => {
  it('leaves safe words bare', () => {
    expect(quoteArgv(['virsh', '-c', 'qemu:///system', 'list'])).toBe(
      'virsh -c qemu:///system list',
    );
  });

  it('round-trips hostile words through a real POSIX shell unchanged', () => {
    for (const word of HOSTILE) {
      const out = execFileSync('/bin/sh', ['-c', `printf '%s' ${quoteArg(word)}`], {
        encoding: 'utf8',
      });
      expect(out).toBe(word);
    }
  });

  it('keeps argument boundaries', () => {
    const cmd = `printf '<%s>' ${quoteArgv(HOSTILE)}`;
    const out = execFileSync('/bin/sh', ['-c', cmd], { encoding: 'utf8' });
    expect(out).toBe(HOSTILE.map((w) => `<${w}>`).join(''));
  });

  it('refuses line breaks and NUL', () => {
    expect(() => quoteArg('a\nb')).toThrow(/line break/);
    expect(() => quoteArg('a\0b')).toThrow(/line break/);
  });
});
