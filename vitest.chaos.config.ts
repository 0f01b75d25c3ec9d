import { defineConfig } from 'vitest/config';

/**
 * `npm run chaos`: the full fault-injection suite (chaos/*.chaos.test.ts). Same template database
 * as the tests; chaos/reliability-report.ts collects each scenario's figures and writes
 * RELIABILITY.md when the run ends. One file at a time: the scenarios time faults and restarts,
 * and two cores are shared.
 */
export default defineConfig({
  test: {
    include: ['chaos/**/*.chaos.test.ts'],
    globalSetup: ['test/global-setup.ts', 'chaos/reliability-report.ts'],
    pool: 'forks',
    testTimeout: 900_000,
    hookTimeout: 120_000,
    maxWorkers: 1,
    fileParallelism: false,
  },
});
