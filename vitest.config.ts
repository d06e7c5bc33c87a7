import { defineConfig } from 'vitest/config';
import { LabSequencer } from './test/lab-sequencer';

// Every result and inventory patch is checked against the contract's
// schemas (core/contract-checks.ts) in both projects, so each lab test checks
// real node data; child processes (the browser shell of the e2e tests) inherit it.
const env = { CLUSTERDECK_CHECK_RESULTS: '1' };

// Two projects: fast unit tests beside the code, and the lab suites
// (integration + end to end) that run one at a time against real nodes.
export default defineConfig({
  test: {
    env,
    // The Ganeti lab suites last, once the lab the global setup started in the background is up.
    sequence: { sequencer: LabSequencer },
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'core/**/*.test.ts',
            'shells/**/*.test.ts',
            'shared/**/*.test.ts',
            'renderer/**/*.test.ts',
            'eslint-rules/**/*.test.ts',
          ],
          environment: 'node',
          env,
        },
      },
      {
        test: {
          name: 'lab',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          globalSetup: ['test/lab-global-setup.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 180_000,
          env,
        },
      },
    ],
  },
});
