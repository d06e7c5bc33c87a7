import { defineConfig } from 'vitest/config';

// Every result and inventory patch is checked against the contract's
// schemas (core/contract-checks.ts) in every project, so each lab test checks
// real node data; child processes (the browser shell of the e2e tests) inherit it.
const env = { CLUSTERDECK_CHECK_RESULTS: '1' };

// The suites of one lab run one file at a time (they share its nodes); the
// labs of different stacks share nothing, so `npm test` runs their projects
// side by side as separate vitest processes (scripts/test-suites.mjs): unit +
// libvirt (`lab`), Ganeti (`ganeti`, files named ganeti*) and Pacemaker HA
// (`ha`, files named ha-*), and the Proxmox lab (`pve`, files named pve-lab*).
const stackFiles = ['test/**/ganeti*.test.ts', 'test/**/ha-*.test.ts', 'test/**/pve-lab*.test.ts'];
const labSuites = {
  fileParallelism: false,
  testTimeout: 60_000,
  hookTimeout: 180_000,
  env,
};

export default defineConfig({
  test: {
    env,
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
            // the Proxmox VE API simulator: test infrastructure with its own unit tests
            'test/pve-sim/**/*.test.ts',
            // the Proxmox lab's command stand-ins (their parsing and output)
            'test/pve-lab/**/*.test.ts',
            // the Proxmox VE driver against that simulator (no lab needed)
            'test/proxmox/**/*.test.ts',
          ],
          environment: 'node',
          env,
          // Some of these start processes or the Proxmox simulator's nodes;
          // beside three lab suites on two cores they took over vitest's 5 s
          // default. A hang still fails.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'lab',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          exclude: stackFiles,
          globalSetup: ['test/lab-global-setup.ts'],
          ...labSuites,
        },
      },
      {
        test: {
          name: 'ganeti',
          include: ['test/**/ganeti*.test.ts'],
          globalSetup: ['test/ganeti-global-setup.ts'],
          ...labSuites,
        },
      },
      {
        test: { name: 'ha', include: ['test/**/ha-*.test.ts'], ...labSuites },
      },
      {
        test: { name: 'pve', include: ['test/**/pve-lab*.test.ts'], ...labSuites },
      },
    ],
  },
});
