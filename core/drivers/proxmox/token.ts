// Clusterdeck's API token on a Proxmox VE node, made over SSH at the first
// connect (pveum(1), "pveum user token add"): one token per Clusterdeck
// installation, for root@pam without privilege separation, so the token can
// do what the SSH login (root) can, and no more. Its secret is printed once
// by Proxmox and kept in the app's secret store, never shown or logged.
import type { PveApiToken } from './api-client';

export const TOKEN_USER = 'root@pam';
/** Proxmox's pattern for a token's name (pveum: `<tokenid>`). */
const TOKEN_NAME = /^[A-Za-z][A-Za-z0-9.\-_]+$/;

/** The token's name for one Clusterdeck installation: `clusterdeck-<id>`. */
export function tokenName(installationId: string): string {
  const name = `clusterdeck-${installationId}`;
  if (!/^[A-Za-z0-9._-]{1,40}$/.test(installationId) || !TOKEN_NAME.test(name))
    throw new Error(`Not usable in a Proxmox token name: ${JSON.stringify(installationId)}`);
  return name;
}

/**
 * Makes the token and prints it as JSON (`--output-format json`): the API's
 * answer `{"full-tokenid", "info", "value"}`. `--privsep 0`: the token has
 * root@pam's own privileges (with privsep it would have none until ACLs
 * are granted to it). The comment tells an administrator whose it is.
 */
export function tokenAddArgv(name: string): string[] {
  return [
    'pveum',
    'user',
    'token',
    'add',
    TOKEN_USER,
    checkName(name),
    '--privsep',
    '0',
    '--comment',
    'Clusterdeck desktop app',
    '--output-format',
    'json',
  ];
}

/** Removes the token (a lost secret cannot be read back: it is made again). */
export function tokenDeleteArgv(name: string): string[] {
  return ['pveum', 'user', 'token', 'delete', TOKEN_USER, checkName(name)];
}

function checkName(name: string): string {
  if (!TOKEN_NAME.test(name)) throw new Error(`Not a Proxmox token name: ${JSON.stringify(name)}`);
  return name;
}

/** Whether `token add` failed only because a token of that name exists already. */
export function tokenExists(stderr: string): boolean {
  return /already exists/i.test(stderr);
}

/**
 * The token from `token add`'s JSON. Never echoes the output in an error:
 * it holds the secret.
 */
export function parseTokenAdd(stdout: string, name: string): PveApiToken {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    throw new Error(`pveum printed no JSON for the token ${name}.`);
  }
  const p = parsed as { 'full-tokenid'?: unknown; value?: unknown };
  const tokenId = p['full-tokenid'];
  const secret = p.value;
  if (typeof tokenId !== 'string' || typeof secret !== 'string' || !secret)
    throw new Error(`pveum's answer for the token ${name} has no full-tokenid or value.`);
  if (tokenId !== `${TOKEN_USER}!${name}`)
    throw new Error(`pveum made the token ${tokenId}, not ${TOKEN_USER}!${name}.`);
  return { tokenId, secret };
}
