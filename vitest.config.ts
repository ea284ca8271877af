import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    // Each file gets its own database; files run in parallel on the machine's cores.
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
