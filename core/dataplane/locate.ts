// Where the data worker's script is: beside the bundle that starts it
// (dist/electron/data-worker.cjs, next to main.cjs and serve.cjs), or in
// dist/ for the bench's bundle and for tests run from the sources. Workers
// run JavaScript files only, so the sources need `npm run build` first.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const NAME = 'data-worker.cjs';

export function dataWorkerScript(): string {
  const candidates = [
    join(__dirname, NAME),
    join(__dirname, '..', 'electron', NAME),
    join(__dirname, '..', '..', 'dist', 'electron', NAME),
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      `The data worker's script (${NAME}) is missing; looked in ${candidates.join(', ')}. Run npm run build.`,
    );
  }
  return found;
}
