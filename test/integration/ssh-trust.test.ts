// Host key trust and ~/.ssh/config against real sshd: a key marked @revoked
// in known_hosts is refused before any credential is sent, and a node reached
// through a jump host (ProxyJump, its block found through Include) has both
// host keys checked and really goes through the jump host.
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Backend } from '../../core/backend';
import { addLabNode, labNode, readLab, testBackendOptions, waitFor } from '../lab';

const homes: string[] = [];
const backends: Backend[] = [];

async function freshBackend(): Promise<{ backend: Backend; home: string }> {
  const home = mkdtempSync(join(tmpdir(), 'clusterdeck-trust-'));
  homes.push(home);
  const backend = await Backend.start(testBackendOptions(home));
  backends.push(backend);
  return { backend, home };
}

afterAll(() => {
  for (const b of backends) b.close();
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

describe('@revoked host keys', () => {
  it('refuses a node whose key was revoked after it was trusted, with the reason', async () => {
    const { backend, home } = await freshBackend();
    const hostId = await addLabNode(backend, 'node1');
    expect(backend.store.get('hosts', hostId)?.state).toBe('connected');

    const n = labNode('node1');
    // The administrator revokes the key in ~/.ssh/known_hosts (read-only to us).
    appendFileSync(join(home, 'no-user-known-hosts'), `@revoked ${n.hostKeyLine}\n`);
    await expect(backend.call('reconnectHost', { hostId })).rejects.toMatchObject({
      code: 'host-key-revoked',
    });
    const host = await waitFor(() => {
      const h = backend.store.get('hosts', hostId);
      return h?.state === 'host-key-revoked' ? h : undefined;
    }, 'node1 refused');
    expect(host.message).toContain(`is marked @revoked in known_hosts`);
    expect(host.message).toContain(n.hostKeyFingerprint);
    expect(host.retryAt).toBeUndefined(); // no retry: the user must act

    // Add Host refuses it too, at the probe, before any login.
    await expect(
      backend.call('probeHost', { address: n.host, port: n.port }),
    ).rejects.toMatchObject({ code: 'host-key-revoked' });
  });
});

/** The pids holding an established TCP connection to address:port (ss -p). */
function connectionHolders(address: string, port: number): number[] {
  const out = execFileSync('ss', ['-Htnp', 'state', 'established', 'dst', `${address}:${port}`], {
    encoding: 'utf8',
  });
  return [...out.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
}

/** Whether pid is ancestor or one of its ancestors. */
function descendsFrom(pid: number, ancestor: number): boolean {
  for (let p = pid; p > 1;) {
    if (p === ancestor) return true;
    const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
    p = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  }
  return false;
}

describe('ProxyJump', () => {
  it('reaches node2 through node1 as in ~/.ssh/config, checking both host keys', async () => {
    const { backend, home } = await freshBackend();
    const lab = readLab();
    const jump = labNode('node1');
    const target = labNode('node2');
    // The jump host's own block, with its own key file, found through an Include.
    const jumpKey = join(home, 'jump_key');
    copyFileSync(lab.keyPath, jumpKey);
    mkdirSync(join(home, 'config.d'));
    writeFileSync(
      join(home, 'config.d', 'jump.conf'),
      `Host jump1\n  HostName ${jump.host}\n  Port ${jump.port}\n  User ${lab.user}\n  IdentityFile ${jumpKey}\n`,
    );
    writeFileSync(
      join(home, 'no-ssh-config'),
      `Include config.d/*.conf\nHost n2\n  HostName ${target.host}\n  User ${lab.user}\n  IdentityFile ${lab.keyPath}\n  ProxyJump jump1\n`,
    );
    const aliases = (await backend.call('sshAliases', {})) as { alias: string }[];
    expect(aliases).toContainEqual(
      expect.objectContaining({ alias: 'n2', hostName: target.host, proxyJump: 'jump1' }),
    );

    // The jump host's key is not trusted yet: refused before logging in to it.
    const probe = { address: target.host, port: target.port, proxyJump: 'jump1' };
    await expect(backend.call('probeHost', probe)).rejects.toThrow(
      /jump host jump1 .* is not in known_hosts/,
    );
    // Trusted as ssh would have it, in the user's known_hosts.
    const userKnownHosts = join(home, 'no-user-known-hosts');
    appendFileSync(userKnownHosts, `${jump.hostKeyLine}\n`);
    const seen = (await backend.call('probeHost', probe)) as { fingerprint: string };
    expect(seen.fingerprint).toBe(target.hostKeyFingerprint);

    const { hostId } = (await backend.call('addHost', {
      name: 'n2',
      address: target.host,
      port: target.port,
      user: lab.user,
      auth: 'key',
      keyPath: lab.keyPath,
      proxyJump: 'jump1',
      fingerprint: target.hostKeyFingerprint,
    })) as { hostId: string };
    expect(backend.store.get('hosts', hostId)).toMatchObject({
      state: 'connected',
      proxyJump: 'jump1',
    });

    // The connection to node2's sshd is held by node1's sshd, not by us.
    const holders = connectionHolders(target.host, target.port);
    const jumpSshd = (
      readLab().nodes.find((n) => n.name === 'node1') as unknown as {
        pids: { sshd: number };
      }
    ).pids.sshd;
    expect(holders.some((pid) => descendsFrom(pid, jumpSshd))).toBe(true);
    expect(holders).not.toContain(process.pid);

    // node2's own key is checked too, through the jump host.
    appendFileSync(userKnownHosts, `@revoked ${target.hostKeyLine}\n`);
    await expect(backend.call('reconnectHost', { hostId })).rejects.toMatchObject({
      code: 'host-key-revoked',
    });
    expect(backend.store.get('hosts', hostId)?.message).toContain('n2');
    // The refused attempt closed its jump session too: nothing of ours stays open on node1.
    await waitFor(
      () => !connectionHolders(jump.host, jump.port).includes(process.pid),
      'the jump session to close',
    );
  }, 60_000);
});
