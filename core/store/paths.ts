// Where Clusterdeck keeps its data: CLUSTERDECK_HOME when set, else the OS's
// per-user application data folder (the same one Electron's userData uses).
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['CLUSTERDECK_HOME']) return env['CLUSTERDECK_HOME'];
  if (process.platform === 'win32')
    return join(env['APPDATA'] ?? join(homedir(), 'AppData', 'Roaming'), 'Clusterdeck');
  if (process.platform === 'darwin')
    return join(homedir(), 'Library', 'Application Support', 'Clusterdeck');
  return join(env['XDG_CONFIG_HOME'] ?? join(homedir(), '.config'), 'Clusterdeck');
}
