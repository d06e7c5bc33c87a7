// One SSH connection to one node (ssh2), with host key verification before
// any credential is sent, TCP_NODELAY, keepalive, and commands as argv.
// The session holds the connection's state (its socket, the jump host it runs
// through, closed or not, the open shell for quick reads); what it does is
// split by kind: logging in and the host key probe (connect.ts), commands run
// to completion (exec.ts), and the channels it opens (channels.ts).
import { connect as netConnect, type Socket } from 'node:net';
import { Client, type ClientChannel, type SFTPWrapper } from 'ssh2';
import {
  openExecChannel,
  openPtyChannel,
  openSftp,
  openSocketTunnel,
  openTcpTunnel,
  type PtySize,
} from './channels';
import { login, type Credentials, type HostKeyCheck, type SessionTarget } from './connect';
import {
  commandRecorder,
  disconnectedError,
  execCommand,
  type ExecOptions,
  type ExecResult,
} from './exec';
import { quoteArgv } from './quote';
import { NodeShell, SHELL_STDIN_MAX } from './node-shell';

// The session's API in one place, so callers need not know the split.
export { probeHostKey } from './connect';
export type { Credentials, HostKeyCheck, SessionTarget } from './connect';
export type { ExecOptions, ExecResult } from './exec';
export type { PtySize } from './channels';

/** The open shell closes after this long without a command. */
const SHELL_IDLE_MS = 60_000;

export class SshSession {
  private readonly client = new Client();
  private sock: Socket | ClientChannel | undefined;
  /** The jump host's session this one runs through, if any. */
  private via: SshSession | undefined;
  private closed = false;
  private readonly closeListeners = new Set<(err?: Error) => void>();

  private constructor(readonly target: SessionTarget) {}

  /**
   * Connects to the target, directly or through `via` (a jump host's session,
   * ProxyJump): then the SSH connection runs inside a tunnel of that session,
   * and closing this session closes the jump host's too.
   */
  static async open(
    target: SessionTarget,
    creds: Credentials,
    checkHostKey: HostKeyCheck,
    via?: SshSession,
  ): Promise<SshSession> {
    const s = new SshSession(target);
    if (via) {
      s.via = via;
      s.onClose(() => via.close());
    }
    try {
      await s.connect(creds, checkHostKey);
    } catch (err) {
      via?.close();
      throw err;
    }
    return s;
  }

  private async openSocket(): Promise<Socket | ClientChannel> {
    const { address, port } = this.target;
    if (this.via) return this.via.forwardOut(address, port);
    // Our own socket, so Nagle can be turned off: small command writes
    // otherwise wait for ACKs and cost ~18 ms each instead of <1 ms.
    const sock: Socket = netConnect({ host: address, port });
    sock.setNoDelay(true);
    return sock;
  }

  private async connect(creds: Credentials, checkHostKey: HostKeyCheck): Promise<void> {
    const sock = await this.openSocket();
    this.sock = sock;
    const check: HostKeyCheck = async (key) => {
      const ok = await checkHostKey(key);
      if (ok) this.acceptedKey = Buffer.from(key);
      return ok;
    };
    return login(this.client, sock, this.target, creds, check, () => {
      this.closed = true;
      for (const l of this.closeListeners) l();
    });
  }

  private acceptedKey: Buffer | undefined;

  /**
   * The host key this session checked and accepted: another connection to the
   * same node (a worker's, core/dataplane) accepts this key and no other.
   */
  get hostKey(): Buffer | undefined {
    return this.acceptedKey;
  }

