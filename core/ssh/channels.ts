// The channels one logged-in ssh2 client opens, each with an error that names
// the node and what to check: an exec channel for a long-lived command, a
// pseudo-terminal, tunnels to a TCP port or a unix socket as the node sees
// them, and SFTP. The session checks it is still connected before each.
import type { Client, ClientChannel, SFTPWrapper } from 'ssh2';
import { ClusterdeckError } from '../../shared/errors';
import { quoteArgv } from './quote';

/** A terminal's size in character cells. */
export interface PtySize {
  cols: number;
  rows: number;
}

/** What the remote side is told about our terminal; xterm.js speaks xterm. */
const PTY_TERM = 'xterm-256color';

/**
 * Exit statuses that came before anyone listened. ssh2 calls exec's callback
 * on the channel's confirmation and goes on reading the same chunk: a fast
 * command's exit-status can be emitted before the caller, resumed a microtask
 * later, adds its 'exit' listener (stdout is buffered by the stream; the exit
 * event is not). Seen as a null code on ~5-10% of fast commands.
 */
const earlyExits = new WeakMap<ClientChannel, { code: number | null }>();

/** The channel's exit status if it came before the caller listened; undefined otherwise. */
export function exitBeforeListening(channel: ClientChannel): { code: number | null } | undefined {
  return earlyExits.get(channel);
}

/** Opens an exec channel for a long-lived command (event streams, virsh shell). */
export function openExecChannel(
  client: Client,
  label: string,
  argv: readonly string[],
): Promise<ClientChannel> {
  const command = quoteArgv(argv);
  return new Promise((resolve, reject) => {
    try {
      client.exec(command, (err, stream) => {
        if (err)
          reject(
            new ClusterdeckError(
              'command-failed',
              `${label}: could not start \`${command}\`: ${err.message}`,
            ),
          );
        else {
          stream.once('exit', (code: number | null) => earlyExits.set(stream, { code }));
          resolve(stream);
        }
      });
    } catch (err) {
      reject(new ClusterdeckError('disconnected', `${label}: ${(err as Error).message}`));
    }
  });
}

/**
 * An interactive channel on a pseudo-terminal: the user's login shell when
 * argv is undefined, else that command (`virsh console` needs a tty).
 */
export function openPtyChannel(
  client: Client,
  label: string,
  argv: readonly string[] | undefined,
  size: PtySize,
): Promise<ClientChannel> {
  const what = argv ? `\`${quoteArgv(argv)}\`` : 'a login shell';
  return new Promise((resolve, reject) => {
    const pty = { term: PTY_TERM, cols: size.cols, rows: size.rows, width: 0, height: 0 };
    const done = (err: Error | undefined, stream: ClientChannel) => {
      if (err)
        reject(
          new ClusterdeckError(
            'command-failed',
            `${label}: could not start ${what}: ${err.message}`,
          ),
        );
      else resolve(stream);
    };
    try {
      if (argv) client.exec(quoteArgv(argv), { pty }, done);
      else client.shell(pty, done);
    } catch (err) {
      reject(new ClusterdeckError('disconnected', `${label}: ${(err as Error).message}`));
    }
  });
}

/** A direct-tcpip channel to an address as the node sees it (its loopback included). */
export function openTcpTunnel(
  client: Client,
  label: string,
  host: string,
  port: number,
): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    client.forwardOut('127.0.0.1', 0, host, port, (err, channel) => {
      if (err) {
        reject(
          new ClusterdeckError(
            'unreachable',
            `${label} could not open a tunnel to ${host}:${port}: ${err.message}.`,
          ),
        );
      } else resolve(channel);
    });
  });
}

/** An SFTP session on this connection (one channel; end it when done). */
export function openSftp(client: Client, label: string): Promise<SFTPWrapper> {
  return new Promise((resolve, reject) => {
    client.sftp((err, sftp) => {
      if (err)
        reject(
          new ClusterdeckError(
            'command-failed',
            `${label} did not start SFTP: ${err.message}. Check its sshd's Subsystem sftp line.`,
          ),
        );
      else resolve(sftp);
    });
  });
}

/** A direct-streamlocal channel to a unix socket on the node (OpenSSH's extension). */
export function openSocketTunnel(
  client: Client,
  label: string,
  path: string,
): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    client.openssh_forwardOutStreamLocal(path, (err, channel) => {
      if (err) {
        reject(
          new ClusterdeckError(
            'unreachable',
            `${label} could not open a tunnel to the socket ${path}: ${err.message}. Check that its sshd allows stream-local forwarding (AllowStreamLocalForwarding).`,
          ),
        );
      } else resolve(channel);
    });
  });
}
