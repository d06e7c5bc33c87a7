// The life of one node's connection: connect, detect the stack, start its
// driver, and on a drop retry with backoff while the tree shows why.
import { readFile } from 'node:fs/promises';
import type { ClientChannel, SFTPWrapper } from 'ssh2';
import type { Host, HostState } from '../../shared/model';
import { ClusterdeckError, toErrorPayload } from '../../shared/errors';
import type { Driver } from '../drivers/driver';
import { probeNode, unsupportedStackMessage } from '../drivers/detect';
import type { DriverRegistry, DriverSecrets } from '../drivers/registry';
import type { InventoryStore } from '../inventory/store';
import { revokedKeyError, type KnownHosts } from '../ssh/known-hosts';
import {
  SshSession,
  type Credentials,
  type ExecOptions,
  type ExecResult,
  type PtySize,
  type SessionTarget,
} from '../ssh/session';
import type { JumpHosts } from '../ssh/jump';
import { DataWorker } from '../dataplane/data-worker';
import { expandHome } from '../ssh/ssh-config';
import type { HostConfig } from '../store/settings';

/** Opens a node's SSH session; SshSession.open, or a test's stand-in. */
export type OpenSession = (
  target: SessionTarget,
  creds: Credentials,
  verifyHostKey: (key: Buffer) => Promise<boolean>,
  via: SshSession | undefined,
) => Promise<SshSession>;

export const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000, 30000];
// Failures a retry cannot fix: the user must act first.
const FINAL_STATES: ReadonlySet<HostState> = new Set([
  'auth-failed',
  'host-key-changed',
  'host-key-revoked',
  'unsupported',
]);

export class HostConnection {
  private session: SshSession | undefined;
  private driver: Driver | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private disposed = false;
  private connecting: Promise<void> | undefined;

  constructor(
    readonly config: HostConfig,
    private readonly store: InventoryStore,
    private readonly knownHosts: KnownHosts,
    /** The password or key passphrase, held in memory for reconnects. */
    private readonly secret: string | undefined,
    /** Opens the jump hosts of config.proxyJump. */
    private readonly jumps: JumpHosts,
    /** Which driver runs the node, by the stack found there. */
    private readonly drivers: DriverRegistry,
    private readonly openSession: OpenSession = (t, c, v, via) => SshSession.open(t, c, v, via),
    /** Where its driver keeps secrets (a Proxmox API token's). */
    private readonly secrets?: DriverSecrets,
  ) {
    this.setState('connecting');
  }

  get id(): string {
    return this.config.id;
  }

  getDriver(): Driver {
    if (!this.driver || !this.session || this.session.isClosed) {
      throw new ClusterdeckError(
        'disconnected',
        `${this.config.name} is not connected. Wait for it to reconnect, or press Reconnect.`,
      );
    }
    return this.driver;
  }

  /** Runs one command on the node through the live session, for a task's step. */
  exec(argv: readonly string[], opts: ExecOptions): Promise<ExecResult> {
    if (!this.session || this.session.isClosed) {
      throw new ClusterdeckError(
        'disconnected',
        `${this.config.name} is not connected. Wait for it to reconnect, or press Reconnect.`,
      );
    }
    return this.session.exec(argv, opts);
  }

  /** Runs a short command through the session's open shell (no new exec channel). */
  run(argv: readonly string[], opts: Pick<ExecOptions, 'timeoutMs' | 'stdin' | 'log'> = {}) {
    if (!this.session || this.session.isClosed) {
      throw new ClusterdeckError(
        'disconnected',
        `${this.config.name} is not connected. Wait for it to reconnect, or press Reconnect.`,
      );
    }
    return this.session.run(argv, opts);
  }

  /** A tunnel to an address on the node, through its live SSH session. */
  forwardOut(host: string, port: number): Promise<ClientChannel> {
    if (!this.session || this.session.isClosed) {
      throw new ClusterdeckError('disconnected', `${this.config.name} is not connected.`);
    }
    return this.session.forwardOut(host, port);
  }

