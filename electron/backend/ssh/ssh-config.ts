// Host aliases from ~/.ssh/config, so a user's existing names work here.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { SshAlias } from '../../../shared/api';

export function parseSshConfig(text: string): SshAlias[] {
  const aliases: SshAlias[] = [];
  let current: SshAlias[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(\S+)\s*(?:=\s*|\s+)(.+)$/.exec(line);
    if (!m?.[1] || !m[2]) continue;
    const key = m[1].toLowerCase();
    const value = m[2].trim().replace(/^"(.*)"$/, '$1');
    if (key === 'host') {
      // Patterns (*, ?, !) are defaults for many hosts, not aliases to offer.
      current = value
        .split(/\s+/)
        .filter((a) => !/[*?!]/.test(a))
        .map((alias) => ({ alias, hostName: alias, port: 22 }));
      aliases.push(...current);
    } else if (key === 'match') {
      current = [];
    } else {
      for (const a of current) {
        if (key === 'hostname') a.hostName = value;
        else if (key === 'port') a.port = Number(value) || 22;
        else if (key === 'user') a.user = value;
        else if (key === 'identityfile' && !a.identityFile) a.identityFile = value;
      }
    }
  }
  return aliases;
}

export async function readSshAliases(
  file = join(homedir(), '.ssh', 'config'),
): Promise<SshAlias[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return parseSshConfig(text);
}

/** Expands a leading ~ the way ssh does for IdentityFile. */
export function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}
