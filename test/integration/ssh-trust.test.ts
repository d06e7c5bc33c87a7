// Host key trust against real sshd: a key marked @revoked in known_hosts is
// refused before any credential is sent, for a saved node and for Add Host.
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Backend } from '../../electron/backend/backend';
import { addLabNode, labNode, testBackendOptions, waitFor } from '../lab';

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
