// One SSH connection to one node (ssh2), with host key verification before
// any credential is sent, TCP_NODELAY, keepalive, and commands as argv.
import { connect as netConnect, type Socket } from 'node:net';
import { Client, type ClientChannel, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import type { CommandRecord } from '../../shared/model';
import { ClusterdeckError } from '../../shared/errors';
import { quoteArgv } from './quote';
import { NodeShell, SHELL_STDIN_MAX } from './node-shell';

export interface Credentials {
  user: string;
  privateKey?: Buffer;
  passphrase?: string;
  password?: string;
  agent?: string;
}

export interface SessionTarget {
  /** Shown in every error and log line: the node's display name. */
  label: string;
  address: string;
  port: number;
}

/**
 * Decides whether a presented host key (raw blob) may be used; may reject
 * with a ClusterdeckError that says why better than "does not match".
 */
export type HostKeyCheck = (keyBlob: Buffer) => Promise<boolean>;

export interface ExecOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Receives the command record for a task's log. */
  log?: (rec: CommandRecord) => void;
  stdin?: string;
}

/** A terminal's size in character cells. */
export interface PtySize {
  cols: number;
  rows: number;
}

/** What the remote side is told about our terminal; xterm.js speaks xterm. */
const PTY_TERM = 'xterm-256color';

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const CONNECT_TIMEOUT_MS = 15_000;
const DEFAULT_COMMAND_TIMEOUT_MS = 60_000;
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
    const { label, address, port } = this.target;
    const sock = await this.openSocket();
    this.sock = sock;
    return new Promise<void>((resolve, reject) => {
      let hostKeyRejected = false;
      let hostKeyError: ClusterdeckError | undefined;
      let settled = false;
      const fail = (err: ClusterdeckError) => {
        if (settled) return;
        settled = true;
        this.client.end();
        sock.destroy();
        reject(err);
      };
      this.client
        .on('ready', () => {
          settled = true;
          resolve();
        })
        .on('error', (err: Error & { level?: string; code?: string }) => {
          if (!settled) {
            fail(hostKeyError ?? classifyConnectError(err, label, address, port, hostKeyRejected));
          }
        })
        .on('close', () => {
          this.closed = true;
          if (!settled) {
            fail(
              new ClusterdeckError(
                'unreachable',
                `${label} (${address}:${port}) closed the connection before login finished.`,
              ),
            );
          }
          for (const l of this.closeListeners) l();
        });
      const config: ConnectConfig = {
        sock,
        username: creds.user,
        readyTimeout: CONNECT_TIMEOUT_MS,
        keepaliveInterval: 10_000,
        keepaliveCountMax: 3,
        hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
          checkHostKey(key).then(
            (ok) => {
              hostKeyRejected = !ok;
              verify(ok);
            },
            (err: unknown) => {
              hostKeyRejected = true;
              if (err instanceof ClusterdeckError) hostKeyError = err;
              verify(false);
            },
          );
        },
      } as ConnectConfig;
      if (creds.privateKey) config.privateKey = creds.privateKey;
      if (creds.passphrase) config.passphrase = creds.passphrase;
      if (creds.password) config.password = creds.password;
      if (creds.agent) config.agent = creds.agent;
      try {
        this.client.connect(config);
      } catch (err) {
        // ssh2 throws synchronously for an unreadable or encrypted key.
        fail(
          new ClusterdeckError(
            'auth-failed',
            `Could not use the private key for ${label}: ${(err as Error).message}. Check the key file and its passphrase.`,
          ),
        );
      }
    });
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

  /** Opens an exec channel for a long-lived command (event streams, virsh shell). */
  openChannel(argv: readonly string[]): Promise<ClientChannel> {
    const command = quoteArgv(argv);
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(this.disconnectedError(command));
        return;
      }
      try {
        this.client.exec(command, (err, stream) => {
          if (err)
            reject(
              new ClusterdeckError(
                'command-failed',
                `${this.target.label}: could not start \`${command}\`: ${err.message}`,
              ),
            );
          else resolve(stream);
        });
      } catch (err) {
        reject(
          new ClusterdeckError('disconnected', `${this.target.label}: ${(err as Error).message}`),
        );
      }
    });
  }

  /**
   * An interactive channel on a pseudo-terminal: the user's login shell when
   * argv is undefined, else that command (`virsh console` needs a tty).
   */
  openPty(argv: readonly string[] | undefined, size: PtySize): Promise<ClientChannel> {
    const what = argv ? `\`${quoteArgv(argv)}\`` : 'a login shell';
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(this.disconnectedError(argv ? quoteArgv(argv) : 'a login shell'));
        return;
      }
      const pty = { term: PTY_TERM, cols: size.cols, rows: size.rows, width: 0, height: 0 };
      const done = (err: Error | undefined, stream: ClientChannel) => {
        if (err)
          reject(
            new ClusterdeckError(
              'command-failed',
              `${this.target.label}: could not start ${what}: ${err.message}`,
            ),
          );
        else resolve(stream);
      };
      try {
        if (argv) this.client.exec(quoteArgv(argv), { pty }, done);
        else this.client.shell(pty, done);
      } catch (err) {
        reject(
          new ClusterdeckError('disconnected', `${this.target.label}: ${(err as Error).message}`),
        );
      }
    });
  }

  /** A direct-tcpip channel to an address as the node sees it (its loopback included). */
  forwardOut(host: string, port: number): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(this.disconnectedError(`connect to ${host}:${port}`));
        return;
      }
      this.client.forwardOut('127.0.0.1', 0, host, port, (err, channel) => {
        if (err) {
          reject(
            new ClusterdeckError(
              'unreachable',
              `${this.target.label} could not open a tunnel to ${host}:${port}: ${err.message}.`,
            ),
          );
        } else resolve(channel);
      });
    });
  }

  /** An SFTP session on this connection (one channel; end it when done). */
  sftp(): Promise<SFTPWrapper> {
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(this.disconnectedError('sftp'));
        return;
      }
      this.client.sftp((err, sftp) => {
        if (err)
          reject(
            new ClusterdeckError(
              'command-failed',
              `${this.target.label} did not start SFTP: ${err.message}. Check its sshd's Subsystem sftp line.`,
            ),
          );
        else resolve(sftp);
      });
    });
  }

  /** A direct-streamlocal channel to a unix socket on the node (OpenSSH's extension). */
  forwardOutSocket(path: string): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(this.disconnectedError(`connect to ${path}`));
        return;
      }
      this.client.openssh_forwardOutStreamLocal(path, (err, channel) => {
        if (err) {
          reject(
            new ClusterdeckError(
              'unreachable',
              `${this.target.label} could not open a tunnel to the socket ${path}: ${err.message}. Check that its sshd allows stream-local forwarding (AllowStreamLocalForwarding).`,
            ),
          );
        } else resolve(channel);
      });
    });
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
      const started = Date.now();
      const record = (exitCode: number | null, stderr: string) =>
        opts.log?.({
          node: this.target.label,
          command: quoteArgv(argv),
          exitCode,
          stderr,
          durationMs: Date.now() - started,
          at: started,
        });
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

  /** Runs one command to completion. Never rejects for a non-zero exit: the caller decides. */
  async exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const command = quoteArgv(argv);
    const started = Date.now();
    const record = (code: number | null, stderr: string) =>
      opts.log?.({
        node: this.target.label,
        command,
        exitCode: code,
        stderr,
        durationMs: Date.now() - started,
        at: started,
      });
    if (opts.signal?.aborted) {
      record(null, 'cancelled before it started');
      throw new ClusterdeckError(
        'cancelled',
        `Cancelled before \`${command}\` ran on ${this.target.label}.`,
      );
    }
    let stream: ClientChannel;
    try {
      stream = await this.openChannel(argv);
    } catch (err) {
      record(null, (err as Error).message);
      throw err;
    }
    return new Promise<ExecResult>((resolve, reject) => {
      const out: Buffer[] = [];
      const errOut: Buffer[] = [];
      let code: number | null = null;
      let done = false;
      const timeoutMs = opts.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
      const finish = (err?: ClusterdeckError) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        unsubscribe();
        const stderr = Buffer.concat(errOut).toString('utf8');
        record(err ? null : code, err ? (stderr ? stderr + '\n' : '') + err.message : stderr);
        if (err) {
          stream.close();
          reject(err);
        } else {
          resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr });
        }
      };
      const onAbort = () =>
        finish(
          new ClusterdeckError('cancelled', `Cancelled \`${command}\` on ${this.target.label}.`),
        );
      const timer = setTimeout(
        () =>
          finish(
            new ClusterdeckError(
              'timeout',
              `\`${command}\` on ${this.target.label} did not finish within ${Math.round(timeoutMs / 1000)} s. Check the node's load, then try again.`,
            ),
          ),
        timeoutMs,
      );
      const unsubscribe = this.onClose(() => finish(this.disconnectedError(command)));
      opts.signal?.addEventListener('abort', onAbort);
      stream.on('data', (d: Buffer) => out.push(d));
      stream.stderr.on('data', (d: Buffer) => errOut.push(d));
      // 'close' alone may never come (docs/lab.md): the exit status plus the
      // end of stdout is enough to finish.
      let exited = false;
      let ended = false;
      const maybeFinish = () => {
        if (exited && ended) {
          stream.close();
          finish();
        }
      };
      stream.on('exit', (c: number | null) => {
        code = c;
        exited = true;
        maybeFinish();
      });
      stream.on('end', () => {
        ended = true;
        maybeFinish();
      });
      stream.on('close', () => {
        exited = true;
        ended = true;
        maybeFinish();
      });
      if (opts.stdin !== undefined) stream.end(opts.stdin);
      else stream.end();
    });
  }

  private disconnectedError(command: string): ClusterdeckError {
    const { label, address, port } = this.target;
    return new ClusterdeckError(
      'disconnected',
      `The connection to ${label} (${address}:${port}) was lost while running \`${command}\`. Clusterdeck reconnects by itself; run the action again once the node is connected.`,
    );
  }
}

