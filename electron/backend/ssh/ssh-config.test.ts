import { describe, expect, it } from 'vitest';
import { parseSshConfig } from './ssh-config';

describe('~/.ssh/config aliases', () => {
  it('reads Host blocks and skips patterns', () => {
    const aliases = parseSshConfig(`
# comment
Host *
  User nobody
Host pve1 pve-one
  HostName 192.0.2.10
  Port 2222
  User root
  IdentityFile ~/.ssh/pve
Host kvm2
  HostName=kvm2.example.org
Match host foo
  User ignored
`);
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
      { alias: 'kvm2', hostName: 'kvm2.example.org', port: 22 },
    ]);
  });
});
