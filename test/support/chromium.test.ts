// `npm test` on a machine without Chromium: the browser tests are skipped with one line that says how to enable
// them, and the run passes; under CI=true the same machine fails the run. The finder looks where Chromium lives.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findChromium, skipLine } from './chromium.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A vitest run of one browser test file and one plain one, as `npm test` would start it, with this environment. */
function vitest(env: Record<string, string>) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'CI' && k !== 'CHROMIUM_PATH' && k !== 'TEST_DATABASE_URL'));
  const r = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', 'test/login/routes.browser.test.ts', 'test/core/next-url.test.ts'], {
    cwd: root,
    env: { ...clean, NO_COLOR: '1', ...env },
    encoding: 'utf8',
    timeout: 90_000,
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('npm test without Chromium', () => {
  it('skips the browser tests with one line saying how to enable them, and passes', () => {
    const run = vitest({ CHROMIUM_PATH: '/nonexistent/chromium' });
    expect(run.status).toBe(0);
    const lines = run.output.split('\n').filter((l) => l.includes('Browser tests'));
    expect(lines).toEqual([skipLine('CHROMIUM_PATH=/nonexistent/chromium is not an executable file')]);
    expect(lines[0]).toContain('set CHROMIUM_PATH=');
    expect(run.output).not.toContain('routes.browser.test.ts');
    expect(run.output).toMatch(/Test Files\s+1 passed \(1\)/);
  }, 100_000);

  it('fails under CI=true', () => {
    const run = vitest({ CHROMIUM_PATH: '/nonexistent/chromium', CI: 'true' });
    expect(run.status).not.toBe(0);
    expect(run.output).toContain('CI=true but the browser tests cannot run: CHROMIUM_PATH=/nonexistent/chromium is not an executable file');
  }, 100_000);
});

describe('findChromium', () => {
  it('takes CHROMIUM_PATH when set, else the usual places, else the PATH', () => {
    const only = (...paths: string[]) => (p: string) => paths.includes(p);
    expect(findChromium({ CHROMIUM_PATH: '/opt/chrome/chrome' }, only('/opt/chrome/chrome', '/usr/bin/chromium'))).toEqual({ found: true, path: '/opt/chrome/chrome' });
    expect(findChromium({}, only('/usr/bin/chromium-browser'))).toEqual({ found: true, path: '/usr/bin/chromium-browser' });
    expect(findChromium({ PATH: '/a:/b' }, only('/b/google-chrome'))).toEqual({ found: true, path: '/b/google-chrome' });
    expect(findChromium({ PATH: '/a' }, only())).toEqual({ found: false, why: 'no Chromium in the usual places or on the PATH' });
  });
});
