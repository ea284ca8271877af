// Where the browser tests find Chromium (never a downloaded browser): CHROMIUM_PATH when set, else the usual places
// of Debian/Ubuntu, Fedora, snap, Homebrew and macOS, else `chromium` / `google-chrome` on the PATH. vitest.config.ts
// decides with it: browser tests run with the Chromium found; without one they are skipped with one line that says
// how to enable them, except under CI=true, where a missing browser fails the run.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const USUAL_PLACES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/lib/chromium/chromium',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  '/opt/homebrew/bin/chromium',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];
const ON_PATH = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

export function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export type ChromiumSearch = { found: true; path: string } | { found: false; why: string };

export function findChromium(env: NodeJS.ProcessEnv = process.env, usable: (path: string) => boolean = isExecutableFile): ChromiumSearch {
  if (env.CHROMIUM_PATH) {
    return usable(env.CHROMIUM_PATH) ? { found: true, path: env.CHROMIUM_PATH } : { found: false, why: `CHROMIUM_PATH=${env.CHROMIUM_PATH} is not an executable file` };
  }
  const onPath = (env.PATH ?? '').split(delimiter).filter(Boolean).flatMap((dir) => ON_PATH.map((name) => join(dir, name)));
  const path = [...USUAL_PLACES, ...onPath].find((p) => usable(p));
  return path ? { found: true, path } : { found: false, why: 'no Chromium in the usual places or on the PATH' };
}

/** The one line `npm test` prints when it skips the browser tests. */
export const skipLine = (why: string) =>
  `Browser tests (*.browser.test.ts) skipped: ${why}. To run them, install Chromium (Debian: apt-get install chromium) or set CHROMIUM_PATH=/path/to/chromium.`;
