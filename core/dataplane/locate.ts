// Where the data worker's script is: dist/workers/data-worker.cjs, a folder
// beside each bundle that starts it (the app's and the bench's under dist/),
// or under dist/ from the sources, for tests. Workers
// run JavaScript files only, so the sources need `npm run build` first.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const NAME = 'data-worker.cjs';

export function dataWorkerScript(): string {
  const candidates = [
    join(__dirname, '..', 'workers', NAME),
    join(__dirname, '..', '..', 'dist', 'workers', NAME),
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      `The data worker's script (${NAME}) is missing; looked in ${candidates.join(', ')}. Run npm run build.`,
    );
  }
  return found;
}
