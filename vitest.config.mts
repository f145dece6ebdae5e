import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Most tests wait on the sandbox's network, not the CPU: two workers on CI's two cores
    // halve the run (4m47 s against 9m48 s for the whole suite here).
    maxWorkers: 2,
    reporters: ['default'],
  },
});
