// `npm run serve`: the app as the browser shell, for headless use and tests.
import { join } from 'node:path';
import { Backend } from '../../core/backend';
import { NO_PERSISTENT_SECRETS } from '../../core/store/secrets';
import { lockDataDir } from '../../core/store/instance-lock';
import { defaultDataDir } from '../../core/store/paths';
import { startBrowserShell } from './browser-shell';

async function main(): Promise<void> {
  const dataDir = defaultDataDir();
  // One instance per data folder; throws with a sentence naming the other one.
  lockDataDir(dataDir);
  const backend = await Backend.start({ dataDir, secretBox: NO_PERSISTENT_SECRETS });
  const port = process.env['CLUSTERDECK_PORT'] ? Number(process.env['CLUSTERDECK_PORT']) : 0;
  const shell = await startBrowserShell({
    backend,
    staticDir: join(__dirname, '..', 'renderer'),
    port,
  });
  const stop = () => {
    backend.close();
    void shell.close().then(() => process.exit(0));
  };
  // Before the URL is printed: whoever reads it may stop us at once, and a
  // signal without a handler would kill the process without releasing the lock.
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.stdout.write(`Clusterdeck UI: ${shell.url}\n`);
  process.stderr.write(`Data folder: ${dataDir}. Press Ctrl+C to stop.\n`);
  // Also shown in the page; said here for whoever only reads the terminal.
  for (const n of backend.startupNotices) process.stderr.write(`${n}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`Clusterdeck could not start: ${(err as Error).message}\n`);
  process.exit(1);
});