  /** An SFTP session on the node's live connection. */
  sftp(): Promise<SFTPWrapper> {
    if (!this.session || this.session.isClosed) {
      throw new ClusterdeckError('disconnected', `${this.config.name} is not connected.`);
    }
    return this.session.sftp();
  }

  /** A tunnel to a unix socket on the node, through its live SSH session. */
  forwardOutSocket(path: string): Promise<ClientChannel> {
    if (!this.session || this.session.isClosed) {
      throw new ClusterdeckError('disconnected', `${this.config.name} is not connected.`);
    }
    return this.session.forwardOutSocket(path);
  }

  /** A terminal on the node: its login shell, or a command such as `virsh console`. */
  openPty(argv: readonly string[] | undefined, size: PtySize): Promise<ClientChannel> {
    if (!this.session || this.session.isClosed) {
      throw new ClusterdeckError('disconnected', `${this.config.name} is not connected.`);
    }
    return this.session.openPty(argv, size);
  }

  /** Marks or clears maintenance mode (the caller keeps it in the settings). */
  setMaintenance(m: HostConfig['maintenance']): void {
    if (m) this.config.maintenance = m;
    else delete this.config.maintenance;
    const prev = this.store.get('hosts', this.config.id);
    if (!prev) return;
    const { maintenance: _old, ...rest } = prev;
    this.store.put('hosts', prev.id, m ? { ...rest, maintenance: m } : rest);
  }

  private setState(state: HostState, extra: Partial<Host> = {}): void {
    if (this.disposed) return;
    const c = this.config;
    const prev = this.store.get('hosts', c.id);
    const host: Host = {
      id: c.id,
      name: c.name,
      address: c.address,
      port: c.port,
      user: c.user,
      auth: c.auth,
      ...(c.keyPath ? { keyPath: c.keyPath } : {}),
      ...(c.proxyJump ? { proxyJump: c.proxyJump } : {}),
      ...(prev?.stack ? { stack: prev.stack } : {}),
      ...(prev?.capabilities ? { capabilities: prev.capabilities } : {}),
      ...(prev?.info ? { info: prev.info } : {}),
      ...(c.maintenance ? { maintenance: c.maintenance } : {}),
      state,
      ...extra,
    };
    this.store.put('hosts', c.id, host);
  }

  private async credentials(): Promise<Credentials> {
    const c = this.config;
    const creds: Credentials = { user: c.user };
    if (c.auth === 'key') {
      const path = expandHome(c.keyPath ?? '');
      try {
        creds.privateKey = await readFile(path);
      } catch (err) {
        const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
        throw new ClusterdeckError(
          'auth-failed',
          `Cannot read the key file ${path} for ${c.name} (${why}). Check the path.`,
        );
      }
      if (this.secret) creds.passphrase = this.secret;
    } else if (c.auth === 'agent') {
      const sock = process.env['SSH_AUTH_SOCK'];
      if (!sock) {
        throw new ClusterdeckError(
          'auth-failed',
          `No ssh-agent is reachable (SSH_AUTH_SOCK is not set), so ${c.name} cannot use agent login. Start an agent and add your key, or choose a key file.`,
        );
      }
      creds.agent = sock;
    } else {
      creds.password = this.secret ?? '';
    }
    return creds;
  }

