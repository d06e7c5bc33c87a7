// A child process for instance-lock.test.ts: takes the data folder's lock,
// says whether it got it, and holds it for a moment.
import { DataDirInUseError, lockDataDir } from './instance-lock';

const dir = process.argv[2];
if (dir && process.argv[1]?.includes('instance-lock-child')) {
  try {
    lockDataDir(dir);
    process.stdout.write('got\n');
    setTimeout(() => process.exit(0), 500);
  } catch (err) {
    process.stdout.write(err instanceof DataDirInUseError ? 'refused\n' : `error ${String(err)}\n`);
  }
}
