// Logging in to a node: the host key is checked before any credential is
// sent, and a failed login says why (refused, unresolvable, unreachable, key
// changed, login refused) instead of ssh2's bare error. Also the probe that
// reads a node's host key alone, before the user has trusted it.
import { connect as netConnect, type Socket } from 'node:net';
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import { ClusterdeckError } from '../../shared/errors';

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

/** What a connection through a jump host needs of the jump host's session. */
export interface JumpTunnel {
  forwardOut(host: string, port: number): Promise<ClientChannel>;
}

const CONNECT_TIMEOUT_MS = 15_000;

/**
 * Logs `client` in over `sock` (our own TCP socket or a jump host's tunnel).
 * `onClose` runs when the connection closes, whether login finished or not.
 */
export function login(
  client: Client,
  sock: Socket | ClientChannel,
  target: SessionTarget,
  creds: Credentials,
  checkHostKey: HostKeyCheck,
  onClose: () => void,
): Promise<void> {
  const { label, address, port } = target;
  return new Promise<void>((resolve, reject) => {
    let hostKeyRejected = false;
    let hostKeyError: ClusterdeckError | undefined;
    let settled = false;
    const fail = (err: ClusterdeckError) => {
      if (settled) return;
      settled = true;
      client.end();
      sock.destroy();
      reject(err);
    };
    client
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
        if (!settled) {
          fail(
            new ClusterdeckError(
              'unreachable',
              `${label} (${address}:${port}) closed the connection before login finished.`,
            ),
          );
        }
        onClose();
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
      client.connect(config);
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

/**
 * Reads a node's host key and nothing else, directly or through a jump host's
 * session: no credentials are sent, and it hangs up after the key exchange.
 */
export async function probeHostKey(
  address: string,
  port: number,
  label = address,
  via?: JumpTunnel,
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
