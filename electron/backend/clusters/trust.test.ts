// The trust scripts run here with sh and a scratch HOME: lines are added once,
// and the undo takes back exactly what was added, files it made included.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ADD_TRUST_ARGV, REMOVE_TRUST_ARGV, addedTrust, madeKey, trustInput } from './trust';

let home: string;
const run = (argv: readonly string[], input: string) =>
  execFileSync(argv[0]!, argv.slice(1), {
    input,
    env: { HOME: home, PATH: process.env['PATH'] },
    encoding: 'utf8',
  });
const ssh = (f: string) => readFileSync(join(home, '.ssh', f), 'utf8');

afterEach(() => rmSync(home, { recursive: true, force: true }));

describe('node trust', () => {
  it('adds what is missing, once, and its undo leaves the files as they were', () => {
    home = mkdtempSync(join(tmpdir(), 'cd-trust-'));
    mkdirSync(join(home, '.ssh'));
    writeFileSync(join(home, '.ssh', 'authorized_keys'), 'ssh-ed25519 AAAA admin\n');
    const input = trustInput(
      ['ssh-ed25519 BBBB clusterdeck@node2', 'ssh-ed25519 AAAA admin'],
      ['127.0.0.22 ssh-ed25519 CCCC'],
    );
    const out = run(ADD_TRUST_ARGV, input);
    expect(addedTrust(out)).toEqual([
      'A ssh-ed25519 BBBB clusterdeck@node2',
      'K 127.0.0.22 ssh-ed25519 CCCC',
      'E K',
    ]);
    expect(ssh('authorized_keys')).toBe(
      'ssh-ed25519 AAAA admin\nssh-ed25519 BBBB clusterdeck@node2\n',
    );
    expect(ssh('known_hosts')).toBe('127.0.0.22 ssh-ed25519 CCCC\n');
    expect(addedTrust(run(ADD_TRUST_ARGV, input))).toEqual([]);

    run(REMOVE_TRUST_ARGV, `${addedTrust(out).join('\n')}\n`);
    expect(ssh('authorized_keys')).toBe('ssh-ed25519 AAAA admin\n');
    expect(readdirSync(join(home, '.ssh'))).toEqual(['authorized_keys']);
  });

  it('stops when a file cannot take a line, after printing what it added', () => {
    home = mkdtempSync(join(tmpdir(), 'cd-trust-'));
    mkdirSync(join(home, '.ssh', 'known_hosts'), { recursive: true });
    const input = trustInput(['ssh-ed25519 BBBB n2'], ['127.0.0.22 ssh-ed25519 CCCC']);
    let stdout = '';
    expect(() => {
      try {
        run(ADD_TRUST_ARGV, input);
      } catch (e) {
        stdout = (e as { stdout: string }).stdout;
        throw e;
      }
    }).toThrow();
    expect(addedTrust(stdout)).toEqual(['A ssh-ed25519 BBBB n2', 'E A']);
  });

  it('knows a key it made from one that was there', () => {
    expect(madeKey('made\nssh-ed25519 KKKK clusterdeck@node1\n')).toBe(
      'ssh-ed25519 KKKK clusterdeck@node1',
    );
    expect(madeKey('ssh-ed25519 KKKK clusterdeck@node1\n')).toBeUndefined();
  });
});
