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

  it('refuses every control character (C0 and DEL), naming it', () => {
    expect(() => quoteArg('a\nb')).toThrow(/control character \\n,/);
    expect(() => quoteArg('a\0b')).toThrow(/control character \\0,/);
    expect(() => quoteArg('x\x15echo INJECTED #')).toThrow(/control character \\x15,/);
    expect(() => quoteArg('a\tb')).toThrow(/control character \\t,/);
    for (let code = 0; code < 0x20; code++) {
      expect(() => quoteArg(`a${String.fromCharCode(code)}b`)).toThrow(/control character/);
    }
    expect(() => quoteArg('a\x7fb')).toThrow(/control character \\x7f,/);
    expect(() => quoteArgv(['echo', 'ok', 'esc\x1b[A'])).toThrow(/control character \\x1b,/);
    // Characters past ASCII, C1 controls included, reach the node as they are.
    expect(quoteArg('\u0085\u00a0é')).toBe("'\u0085\u00a0é'");
  });
});