function classifyConnectError(
  err: Error & { level?: string; code?: string },
  label: string,
  address: string,
  port: number,
  hostKeyRejected: boolean,
): ClusterdeckError {
  const where = `${label} (${address}:${port})`;
  if (hostKeyRejected) {
    return new ClusterdeckError(
      'host-key-changed',
      `The host key of ${where} does not match the trusted one, so Clusterdeck sent nothing to it. If the node was reinstalled, remove its old key from known_hosts and add it again; otherwise this may be a man-in-the-middle attack.`,
    );
  }
  if (err.level === 'client-authentication') {
    return new ClusterdeckError(
      'auth-failed',
      `${where} refused the login. Check the user name and that its key or password is authorised on the node.`,
    );
  }
  if (err.level === 'client-timeout') {
    return new ClusterdeckError(
      'unreachable',
      `${where} did not answer within ${CONNECT_TIMEOUT_MS / 1000} s. Check that the node is up and that SSH is reachable from here.`,
    );
  }
  switch (err.code) {
    case 'ECONNREFUSED':
      return new ClusterdeckError(
        'unreachable',
        `${where} refused the connection: no SSH server is listening there. Check the address and port, and that sshd runs on the node.`,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ClusterdeckError(
        'unreachable',
        `The address of ${label} (${address}) could not be resolved. Check its spelling or your DNS.`,
      );
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
      return new ClusterdeckError(
        'unreachable',
        `${where} cannot be reached from this machine (${err.code}). Check the network path to the node.`,
      );
    default:
      return new ClusterdeckError('unreachable', `Could not connect to ${where}: ${err.message}.`);
  }
}

/** Reads the host key a server presents, sending no credentials, then hangs up. */
/** Reads a node's host key and nothing else, directly or through a jump host's session. */
export async function probeHostKey(
  address: string,
  port: number,
  label = address,
  via?: SshSession,
): Promise<Buffer> {
  const sock = via ? await via.forwardOut(address, port) : netConnect({ host: address, port });
  return new Promise((resolve, reject) => {
    const client = new Client();
    let key: Buffer | undefined;
    client.on('error', (err: Error & { level?: string; code?: string }) => {
      client.end();
      sock.destroy();
      if (key) resolve(key);
      else reject(classifyConnectError(err, label, address, port, false));
    });
    client.on('close', () => {
      if (key) resolve(key);
    });
    client.connect({
      sock,
      username: 'clusterdeck-probe',
      readyTimeout: CONNECT_TIMEOUT_MS,
      hostVerifier: (k: Buffer) => {
        key = k;
        return false; // stop here: nothing beyond the key exchange happens
      },
    } as ConnectConfig);
  });
}
