// What the API needs before its first call, got over SSH at connect: the
// certificate's fingerprint the node reports (pinned by the client) and
// Clusterdeck's API token. A token whose secret the app's secret store holds
// (this node's, or another node's of the same cluster: tokens are
// cluster-wide) is reused once the API accepts it; otherwise one is made with
// `pveum user token add`. The secret goes from pveum's stdout to the secret
// store and the client: it is never logged (these commands get no log) and
// never reaches the renderer.
import { ClusterdeckError } from '../../../shared/errors';
import type { ExecOptions, ExecResult } from '../../ssh/session';
import type { DriverSecrets } from '../registry';
import type { PveApiToken } from './api-client';
import { CERT_FINGERPRINT_ARGV, parseCertFingerprint } from './certificate';
import {
  parseTokenAdd,
  TOKEN_USER,
  tokenAddArgv,
  tokenDeleteArgv,
  tokenExists,
  tokenName,
} from './token';

/** The name a token's secret is kept under in the secret store. */
export const TOKEN_SECRET_NAME = 'proxmox-api-token';

/** What bootstrap needs of the node's SSH session. */
export interface BootstrapSession {
  readonly target: { label: string };
  exec(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
}

const TIMEOUT_MS = 60_000;

export async function readFingerprint(session: BootstrapSession): Promise<string> {
  const r = await session.exec(CERT_FINGERPRINT_ARGV, { timeoutMs: TIMEOUT_MS });
  if (r.code !== 0)
    throw new ClusterdeckError(
      'command-failed',
      `${session.target.label}: could not read the API's certificate in /etc/pve/local: ${r.stderr.trim() || `exit ${r.code}`}`,
    );
  return parseCertFingerprint(r.stdout);
}

/**
 * Clusterdeck's token on the node. `accepts` asks the API whether a token
 * works (false only when the API refused it; other failures reject).
 */
export async function obtainToken(
  session: BootstrapSession,
  secrets: DriverSecrets,
  accepts: (token: PveApiToken) => Promise<boolean>,
): Promise<PveApiToken> {
  const name = tokenName(await secrets.installationId());
  const tokenId = `${TOKEN_USER}!${name}`;
  const saved = secrets.candidates(TOKEN_SECRET_NAME);
  for (const [i, secret] of saved.entries()) {
    const token = { tokenId, secret };
    if (!(await accepts(token))) continue;
    // Another node's secret that works here: this node keeps it too.
    if (i > 0) await secrets.save(TOKEN_SECRET_NAME, secret);
    return token;
  }
  const label = session.target.label;
  let r = await session.exec(tokenAddArgv(name), { timeoutMs: TIMEOUT_MS });
  if (r.code !== 0 && tokenExists(r.stderr)) {
    // Its secret is lost (another machine's keyring, a session-only store):
    // a secret cannot be read back, so the token is made again.
    const del = await session.exec(tokenDeleteArgv(name), { timeoutMs: TIMEOUT_MS });
    if (del.code !== 0) throw pveumFailed(label, name, del.stderr, del.code);
    r = await session.exec(tokenAddArgv(name), { timeoutMs: TIMEOUT_MS });
  }
  if (r.code !== 0) throw pveumFailed(label, name, r.stderr, r.code);
  let token: PveApiToken;
  try {
    token = parseTokenAdd(r.stdout, name);
  } catch (err) {
    throw new ClusterdeckError('command-failed', `${label}: ${(err as Error).message}`);
  }
  await secrets.save(TOKEN_SECRET_NAME, token.secret);
  return token;
}

function pveumFailed(label: string, name: string, stderr: string, code: number | null) {
  const why = stderr.trim() || `exit ${code}`;
  const perm = /permission|not allowed|must be root/i.test(why)
    ? ' Clusterdeck makes its API token as root@pam: log in to the node as root.'
    : '';
  return new ClusterdeckError(
    'command-failed',
    `${label}: \`pveum user token add ${TOKEN_USER} ${name}\` failed: ${why}.${perm}`,
  );
}
