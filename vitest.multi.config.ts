// `npm run test:multi`: the example in production mode as two processes (examples/basic/multi-process.test.ts) and
// as two instances in one process (production.test.ts), on PostgreSQL and Redis. The two-process test starts real
// servers and takes about a minute, so it is not in `npm test`; .ci/run runs this pass with 1,000 logins.
import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

// Not mergeConfig: it would concatenate `include` with the suite's and run everything again.
export default defineConfig({
  resolve: base.resolve,
  test: {
    include: ['examples/basic/production.test.ts', 'examples/basic/multi-process.test.ts'],
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
