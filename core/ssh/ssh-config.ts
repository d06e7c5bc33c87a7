// ~/.ssh/config as OpenSSH reads it, for the directives Clusterdeck honours:
// Host (patterns with * ? and !), HostName, Port, User, IdentityFile (the
// first one), ProxyJump, and Include (globs; relative paths are taken from
// the folder of the config file, ~/.ssh for the user's). For each directive
// the first value that applies to a host wins, as in OpenSSH. Match blocks
// and every other directive (HostKeyAlias, ProxyCommand, …) are ignored.
import { readdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import type { SshAlias } from '../../shared/api';

const HONOURED = new Set(['hostname', 'port', 'user', 'identityfile', 'proxyjump']);
/** OpenSSH's own limit on nested Include. */
const MAX_INCLUDE_DEPTH = 16;

/** One honoured directive, with the Host patterns of the block it sits in. */
interface Entry {
  patterns: readonly string[];
  key: string;
  value: string;
}

export interface SshConfig {
  entries: Entry[];
  /** Concrete names on Host lines (no wildcards), in file order. */
  names: string[];
}

export type ReadText = (file: string) => Promise<string | undefined>;

const readText: ReadText = (file) => readFile(file, 'utf8').catch(() => undefined);

/** Expands a leading ~ the way ssh does for IdentityFile. */
export function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}

function globToRegExp(glob: string): RegExp {
  const re = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`);
}

/** OpenSSH host pattern lists: a negated pattern that matches wins over everything. */
export function hostMatches(patterns: readonly string[], name: string): boolean {
  let matched = false;
  for (const p of patterns) {
    const lower = name.toLowerCase();
    if (p.startsWith('!')) {
      if (globToRegExp(p.slice(1).toLowerCase()).test(lower)) return false;
    } else if (globToRegExp(p.toLowerCase()).test(lower)) matched = true;
  }
  return matched;
}

/** The files an Include pattern names, sorted as OpenSSH's glob sorts them. */
async function expandInclude(pattern: string, baseDir: string): Promise<string[]> {
  const full = expandHome(pattern);
  const path = isAbsolute(full) ? full : join(baseDir, full);
  // Wildcards may sit in any component; expand them one folder at a time.
  let found = [path.startsWith('/') ? '/' : ''];
  for (const part of path.split('/').filter(Boolean)) {
    const next: string[] = [];
    for (const dir of found) {
      if (!/[*?]/.test(part)) {
        next.push(join(dir, part));
        continue;
      }
      const re = globToRegExp(part);
      const names = await readdir(dir).catch(() => [] as string[]);
      for (const n of names.sort()) if (!n.startsWith('.') && re.test(n)) next.push(join(dir, n));
    }
    found = next;
  }
  return found;
}

async function parseInto(
  config: SshConfig,
  text: string,
  baseDir: string,
  start: readonly string[],
  depth: number,
  read: ReadText,
): Promise<void> {
  // The block the lines belong to; an included file starts in its includer's.
  let patterns: readonly string[] | undefined = start;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(\S+?)\s*(?:=\s*|\s+)(.+)$/.exec(line);
    if (!m?.[1] || !m[2]) continue;
    const key = m[1].toLowerCase();
    const value = m[2].trim().replace(/^"(.*)"$/, '$1');
    if (key === 'host') {
      patterns = value.split(/\s+/);
      for (const p of patterns) if (!/[*?!]/.test(p)) config.names.push(p);
    } else if (key === 'match') {
      patterns = undefined; // Match conditions are not evaluated: its lines apply to nothing
    } else if (key === 'include') {
      if (depth >= MAX_INCLUDE_DEPTH || !patterns) continue;
      for (const pattern of value.split(/\s+/)) {
        for (const file of await expandInclude(pattern, baseDir)) {
          const inner = await read(file);
          if (inner !== undefined)
            await parseInto(config, inner, baseDir, patterns, depth + 1, read);
        }
      }
    } else if (patterns && HONOURED.has(key)) {
      config.entries.push({ patterns, key, value });
    }
  }
}

/** Parses a config text; Include paths are read relative to baseDir. */
export async function parseSshConfig(
  text: string,
  baseDir = join(homedir(), '.ssh'),
  read: ReadText = readText,
): Promise<SshConfig> {
  const config: SshConfig = { entries: [], names: [] };
  // Lines before the first Host line apply to every host.
  await parseInto(config, text, baseDir, ['*'], 0, read);
  return config;
}

export const USER_SSH_CONFIG = join(homedir(), '.ssh', 'config');

export async function readSshConfig(file = USER_SSH_CONFIG): Promise<SshConfig> {
  return parseSshConfig((await readText(file)) ?? '', dirname(file));
}

export interface HostOptions {
  hostName: string;
  port: number;
  user?: string;
  identityFile?: string;
  proxyJump?: string;
}

/** What the config says for one host name: first value per directive wins. */
export function lookupHost(config: SshConfig, name: string): HostOptions {
  const got = new Map<string, string>();
  for (const e of config.entries) {
    if (!got.has(e.key) && hostMatches(e.patterns, name)) got.set(e.key, e.value);
  }
  const opts: HostOptions = {
    hostName: (got.get('hostname') ?? name).replace(/%h/g, name),
    port: Number(got.get('port')) || 22,
  };
  const user = got.get('user');
  if (user) opts.user = user;
  const identityFile = got.get('identityfile');
  if (identityFile && identityFile.toLowerCase() !== 'none') opts.identityFile = identityFile;
  const jump = got.get('proxyjump');
  if (jump && jump.toLowerCase() !== 'none') opts.proxyJump = jump;
  return opts;
}

/** The Host names to offer in Add Host, each with what the config says for it. */
export function sshAliases(config: SshConfig): SshAlias[] {
  return [...new Set(config.names)].map((alias) => ({ alias, ...lookupHost(config, alias) }));
}

export async function readSshAliases(file = USER_SSH_CONFIG): Promise<SshAlias[]> {
  return sshAliases(await readSshConfig(file));
}
