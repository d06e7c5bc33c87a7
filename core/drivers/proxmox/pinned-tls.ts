// TLS to the node's API over a byte stream the SSH session opens (a
// direct-tcpip channel to 127.0.0.1:8006 as the node sees it), accepted only
// when the server's certificate is the one the node reported over SSH. No CA
// is consulted: a Proxmox node's certificate is signed by its own cluster's
// CA, which no desktop trusts, and the SSH host key the user accepted already
// vouches for the node that told us the fingerprint.
import { Agent, type RequestOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { ClusterdeckError } from '../../../shared/errors';
import { normalizeFingerprint } from './certificate';

/** Opens a fresh byte stream to the API port as the node sees it. */
export type OpenTunnel = () => Promise<Duplex>;

/** TLS over a new tunnel; resolves only once the peer's certificate matched the pin. */
export async function connectPinned(
  node: string,
  openTunnel: OpenTunnel,
  fingerprint: string,
): Promise<TLSSocket> {
  const expected = normalizeFingerprint(fingerprint);
  const raw = await openTunnel();
  return new Promise<TLSSocket>((resolve, reject) => {
    // rejectUnauthorized off: the pin below is the whole check, made
    // before a single byte of a request (and so the token) is written.
    const sock = tlsConnect({ socket: raw, rejectUnauthorized: false });
    sock.once('close', () => raw.destroy());
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      sock.destroy();
      raw.destroy();
      reject(err);
    };
    // Stays for the socket's life: a second error while it is torn down (or
    // once the HTTP client has its own listeners) must not go uncaught.
    sock.on('error', (err: Error & { code?: string; reason?: string }) =>
      fail(
        new ClusterdeckError(
          'unreachable',
          `${node}: the TLS connection to its Proxmox API (127.0.0.1:8006 on the node) failed: ${tlsReason(err)}. Check that pveproxy runs there (systemctl status pveproxy).`,
        ),
      ),
    );
    sock.once('secureConnect', () => {
      const raw256 = sock.getPeerCertificate()?.fingerprint256;
      const got = raw256 ? normalizeFingerprint(raw256) : '';
      if (got !== expected) {
        fail(
          new ClusterdeckError(
            'host-key-mismatch',
            `${node}'s Proxmox API presents the certificate ${got || '(none)'}, not ${expected}, the one the node reports for itself over SSH. Nothing was sent. Check the node's certificates (pvenode cert info) before connecting again.`,
          ),
        );
        return;
      }
      settled = true;
      resolve(sock);
    });
  });
}

/** OpenSSL's reason in words, without its internal error string. */
function tlsReason(err: Error & { code?: string; reason?: string }): string {
  if (err.code === 'ERR_SSL_WRONG_VERSION_NUMBER')
    return 'what answers on that port does not speak TLS';
  return err.reason ?? err.message;
}

/**
 * An HTTPS agent whose every connection is a pinned TLS session over a new
 * tunnel; idle ones are kept for the next request (keep-alive), so the
 * regular reads pay for no new channel or handshake.
 */
export class PinnedTunnelAgent extends Agent {
  constructor(private readonly connect: () => Promise<TLSSocket>) {
    // Idle connections go after 15 s; a busy node gets at most 4 at once,
    // and as many are kept: a refresh's three parallel reads (status, HA,
    // resources) then find theirs open instead of a new tunnel and TLS
    // handshake for the third (measured by `npm run bench`'s pve part).
    super({ keepAlive: true, maxSockets: 4, maxFreeSockets: 4, timeout: 15_000 });
  }

  override createConnection(
    _options: RequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    this.connect().then(
      (sock) => callback?.(null, sock),
      (err: Error) => callback?.(err, undefined as unknown as Duplex),
    );
    return undefined;
  }
}
