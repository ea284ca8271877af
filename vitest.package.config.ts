// `npm run test:package`: the host built from the packed tarball (test/package/), in its own pass: it installs from
// the npm registry and needs PostgreSQL and Redis. .ci/run runs it after the suite.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/package/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