  /** Whether this session runs through a jump host's. */
  get isJumped(): boolean {
    return this.via !== undefined;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  onClose(listener: () => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  close(): void {
    this.closed = true;
    this.client.end();
    // end() says goodbye politely; a node that stopped answering would keep
    // the socket (and every remote process on it) half-open until keepalive
    // gives up, so the socket goes after a short grace either way.
    const sock = this.sock;
    if (sock) setTimeout(() => sock.destroy(), 2000).unref();
  }

  /**
   * Opens a channel with `open` while connected; once the connection is gone,
   * says so naming `what` (the command or tunnel asked for) instead.
   */
  private whileConnected<T>(what: string, open: (client: Client) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(disconnectedError(this.target, what));
    return open(this.client);
  }

  /** Opens an exec channel for a long-lived command (event streams, virsh shell). */
  openChannel(argv: readonly string[]): Promise<ClientChannel> {
    return this.whileConnected(quoteArgv(argv), (c) => openExecChannel(c, this.target.label, argv));
  }

  /**
   * An interactive channel on a pseudo-terminal: the user's login shell when
   * argv is undefined, else that command (`virsh console` needs a tty).
   */
  openPty(argv: readonly string[] | undefined, size: PtySize): Promise<ClientChannel> {
    return this.whileConnected(argv ? quoteArgv(argv) : 'a login shell', (c) =>
      openPtyChannel(c, this.target.label, argv, size),
    );
  }

  /** A direct-tcpip channel to an address as the node sees it (its loopback included). */
  forwardOut(host: string, port: number): Promise<ClientChannel> {
    return this.whileConnected(`connect to ${host}:${port}`, (c) =>
      openTcpTunnel(c, this.target.label, host, port),
    );
  }

  /** An SFTP session on this connection (one channel; end it when done). */
  sftp(): Promise<SFTPWrapper> {
    return this.whileConnected('sftp', (c) => openSftp(c, this.target.label));
  }

  /** A direct-streamlocal channel to a unix socket on the node (OpenSSH's extension). */
  forwardOutSocket(path: string): Promise<ClientChannel> {
    return this.whileConnected(`connect to ${path}`, (c) =>
      openSocketTunnel(c, this.target.label, path),
    );
  }

  /**
   * Runs a short command through the session's open shell instead of a new
   * exec channel (see node-shell.ts), with the same result and log record as
   * exec. For quick reads only: the shell runs one command at a time and
   * cannot be cancelled. Falls back to exec when the shell cannot open.
   */
  async run(
    argv: readonly string[],
    opts: Pick<ExecOptions, 'timeoutMs' | 'stdin' | 'log'> = {},
  ): Promise<ExecResult> {
    if (opts.stdin !== undefined && opts.stdin.length > SHELL_STDIN_MAX)
      return this.exec(argv, opts);
    // Busy from before the shell is fetched, so the idle close cannot take it meanwhile.
    clearTimeout(this.shellIdle);
    this.shellBusy++;
    try {
      let shell: NodeShell;
      try {
        shell = await this.nodeShell();
      } catch {
        return await this.exec(argv, opts);
      }
      const record = commandRecorder(this.target.label, quoteArgv(argv), opts.log);
      try {
        const r = await shell.run(argv, opts);
        record(r.code, r.stderr);
        return r;
      } catch (err) {
        record(null, (err as Error).message);
        throw err;
      }
    } finally {
      if (--this.shellBusy === 0) {
        // sshd allows 10 session channels per connection by default; an idle shell gives its one back.
        this.shellIdle = setTimeout(() => {
          const idle = this.shell;
          this.shell = undefined;
          void idle?.then((s) => s.close()).catch(() => undefined);
        }, SHELL_IDLE_MS);
        this.shellIdle.unref();
      }
    }
  }

  private shell: Promise<NodeShell> | undefined;
  private shellBusy = 0;
  private shellIdle: NodeJS.Timeout | undefined;

  /** The open shell, opened again after it died (a timeout closes it). */
  private nodeShell(): Promise<NodeShell> {
    const open = () =>
      (this.shell = this.openChannel(['sh']).then((c) => new NodeShell(c, this.target.label)));
    const current = this.shell;
    if (!current) return open();
    return current.then(
      (s) => (s.isAlive ? s : this.shell === current ? open() : this.nodeShell()),
      () => (this.shell === current ? open() : this.nodeShell()),
    );
  }

  /** Runs one command to completion (exec.ts). Never rejects for a non-zero exit: the caller decides. */
  exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    return execCommand(this, argv, opts);
  }
}
