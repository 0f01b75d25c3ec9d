import { defineConfig } from 'vitest/config';

/** Benchmarks that print numbers (`vitest run -c vitest.bench.config.ts`); not part of the test run. */
export default defineConfig({
  test: {
    include: ['bench/**/*.bench.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    testTimeout: 600_000, // 10 minutes: seeding 100k tickets on two cores
    hookTimeout: 600_000,
    maxWorkers: 1,
  },
});
