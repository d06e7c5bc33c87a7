// ProxyJump: reaching a node through jump hosts, as `ssh -J` does. Each jump
// host is looked up in ~/.ssh/config for its own HostName, Port, User and
// IdentityFile; its host key must be trusted (known_hosts) like any node's;
// each hop runs in a tunnel of the one before.
import { access, readFile } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { ClusterdeckError } from '../../shared/errors';
import { sha256Fingerprint } from './fingerprint';
import { revokedKeyError, type KnownHosts } from './known-hosts';
import { SshSession, type Credentials } from './session';
import { expandHome, lookupHost, readSshConfig, type SshConfig } from './ssh-config';

export interface JumpHop {
  /** As written in ProxyJump: an alias or an address. */
  name: string;
  user?: string;
  port?: number;
}

/** Splits a ProxyJump value into hops: [user@]host[:port] or [user@][v6]:port. */
export function parseProxyJump(spec: string): JumpHop[] {
  return spec.split(',').map((raw) => {
    const m = /^(?:([^@\s]+)@)?(\[[^\]]+\]|[^:@\s]+)(?::(\d+))?$/.exec(raw.trim());
    if (!m?.[2]) {
      throw new ClusterdeckError(
        'invalid-input',
        `The jump host “${raw}” is not [user@]host[:port].`,
      );
    }
    const hop: JumpHop = { name: m[2].replace(/^\[(.*)\]$/, '$1') };
    if (m[1]) hop.user = m[1];
    if (m[3]) hop.port = Number(m[3]);
    return hop;
  });
}

export interface ResolvedHop {
  name: string;
  address: string;
  port: number;
  user?: string;
  identityFile?: string;
}

/** How deep a jump host's own ProxyJump may lead (a loop stops here). */
const MAX_JUMP_DEPTH = 8;

/**
 * The hops in the order they are connected, each with what ~/.ssh/config
 * says for it. As with `ssh -J a,b`, the first hop's own ProxyJump (if its
 * block has one) comes before it; the later hops are reached through the
 * list itself.
 */
export function resolveJumpChain(spec: string, config: SshConfig, depth = 0): ResolvedHop[] {
  if (depth > MAX_JUMP_DEPTH)
    throw new ClusterdeckError(
      'invalid-input',
      `The jump hosts in ~/.ssh/config lead more than ${MAX_JUMP_DEPTH} deep (a ProxyJump loop?).`,
    );
  const chain: ResolvedHop[] = [];
  parseProxyJump(spec).forEach((hop, i) => {
    const o = lookupHost(config, hop.name);
    if (i === 0 && o.proxyJump) chain.push(...resolveJumpChain(o.proxyJump, config, depth + 1));
    const user = hop.user ?? o.user;
    chain.push({
      name: hop.name,
      address: o.hostName,
      port: hop.port ?? o.port,
      ...(user ? { user } : {}),
      ...(o.identityFile ? { identityFile: o.identityFile } : {}),
    });
  });
  return chain;
}

/** The keys ssh tries when a host names no IdentityFile. */
const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

async function jumpCredentials(user: string, identityFile: string | undefined, label: string) {
  const creds: Credentials = { user };
  if (identityFile) {
    const path = expandHome(identityFile);
    try {
      creds.privateKey = await readFile(path);
    } catch (err) {
      throw new ClusterdeckError(
        'auth-failed',
        `Cannot read the key file ${path} that ~/.ssh/config names for the ${label} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`,
      );
    }
    return creds;
  }
  const agent = process.env['SSH_AUTH_SOCK'];
  if (agent) {
    creds.agent = agent;
    return creds;
  }
  for (const name of DEFAULT_KEYS) {
    const path = join(homedir(), '.ssh', name);
    if (
      await access(path).then(
        () => true,
        () => false,
      )
    ) {
      creds.privateKey = await readFile(path);
      return creds;
    }
  }
  throw new ClusterdeckError(
    'auth-failed',
    `No way to log in to the ${label}: ~/.ssh/config names no IdentityFile for it, no ssh-agent is running, and there is no ~/.ssh/id_ed25519, id_ecdsa or id_rsa.`,
  );
}

export class JumpHosts {
  constructor(
    private readonly knownHosts: KnownHosts,
    /** The user's ~/.ssh/config (another file in tests). */
    private readonly configFile?: string,
  ) {}

  /**
   * Opens the jump hosts of a ProxyJump value in order; the returned session
   * is the last one, through which the node itself is reached. Closing it
   * closes the whole chain.
   */
  async open(spec: string): Promise<SshSession> {
    const config = await readSshConfig(this.configFile);
    let via: SshSession | undefined;
    for (const hop of resolveJumpChain(spec, config)) {
      const { address, port } = hop;
      const label = `jump host ${hop.name}`;
      const where = `${label} (${address}:${port})`;
      const creds = await jumpCredentials(
        hop.user ?? userInfo().username,
        hop.identityFile,
        label,
      ).catch((err: unknown) => {
        via?.close();
        throw err;
      });
      via = await SshSession.open(
        { label, address, port },
        creds,
        async (key) => {
          const v = await this.knownHosts.check(address, port, key);
          if (v.status === 'known') return true;
          if (v.status === 'revoked') throw revokedKeyError(where, v.fingerprint);
          if (v.status === 'changed')
            throw new ClusterdeckError(
              'host-key-changed',
              `The host key of the ${where} changed (now ${sha256Fingerprint(key)}, trusted ${v.knownFingerprint}), so Clusterdeck sent nothing to it.`,
            );
          // Not final: once the user trusts it, the next retry gets through.
          throw new ClusterdeckError(
            'unreachable',
            `The host key of the ${where} (${sha256Fingerprint(key)}) is not in known_hosts, so Clusterdeck sent nothing to it. Log in to it once with ssh to trust it, then try again.`,
          );
        },
        via,
      );
    }
    if (!via) throw new ClusterdeckError('invalid-input', 'The jump host list is empty.');
    return via;
  }
}
