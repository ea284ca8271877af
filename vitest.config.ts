import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { findChromium, skipLine } from './test/support/chromium.ts';

const src = (p: string) => fileURLToPath(new URL(`./src/${p}`, import.meta.url));

// Browser tests need Chromium: found, they run with it; missing, they are skipped with one line (a failure in CI).
const chromium = findChromium();
const BROWSER_TESTS = '**/*.browser.test.ts';
if (!chromium.found) {
  if (process.env.CI === 'true') throw new Error(`CI=true but the browser tests cannot run: ${chromium.why} (.ci/run installs Debian's chromium)`);
  console.warn(skipLine(chromium.why));
}

export default defineConfig({
  resolve: {
    // Examples import the package by name, as hosts do; tests run them against the sources.
    alias: [
      { find: /^express-workos-login\/emulator$/, replacement: src('emulator/index.ts') },
      { find: /^express-workos-login$/, replacement: src('index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    // The packed-tarball host test installs from the registry and takes minutes: `npm run test:package` (.ci/run).
    // The two-process example test starts real servers: `npm run test:multi` (.ci/run).
    exclude: ['**/node_modules/**', '**/.git/**', 'test/package/**', 'examples/basic/multi-process.test.ts', ...(chromium.found ? [] : [BROWSER_TESTS])],
    env: chromium.found ? { CHROMIUM_PATH: chromium.path } : {},
    // Each file gets its own database; files run in parallel on the machine's cores. Workers are reused across
    // files (no per-file module reload): the suite takes about 1 minute instead of 3 on 2 cores, and no test
    // relies on module state (every app, limiter, emulator and database is created per file).
    pool: 'forks',
    isolate: false,
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
