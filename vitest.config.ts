import { defineConfig } from 'vitest/config';

// Two projects: fast unit tests beside the code, and the lab suites
// (integration + end to end) that run one at a time against real nodes.
export default defineConfig({
  test: {
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
        },
      },
    ],
  },
});