  /** Connects once; resolves when connected, rejects with the reason otherwise. */
  connect(): Promise<void> {
    this.connecting ??= this.doConnect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async doConnect(): Promise<void> {
    clearTimeout(this.retryTimer);
    this.teardown();
    this.setState('connecting');
    const c = this.config;
    try {
      const creds = await this.credentials();
      const via = c.proxyJump ? await this.jumps.open(c.proxyJump) : undefined;
      const session = await this.openSession(
        { label: c.name, address: c.address, port: c.port },
        creds,
        async (key) => {
          const v = await this.knownHosts.check(c.address, c.port, key);
          if (v.status === 'revoked')
            throw revokedKeyError(`${c.name} (${c.address}:${c.port})`, v.fingerprint);
          return v.status === 'known';
        },
        via,
      );
      if (this.disposed) {
        session.close();
        return;
      }
      this.session = session;
      const probe = await probeNode(session);
      const support = this.drivers.forStack(probe.stack);
      if (!support) {
        this.setState('unsupported', {
          stack: probe.stack,
          message: unsupportedStackMessage(probe.stack, c.name),
        });
        this.teardown();
        return;
      }
      const driver = support.createDriver({
        session,
        hostId: c.id,
        store: this.store,
        probe,
        onError: (err) => this.onDriverError(err),
        ...(this.secrets ? { secrets: this.secrets } : {}),
      });
      this.driver = driver;
      session.onClose(() => this.onDropped(session));
      const info = await driver.start();
      if (this.disposed) {
        this.teardown();
        return;
      }
      this.attempt = 0;
      this.setState('connected', {
        stack: driver.stack,
        capabilities: [...driver.capabilities],
        info,
      });
    } catch (err) {
      this.teardown();
      const p = toErrorPayload(err);
      const state: HostState =
        p.code === 'auth-failed' || p.code === 'host-key-changed' || p.code === 'host-key-revoked'
          ? p.code
          : // A driver that will not manage what it found (a Proxmox VE release it does not know).
            p.code === 'unsupported'
            ? 'unsupported'
            : 'unreachable';
      this.setState(state, { message: p.message });
      if (!FINAL_STATES.has(state)) this.scheduleRetry();
      throw err;
    }
  }

  private onDriverError(err: Error): void {
    // An event stream or the virsh shell broke while SSH stayed up: start over.
    if (this.disposed || this.connecting) return;
    this.teardown();
    this.setState('unreachable', { message: `${err.message} Reconnecting…` });
    this.scheduleRetry();
  }

  private onDropped(session: SshSession): void {
    if (this.disposed || this.connecting || session !== this.session) return;
    const c = this.config;
    this.teardown();
    this.setState('unreachable', {
      message: `Lost the connection to ${c.name} (${c.address}:${c.port}). Retrying with backoff.`,
    });
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.disposed) return;
    const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)] ?? 30_000;
    this.attempt++;
    const prev = this.store.get('hosts', this.config.id);
    if (prev) this.store.put('hosts', prev.id, { ...prev, retryAt: Date.now() + delay });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.connect().catch(() => undefined);
    }, delay);
  }

  private dataWorker: Promise<DataWorker | undefined> | undefined;

  /**
   * The node's data worker (core/dataplane): consoles and uploads on a
   * connection of its own in a worker thread, started on first use.
   * Undefined where there can be none (through a jump host, whose tunnel
   * is the main session's) or when it cannot log in: then the main
   * session carries the bytes, as it always could.
   */
  dataPlane(): Promise<DataWorker | undefined> {
    const s = this.session;
    if (!s || s.isClosed || s.isJumped || !s.hostKey) return Promise.resolve(undefined);
    const hostKey = s.hostKey;
    const current = this.dataWorker;
    if (current) {
      return current.then((w) => {
        if (w && !w.isGone) return w;
        if (this.dataWorker === current) this.dataWorker = undefined;
        return this.dataPlane();
      });
    }
    const started = this.credentials()
      .then((creds) => DataWorker.start({ target: s.target, creds, hostKey }))
      .catch((err: unknown) => {
        process.stderr.write(
          `clusterdeck: ${this.config.name}: no data worker, the main session carries consoles and uploads: ${(err as Error).message}\n`,
        );
        return undefined;
      });
    this.dataWorker = started;
    return started;
  }

  private teardown(): void {
    const worker = this.dataWorker;
    this.dataWorker = undefined;
    void worker?.then((w) => w?.close());
    this.driver?.stop();
    this.driver = undefined;
    const s = this.session;
    this.session = undefined;
    s?.close();
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.retryTimer);
    this.teardown();
  }
}

/** What a feature needs to ask a node things: its driver and quick commands (a test fakes it). */
export type NodeAccess = Pick<HostConnection, 'getDriver' | 'run'>;
