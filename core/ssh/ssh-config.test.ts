import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseProxyJump, resolveJumpChain } from './jump';
import {
  lookupHost,
  parseSshConfig,
  readSshAliases,
  readSshConfig,
  sshAliases,
} from './ssh-config';

describe('~/.ssh/config aliases', () => {
  it('reads Host blocks and skips patterns', async () => {
    const aliases = sshAliases(
      await parseSshConfig(`
# comment
Host pve1 pve-one
  HostName 192.0.2.10
  Port 2222
  User root
  IdentityFile ~/.ssh/pve
Host kvm2
  HostName=kvm2.example.org
Match host foo
  User ignored
Host *
  IdentityFile ~/.ssh/default
`),
    );
    expect(aliases).toEqual([
      {
        alias: 'pve1',
        hostName: '192.0.2.10',
        port: 2222,
        user: 'root',
        identityFile: '~/.ssh/pve',
      },
      {
        alias: 'pve-one',
        hostName: '192.0.2.10',
        port: 2222,
        user: 'root',
        identityFile: '~/.ssh/pve',
      },
      { alias: 'kvm2', hostName: 'kvm2.example.org', port: 22, identityFile: '~/.ssh/default' },
    ]);
  });

  it('takes the first value that applies, as OpenSSH does (Host * first wins)', async () => {
    const c = await parseSshConfig(`
User everyone
Host *.lab !bad.lab
  Port 2200
Host a.lab bad.lab
  User admin
  Port 22
`);
    expect(lookupHost(c, 'a.lab')).toEqual({ hostName: 'a.lab', port: 2200, user: 'everyone' });
    expect(lookupHost(c, 'bad.lab')).toEqual({ hostName: 'bad.lab', port: 22, user: 'everyone' });
  });

  it('reads ProxyJump, and ProxyJump none', async () => {
    const c = await parseSshConfig(`
Host direct
  ProxyJump none
Host kvm*
  ProxyJump admin@bastion:2222
`);
    expect(lookupHost(c, 'kvm3').proxyJump).toBe('admin@bastion:2222');
    expect(lookupHost(c, 'direct').proxyJump).toBeUndefined();
  });

  it('follows Include globs relative to the config’s folder, inside a Host block too', async () => {
    const ssh = mkdtempSync(join(tmpdir(), 'ssh-config-'));
    mkdirSync(join(ssh, 'config.d'));
    writeFileSync(
      join(ssh, 'config'),
      `Include config.d/*.conf
Host kvm1
  Include kvm1-extra
  HostName 192.0.2.1
`,
    );
    writeFileSync(
      join(ssh, 'config.d', '10-jump.conf'),
      'Host bastion\n  HostName 192.0.2.99\n  User jumper\n',
    );
    writeFileSync(join(ssh, 'config.d', '20-kvm.conf'), 'Host kvm2\n  ProxyJump bastion\n');
    writeFileSync(join(ssh, 'config.d', 'ignored.txt'), 'Host not-included\n');
    // Lines of an included file before its first Host belong to the includer's block.
    writeFileSync(join(ssh, 'kvm1-extra'), 'User root\nHost other\n  User nobody\n');
    const c = await readSshConfig(join(ssh, 'config'));
    expect(c.names).toEqual(['bastion', 'kvm2', 'kvm1', 'other']);
    expect(lookupHost(c, 'bastion')).toEqual({ hostName: '192.0.2.99', port: 22, user: 'jumper' });
    expect(lookupHost(c, 'kvm2').proxyJump).toBe('bastion');
    // After the include, kvm1's own block goes on: HostName is kvm1's.
    expect(lookupHost(c, 'kvm1')).toEqual({ hostName: '192.0.2.1', port: 22, user: 'root' });
    expect((await readSshAliases(join(ssh, 'config'))).map((a) => a.alias)).toContain('kvm2');
  });

  it('stops at OpenSSH’s nesting limit instead of looping on a file that includes itself', async () => {
    const ssh = mkdtempSync(join(tmpdir(), 'ssh-config-'));
    writeFileSync(join(ssh, 'config'), 'Include config\nHost loop\n');
    const c = await readSshConfig(join(ssh, 'config'));
    expect(c.names.length).toBe(17);
  });
});

describe('ProxyJump values', () => {
  it('splits hops into user, host and port', () => {
    expect(parseProxyJump('bastion')).toEqual([{ name: 'bastion' }]);
    expect(parseProxyJump('admin@10.0.0.1:2222,[2001:db8::1]:22')).toEqual([
      { name: '10.0.0.1', user: 'admin', port: 2222 },
      { name: '2001:db8::1', port: 22 },
    ]);
    expect(() => parseProxyJump('a@b@c')).toThrow(/not \[user@\]host\[:port\]/);
  });

  it('resolves each hop from its own Host block, the first hop’s own ProxyJump first', async () => {
    const c = await parseSshConfig(`
Host outer
  HostName 192.0.2.1
  User gate
  IdentityFile ~/.ssh/outer
Host inner
  HostName 10.0.0.2
  Port 2222
  ProxyJump outer
Host second
  HostName 10.0.0.3
  ProxyJump ignored-as-not-first
`);
    expect(resolveJumpChain('admin@inner,second', c)).toEqual([
      { name: 'outer', address: '192.0.2.1', port: 22, user: 'gate', identityFile: '~/.ssh/outer' },
      { name: 'inner', address: '10.0.0.2', port: 2222, user: 'admin' },
      { name: 'second', address: '10.0.0.3', port: 22 },
    ]);
    const loop = await parseSshConfig('Host a\n  ProxyJump b\nHost b\n  ProxyJump a\n');
    expect(() => resolveJumpChain('a', loop)).toThrow(/ProxyJump loop/);
  });
});
