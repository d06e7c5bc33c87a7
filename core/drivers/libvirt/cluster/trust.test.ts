// The trust scripts run here with sh and a scratch HOME: lines are added once,
// taken back by comment with the administrator's lines kept, the ssh config
// section is replaced in place, and each undo takes back exactly what was done.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { previousSshConfig, setSshConfigArgv, sshConfigSection } from './sshConfig';
import {
  ADD_TRUST_ARGV,
  REMOVE_TRUST_ARGV,
  REVOKE_TRUST_ARGV,
  addedTrust,
  authorizedLine,
  keyComment,
  madeKey,
  nodePublicKey,
  revokedComments,
  revokedTrust,
  trustInput,
} from './trust';

let home: string;
const run = (argv: readonly string[], input: string) =>
  execFileSync(argv[0]!, argv.slice(1), {
    input,
    env: { HOME: home, PATH: process.env['PATH'] },
    encoding: 'utf8',
  });
const ssh = (f: string) => readFileSync(join(home, '.ssh', f), 'utf8');
const KEY1 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const ADMIN = 'ssh-ed25519 AAAA admin';

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'cd-trust-'));
  mkdirSync(join(home, '.ssh'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

describe('node trust', () => {
  it('adds what is missing, once, and its undo leaves the files as they were', () => {
    writeFileSync(join(home, '.ssh', 'authorized_keys'), `${ADMIN}\n`);
    const line = authorizedLine(`${KEY1} clusterdeck-cluster@node2`, '127.0.0.72');
    const input = trustInput([line, ADMIN], ['127.0.0.72 ssh-ed25519 CCCC']);
    const out = run(ADD_TRUST_ARGV, input);
    expect(addedTrust(out)).toEqual([`A ${line}`, 'K 127.0.0.72 ssh-ed25519 CCCC', 'E K']);
    expect(ssh('authorized_keys')).toBe(
      `${ADMIN}\nfrom="127.0.0.72",restrict ${KEY1} clusterdeck-cluster@node2\n`,
    );
    expect(ssh('clusterdeck/known_hosts')).toBe('127.0.0.72 ssh-ed25519 CCCC\n');
    expect(addedTrust(run(ADD_TRUST_ARGV, input))).toEqual([]);

    run(REMOVE_TRUST_ARGV, `${addedTrust(out).join('\n')}\n`);
    expect(ssh('authorized_keys')).toBe(`${ADMIN}\n`);
    expect(readdirSync(join(home, '.ssh', 'clusterdeck'))).toEqual([]);
  });

  it('stops when a file cannot take a line, after printing what it added', () => {
    mkdirSync(join(home, '.ssh', 'clusterdeck', 'known_hosts'), { recursive: true });
    const input = trustInput(['ssh-ed25519 BBBB n2'], ['127.0.0.72 ssh-ed25519 CCCC']);
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

  it('takes back only the lines with the cluster comments (an older version’s too), and puts them back on undo', () => {
    const n2 = authorizedLine(`${KEY1} clusterdeck-cluster@node2`, '127.0.0.72');
    const n3 = authorizedLine(`${KEY1} clusterdeck-cluster@node3`, '127.0.0.73');
    const legacy = 'ssh-ed25519 AAAC clusterdeck@node2';
    const keep = `${ADMIN}\n${n3}\ncommand="/bin/backup" ssh-ed25519 AAAB backup@admin\n`;
    writeFileSync(
      join(home, '.ssh', 'authorized_keys'),
      keep.replace(`${n3}\n`, `${n2}\n${n3}\n${legacy}\n`),
    );
    mkdirSync(join(home, '.ssh', 'clusterdeck'));
    writeFileSync(join(home, '.ssh', 'clusterdeck', 'known_hosts'), '127.0.0.72 ssh-ed25519 K2\n');
    const input = revokedComments('node2').map((c) => `C ${c}\n`);
    const out = run(REVOKE_TRUST_ARGV, `${input.join('')}K 127.0.0.72 ssh-ed25519 K2\n`);
    expect(revokedTrust(out)).toEqual([`A ${n2}`, `A ${legacy}`, 'K 127.0.0.72 ssh-ed25519 K2']);
    expect(ssh('authorized_keys')).toBe(keep);
    expect(ssh('clusterdeck/known_hosts')).toBe('');
    run(ADD_TRUST_ARGV, `${revokedTrust(out).join('\n')}\n`);
    expect(ssh('authorized_keys')).toBe(`${keep}${n2}\n${legacy}\n`);
    expect(ssh('clusterdeck/known_hosts')).toBe('127.0.0.72 ssh-ed25519 K2\n');
  });

  it('knows a key it made from one that was there', () => {
    expect(madeKey('made\nssh-ed25519 KKKK clusterdeck@node1\n')).toBe(
      'ssh-ed25519 KKKK clusterdeck@node1',
    );
    expect(madeKey('ssh-ed25519 KKKK clusterdeck@node1\n')).toBeUndefined();
  });

  it('takes a node’s key only as a plain ssh-ed25519 line with its own comment', () => {
    const c = keyComment('node 1');
    expect(c).toBe('clusterdeck-cluster@node-1');
    expect(nodePublicKey(`made\n${KEY1} ${c}\n`, 'node 1', c)).toBe(`${KEY1} ${c}`);
    for (const hostile of [
      `cert-authority,principals="root" ${KEY1} ${c}`,
      `command="sh" ${KEY1} ${c}`,
      `ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ ${c}`,
      `${KEY1} other@node1`,
      `${KEY1} ${c} extra`,
      `${KEY1}x ${c}`,
      `${KEY1}\t${c}`,
    ])
      expect(() => nodePublicKey(hostile, 'node 1', c)).toThrow(
        /^node 1: its cluster key .* is not a plain/,
      );
    expect(() => authorizedLine(`${KEY1} ${c}`, 'node1.example')).toThrow(/not an IP address/);
  });
});

describe('ssh config section', () => {
  const section = sshConfigSection({ address: '127.0.0.71' }, [
    { address: '127.0.0.72', port: 22, user: 'root' },
    { address: 'fd00::3', port: 2222, user: 'root' },
  ]);

  it('is written after the user’s own settings, replaced in place, and undone exactly', () => {
    const own = 'Host *\n  ServerAliveInterval 30\n';
    writeFileSync(join(home, '.ssh', 'config'), own);
    const first = run(setSshConfigArgv(), `${section}\n`);
    expect(ssh('config')).toBe(
      `${own}# >>> clusterdeck cluster peers (managed by Clusterdeck)\n${section}\n# <<< clusterdeck\n`,
    );
    expect(section).toContain('Host clusterdeck-fd00--3\n  HostName fd00::3\n  Port 2222\n');
    // Run again with one peer less: the section is replaced, not added to.
    const one = sshConfigSection({ address: '127.0.0.71' }, [
      { address: '127.0.0.72', port: 22, user: 'root' },
    ]);
    const second = run(setSshConfigArgv(), `${one}\n`);
    expect(ssh('config')).toBe(
      `${own}# >>> clusterdeck cluster peers (managed by Clusterdeck)\n${one}\n# <<< clusterdeck\n`,
    );
    const back = previousSshConfig(second);
    run(back.argv, back.stdin);
    const undo = previousSshConfig(first);
    run(undo.argv, undo.stdin);
    expect(ssh('config')).toBe(own);
  });

  it('makes the file if there is none, and its undo removes it', () => {
    const out = run(setSshConfigArgv(), `${section}\n`);
    const undo = previousSshConfig(out);
    expect(undo.argv).toContain('drop-if-empty');
    run(undo.argv, undo.stdin);
    expect(readdirSync(join(home, '.ssh'))).toEqual([]);
  });
});
