// Hosts: probing and trusting a node's key, adding and removing nodes, their
// connections and saved credentials. The only writer of the settings' hosts
// and secrets, and of the open connections.
import { randomUUID } from 'node:crypto';
import { ClusterdeckError } from '../../shared/errors';
import { HostConnection } from '../hosts/connection';
import { keyTypeOf, sha256Fingerprint } from '../ssh/fingerprint';
import { revokedKeyError } from '../ssh/known-hosts';
import { probeHostKey } from '../ssh/session';
import { readSshAliases } from '../ssh/ssh-config';
import type { HostConfig } from '../store/settings';
import type { ClusterService } from './clusters';
import type { ServiceContext } from './context';
import { DriverSecretStore } from './driver-secrets';
import type { HandlersOf } from './handlers';

export class HostService {
  /** Sentences for the user about startup (saved passwords removed). */
  readonly notices: string[] = [];
  /** Drivers' own secrets (a Proxmox API token's), sealed beside the passwords. */
  private readonly driverSecrets: DriverSecretStore;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly clusters: ClusterService,
  ) {
    this.driverSecrets = new DriverSecretStore(ctx.settings, ctx.opts.secretBox);
  }

  private connection(config: HostConfig, secret: string | undefined): HostConnection {
    const { store, knownHosts, jumps, drivers } = this.ctx;
    return new HostConnection(
      config,
      store,
      knownHosts,
      secret,
      jumps,
      drivers,
      undefined,
      this.driverSecrets.forHost(config.id),
    );
  }

  /** Starts reconnecting saved hosts (without waiting for them). */
  async start(): Promise<void> {
    await this.dropWeakSecrets();
    const { opts, settings } = this.ctx;
    const s = settings.current;
    for (const h of s.hosts) {
      const sealed = s.secrets[h.id];
      let secret: string | undefined;
      if (sealed && opts.secretBox.canPersist) {
        try {
          secret = opts.secretBox.decrypt(sealed);
        } catch {
          secret = undefined; // the keyring changed; the user re-enters it
        }
      }
      this.open(h, secret).catch(() => undefined);
    }
  }

  /** Removes passwords an earlier version sealed with a key anyone knows. */
  private async dropWeakSecrets(): Promise<void> {
    const box = this.ctx.opts.secretBox;
    const { hosts, secrets } = this.ctx.settings.current;
    const weak = hosts.filter((h) => {
      const sealed = secrets[h.id];
      return sealed !== undefined && box.isWeaklySealed?.(sealed) === true;
    });
    if (weak.length === 0) return;
    const names = weak.map((h) => h.name).join(', ');
    let removed = 'They were removed from the settings file; enter them again when asked.';
    try {
      await this.ctx.settings.update((x) => {
        for (const h of weak) delete x.secrets[h.id];
      });
    } catch (err) {
      removed = `They are not used, but could not be removed: ${(err as Error).message}`;
    }
    this.notices.push(
      `The saved passwords of ${names} had been encrypted with Chromium's fixed fallback key (no keyring was running), which protects nothing. ${removed}`,
    );
  }

  private open(config: HostConfig, secret: string | undefined): Promise<void> {
    const conn = this.connection(config, secret);
    this.ctx.connections.set(conn);
    return conn.connect();
  }

  /** A node's host key, read directly or through its jump hosts. */
  private async probeKey(address: string, port: number, proxyJump?: string): Promise<Buffer> {
    const via = proxyJump ? await this.ctx.jumps.open(proxyJump) : undefined;
    try {
      return await probeHostKey(address, port, address, via);
    } finally {
      via?.close();
    }
  }

  /** Marks or clears a node's maintenance mode, saved and shown. */
  async setMaintenance(hostId: string, m: HostConfig['maintenance']): Promise<void> {
    await this.ctx.settings.update((s) => {
      const h = s.hosts.find((x) => x.id === hostId);
      if (!h) return;
      if (m) h.maintenance = m;
      else delete h.maintenance;
    });
    this.ctx.connection(hostId).setMaintenance(m);
  }

  close(): void {
    for (const c of this.ctx.connections.all()) {
      c.dispose();
      this.ctx.connections.delete(c.id);
    }
  }

  readonly handlers: HandlersOf<
    'probeHost' | 'addHost' | 'removeHost' | 'reconnectHost' | 'sshAliases'
  > = {
    probeHost: async ({ address, port, proxyJump }) => {
      const key = await this.probeKey(address, port, proxyJump);
      const verdict = await this.ctx.knownHosts.check(address, port, key);
      if (verdict.status === 'revoked')
        throw revokedKeyError(`${address}:${port}`, verdict.fingerprint);
      return {
        address,
        port,
        keyType: keyTypeOf(key),
        fingerprint: sha256Fingerprint(key),
        status: verdict.status,
        ...(verdict.status === 'changed' ? { knownFingerprint: verdict.knownFingerprint } : {}),
      };
    },

    addHost: async (p) => {
      const { opts, store, knownHosts, connections, settings } = this.ctx;
      const where = `${p.address}:${p.port}`;
      if (
        connections
          .all()
          .some(
            (c) =>
              c.config.address === p.address &&
              c.config.port === p.port &&
              c.config.user === p.user,
          )
      ) {
        throw new ClusterdeckError(
          'invalid-input',
          `${p.user}@${where} is already in Clusterdeck.`,
        );
      }
      if (p.remember && p.password && !opts.secretBox.canPersist) {
        throw new ClusterdeckError(
          'invalid-input',
          `${opts.secretBox.whyNot ?? 'This Clusterdeck has no encrypted secret store here, and it never saves a password in plain text.'} Untick “Remember password”.`,
        );
      }
      // Trust exactly the key the user saw: if the node now shows another, refuse.
      const key = await this.probeKey(p.address, p.port, p.proxyJump);
      const fingerprint = sha256Fingerprint(key);
      if (fingerprint !== p.fingerprint) {
        throw new ClusterdeckError(
          'host-key-mismatch',
          `${where} now presents ${fingerprint}, not the ${p.fingerprint} you accepted. Nothing was sent. Check the node before connecting again.`,
        );
      }
      const verdict = await knownHosts.check(p.address, p.port, key);
      if (verdict.status === 'revoked') throw revokedKeyError(where, verdict.fingerprint);
      if (verdict.status === 'changed') {
        throw new ClusterdeckError(
          'host-key-changed',
          `The host key of ${where} changed (now ${fingerprint}, trusted ${verdict.knownFingerprint}). Nothing was sent. If the node was reinstalled, remove its old key from known_hosts first.`,
        );
      }
      if (verdict.status === 'new') await knownHosts.trust(p.address, p.port, key);
      const config: HostConfig = {
        id: randomUUID(),
        name: p.name || p.address,
        address: p.address,
        port: p.port,
        user: p.user,
        auth: p.auth,
        ...(p.auth === 'key' && p.keyPath ? { keyPath: p.keyPath } : {}),
        ...(p.proxyJump ? { proxyJump: p.proxyJump } : {}),
      };
      const conn = this.connection(config, p.password);
      try {
        await conn.connect();
      } catch (err) {
        conn.dispose();
        store.removeHost(config.id);
        await settings
          .update((s) => this.driverSecrets.dropHost(s.secrets, config.id))
          .catch(() => undefined);
        throw err;
      }
      connections.set(conn);
      await settings.update((s) => {
        s.hosts.push(config);
        if (p.remember && p.password) s.secrets[config.id] = opts.secretBox.encrypt(p.password);
      });
      return { hostId: config.id };
    },

    removeHost: async ({ hostId }) => {
      const { store, connections, settings } = this.ctx;
      // Its cluster's trust is taken back with Remove from the cluster first.
      const cluster = settings.current.clusters.find((c) => c.hostIds.includes(hostId));
      if (cluster)
        throw new ClusterdeckError(
          'invalid-state',
          `${store.get('hosts', hostId)?.name ?? 'That node'} is in the cluster ${cluster.name}: remove it from the cluster first, so its peers stop trusting it.`,
        );
      connections.get(hostId).dispose();
      connections.delete(hostId);
      store.removeHost(hostId);
      await settings.update((s) => {
        s.hosts = s.hosts.filter((h) => h.id !== hostId);
        delete s.secrets[hostId];
        this.driverSecrets.dropHost(s.secrets, hostId);
      });
      await this.clusters.forgetHost(hostId);
      return {};
    },

    reconnectHost: async ({ hostId }) => {
      await this.ctx.connection(hostId).connect();
      return {};
    },

    sshAliases: async () => readSshAliases(this.ctx.opts.sshConfig),
  };
}
