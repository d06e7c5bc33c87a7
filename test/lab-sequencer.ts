// The order of the test files: vitest's own (failed first, then the slowest),
// except that the Ganeti lab suites run last, so the Ganeti lab the global
// setup brings up in the background (lab-global-setup.ts) is ready when they
// start instead of them waiting for it.
import { readFileSync } from 'node:fs';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** A suite of the Ganeti lab: it imports test/ganeti-lab.ts. */
export function usesGanetiLab(file: string): boolean {
  return /from '\.\.\/ganeti-lab'/.test(readFileSync(file, 'utf8'));
}

export class LabSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const last = new Set(sorted.filter((s) => usesGanetiLab(s.moduleId)));
    return [...sorted.filter((s) => !last.has(s)), ...last];
  }
}
